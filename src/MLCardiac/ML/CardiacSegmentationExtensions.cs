using Microsoft.ML;

namespace MLCardiac.ML;

/// <summary>The entry point of the cardiac catalog on an <see cref="MLContext"/>.</summary>
public static class CardiacSegmentationExtensions
{
    /// <summary>
    /// The cardiac segmentation catalog: <see cref="CardiacSegmentationCatalog.Data"/>, <see cref="CardiacSegmentationCatalog.Transforms"/>,
    /// <see cref="CardiacSegmentationCatalog.Trainers"/>, <see cref="CardiacSegmentationCatalog.Evaluate"/> and model files.
    /// </summary>
    /// <example><code>
    /// var cardiac = new MLContext(seed: 1).CardiacSegmentation();
    /// IDataView cases = cardiac.Data.FromDirectory("data/synthetic");
    /// </code></example>
    public static CardiacSegmentationCatalog CardiacSegmentation(this MLContext mlContext) => CardiacSegmentation(mlContext, null);

    /// <summary>The catalog, with <paramref name="runContext"/> (progress, cancellation, checkpoints, prepared-slice cache) for everything it makes or loads.</summary>
    public static CardiacSegmentationCatalog CardiacSegmentation(this MLContext mlContext, CardiacRunContext? runContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new CardiacSegmentationCatalog(mlContext, runContext ?? new CardiacRunContext());
    }
}
