using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLCardiac.ML;

/// <summary>
/// Cardiac MRI segmentation for ML.NET: case data views, transforms, trainers, evaluation in 3D and model files.
/// Obtained with <see cref="CardiacSegmentationExtensions.CardiacSegmentation(MLContext)"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Catalog verbs are instance members, as in ML.NET's own catalogs.")]
public sealed class CardiacSegmentationCatalog
{
    internal CardiacSegmentationCatalog(MLContext context)
    {
        Context = context;
        Data = new CardiacDataCatalog();
        Transforms = new CardiacTransformsCatalog();
        Trainers = new CardiacTrainersCatalog();
    }

    /// <summary>The ML.NET context this catalog belongs to.</summary>
    public MLContext Context { get; }
    /// <summary>Datasets as lazy case views, and subject-safe splits.</summary>
    public CardiacDataCatalog Data { get; }
    /// <summary>Loading, preprocessing and augmentation.</summary>
    public CardiacTransformsCatalog Transforms { get; }
    /// <summary>U-Net, DANN and the vendor classifier.</summary>
    public CardiacTrainersCatalog Trainers { get; }

    /// <summary>
    /// 3D metrics in mm of every labeled row of <paramref name="predictions"/> (the output of a fitted pipeline:
    /// <c>PredictedLabel</c> against <c>Label</c> on each image's grid), summarised per vendor, seen against unseen,
    /// with the Evaluation stage's metrics (<see cref="Evaluation.OverlapMetrics"/>, <see cref="Evaluation.VendorSummary"/>).
    /// </summary>
    /// <param name="predictions">Transformed data with <c>PredictedLabel</c>, <c>Label</c>, <c>ImageShape</c>, <c>SpacingMm</c>, <c>Vendor</c>.</param>
    /// <param name="seed">Seed of the bootstrap intervals.</param>
    /// <param name="cancellationToken">Cancels the evaluation between rows.</param>
    public SegmentationMetrics Evaluate(IDataView predictions, int seed = 1, CancellationToken cancellationToken = default) =>
        SegmentationEvaluator.Evaluate(predictions, seed, cancellationToken);

    /// <summary>
    /// Writes a fitted pipeline of this catalog's stages and its input schema to <paramref name="path"/>, atomically
    /// (a zip with a versioned manifest and the networks' weights; see src/MLCardiac/ML/README.md).
    /// <c>mlContext.Model.Save</c> cannot store these stages: ML.NET keeps its persistence internal.
    /// </summary>
    public void SaveModel(ITransformer model, DataViewSchema inputSchema, string path) => CardiacModelFile.Save(model, inputSchema, path);

    /// <summary>
    /// Reads a pipeline written by <see cref="SaveModel"/>: the stages as a <see cref="TransformerChain{T}"/> and the
    /// input schema. Throws <see cref="MLCardiacException"/> naming the file and entry when the file is of another
    /// format version, an entry is missing or corrupt, or an entry name is unsafe. Nothing is extracted to disk.
    /// </summary>
    public TransformerChain<ITransformer> LoadModel(string path, out DataViewSchema inputSchema) => CardiacModelFile.Load(path, out inputSchema);

    /// <summary>
    /// The stages of <paramref name="model"/> after its <see cref="NiftiLoaderTransformer"/>: a model that takes a volume
    /// already in memory (<c>Image</c>, <c>ImageShape</c>, <c>SpacingMm</c>) — e.g. for a <c>PredictionEngine</c> over float arrays.
    /// </summary>
    public TransformerChain<ITransformer> WithoutLoader(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stages = model is IEnumerable<ITransformer> chain ? chain.ToArray() : [model];
        return new TransformerChain<ITransformer>(stages.Where(s => s is not NiftiLoaderTransformer).ToArray());
    }
}
