using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Inference;

namespace MLCardiac.ML;

/// <summary>
/// A saved pipeline (<c>model.zip</c>, written by <see cref="CardiacSegmentationCatalog.SaveModel"/> — by <c>mlcardiac
/// run</c>, <c>train</c>, <c>search</c> and <c>classify-vendor</c> alike) opened for an application that segments volumes
/// rather than data views: the fitted chain, its segmentation stage (on the chosen backend) and its vendor-classifier
/// stage, if any. <c>predict</c>, <c>serve</c> and <c>export</c> read models through it; the segmentation stage's
/// <see cref="SegmentationModel"/> is the very object the chain's transformer segments with, so a volume segmented here
/// gets the labels a <c>PredictionEngine</c> over the same file gives.
/// </summary>
public sealed class CardiacModel : IDisposable
{
    /// <summary>The model file's name inside a model folder.</summary>
    public const string FileName = "model.zip";

    private CardiacModel(string path, TransformerChain<ITransformer> pipeline, DataViewSchema inputSchema)
    {
        FilePath = path;
        Pipeline = pipeline;
        InputSchema = inputSchema;
        Segmentation = pipeline.OfType<SegmentationTransformer>().LastOrDefault();
        VendorClassifier = pipeline.OfType<VendorClassifierTransformer>().LastOrDefault();
        QualityControl = pipeline.OfType<QualityControlTransformer>().LastOrDefault();
        using var stream = File.OpenRead(path);
        Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>The model file.</summary>
    public string FilePath { get; }
    /// <summary>SHA-256 (lower-case hex) of the model file.</summary>
    public string Sha256 { get; }
    /// <summary>The fitted chain as saved.</summary>
    public TransformerChain<ITransformer> Pipeline { get; }
    /// <summary>The input schema the chain was fitted on.</summary>
    public DataViewSchema InputSchema { get; }
    /// <summary>The segmentation stage; null for a pipeline without one (a vendor classifier alone).</summary>
    public SegmentationTransformer? Segmentation { get; }
    /// <summary>The vendor-classifier stage; null when the pipeline has none.</summary>
    public VendorClassifierTransformer? VendorClassifier { get; }
    /// <summary>The quality-control stage; null when the pipeline has none (models fitted before it existed, or without it).</summary>
    public QualityControlTransformer? QualityControl { get; }

    /// <summary>
    /// The model file <paramref name="path"/> names: the file itself, or <c>model.zip</c> inside a folder. A folder written by
    /// an earlier release (<c>model.json</c> + weights, or <c>vendor-classifier.json</c>) is refused with the command that
    /// converts it.
    /// </summary>
    /// <exception cref="MLCardiacException">There is no model file there.</exception>
    public static string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path)) return path;
        if (Directory.Exists(path))
        {
            string file = Path.Combine(path, FileName);
            if (File.Exists(file)) return file;
            if (LegacyModelFolder.IsLegacy(path))
                throw new MLCardiacException($"{path}: a model folder of an earlier release (no {FileName}); convert it once with `mlcardiac model convert {path}`.");
            throw new MLCardiacException($"{path}: no {FileName} in this folder; `mlcardiac run`, `train`, `search` and `classify-vendor` write one.");
        }
        throw new MLCardiacException($"{path}: no such model file or folder.");
    }

    /// <summary>
    /// Writes a segmentation network already in memory as a model file: <c>LoadNifti → Preprocess → UNet</c> with the
    /// preprocessing and vendors of <paramref name="description"/> (for networks trained outside a pipeline, and tests).
    /// <paramref name="network"/> stays the caller's.
    /// </summary>
    public static void Write(string path, Models.SegmentationNetwork network, ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(description);
        // Not disposed: the segmentation model would dispose the caller's network with it.
        var segmentation = new SegmentationTransformer(SegmentationModel.FromNetwork(network, description), mirrorTta: false);
        CardiacModelFile.Save(new TransformerChain<ITransformer>(
            [new NiftiLoaderTransformer(), new SlicePreprocessingTransformer(description.Preprocessing, null), segmentation]), CaseDataView.CaseSchema, path);
    }

    /// <summary>Where <c>mlcardiac export</c> puts the ONNX export of <paramref name="modelFile"/> by default: beside it, <c>model.onnx</c> (or <c>model.int8.onnx</c>).</summary>
    public static string OnnxPath(string modelFile, bool quantized)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelFile);
        string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelFile))!, Path.GetFileNameWithoutExtension(modelFile));
        return stem + (quantized ? ".int8.onnx" : ".onnx");
    }

    /// <summary>
    /// Loads the model at <paramref name="path"/> (<see cref="Resolve"/>) and puts its segmentation stage on
    /// <paramref name="backend"/>: <see cref="SegmentationBackend.Auto"/> runs ONNX Runtime with an up-to-date
    /// <c>model.onnx</c> beside the file, else — with <paramref name="exportOnnxIfMissing"/> — with the network exported to
    /// ONNX in memory, else TorchSharp; <see cref="SegmentationBackend.OnnxRuntime"/> and
    /// <see cref="SegmentationBackend.OnnxRuntimeInt8"/> need their file (the former also accepts the in-memory export).
    /// </summary>
    /// <exception cref="MLCardiacException">The file is missing, damaged, of another format, or its ONNX export is stale.</exception>
    public static CardiacModel Load(string path, SegmentationBackend backend = SegmentationBackend.Auto, OnnxRuntimeSettings? onnxRuntime = null,
        bool exportOnnxIfMissing = false, CardiacRunContext? context = null)
    {
        string file = Resolve(path);
        var cardiac = new MLContext().CardiacSegmentation(context);
        TransformerChain<ITransformer> chain = cardiac.LoadModel(file, out DataViewSchema schema);
        var model = new CardiacModel(file, chain, schema);
        try
        {
            if (model.Segmentation is { } s && backend != SegmentationBackend.TorchSharp)
            {
                bool int8 = backend == SegmentationBackend.OnnxRuntimeInt8;
                string onnx = OnnxPath(file, int8);
                if (File.Exists(onnx)) s.Model.UseOnnx(onnx, onnxRuntime);
                else if (int8) throw new MLCardiacException($"{onnx}: not found; write it with `mlcardiac export --model {path} --int8 --calibration-data DATA_DIR`.");
                // An ensemble mixing 2D and 3D networks has no single ONNX graph: Auto keeps TorchSharp for it.
                else if (exportOnnxIfMissing && (backend == SegmentationBackend.OnnxRuntime || s.Model.Networks.Select(n => n.IsVolumetric).Distinct().Count() == 1)) s.Model.UseOnnx(null, onnxRuntime);
                else if (backend == SegmentationBackend.OnnxRuntime) throw new MLCardiacException($"{onnx}: not found; write it with `mlcardiac export --model {path}`.");
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// Writes the segmentation network (or, in a pipeline without one, the vendor classifier) as an ONNX model to
    /// <paramref name="onnxPath"/>, atomically; returns the model kind (<see cref="OnnxModelMetadata.SegmentationKind"/> or
    /// <see cref="OnnxModelMetadata.ClassifierKind"/>). The export records the SHA-256 of the weights, so a stale
    /// <c>model.onnx</c> beside a re-fitted model file is refused at load.
    /// </summary>
    public string ExportOnnx(string onnxPath, Onnx.OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        byte[] bytes;
        string kind;
        if (Segmentation is { } s)
        {
            bytes = Onnx.OnnxExporter.ExportSegmentation(s.Model.Networks, s.Model.Description.Preprocessing, options, s.Model.WeightsSha256(), s.Model.Description.LargestComponentLabels);
            kind = OnnxModelMetadata.SegmentationKind;
        }
        else if (VendorClassifier is { } c)
        {
            bytes = Onnx.OnnxExporter.ExportClassifier(c.Classifier.Network, c.Classifier.Vendors, c.Preprocessing, options);
            kind = OnnxModelMetadata.ClassifierKind;
        }
        else throw new MLCardiacException($"{FilePath}: the pipeline has neither a segmentation nor a vendor-classifier stage to export.");
        IO.AtomicFile.Write(onnxPath, stream => stream.Write(bytes));
        return kind;
    }

    /// <summary>
    /// Writes the segmentation network with int8 convolutions (<see cref="Onnx.OnnxExporter.ExportSegmentationInt8"/>) to
    /// <paramref name="onnxPath"/>, atomically, calibrating on the ED and ES frames of up to <paramref name="calibrationSubjects"/>
    /// subjects of <paramref name="calibrationData"/> (any layout; labels not needed), taken in turn from each vendor — or from
    /// <paramref name="calibrationVendors"/> only, e.g. the training vendors, to keep unseen scanners out of it. The slices
    /// come through the model's own LoadNifti and Preprocess stages. Returns the number of calibration slices.
    /// </summary>
    public int ExportOnnxInt8(string onnxPath, string calibrationData, int calibrationSubjects = 8, Onnx.OnnxExportOptions? options = null,
        IReadOnlyCollection<string>? calibrationVendors = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        ArgumentException.ThrowIfNullOrEmpty(calibrationData);
        if (calibrationSubjects < 1) throw new ArgumentOutOfRangeException(nameof(calibrationSubjects), calibrationSubjects, "at least one calibration subject");
        SegmentationTransformer s = Segmentation ?? throw new MLCardiacException($"{FilePath}: int8 export is for segmentation pipelines; this one has no segmentation stage.");
        if (s.Model.IsEnsemble)
            throw new MLCardiacException($"{FilePath}: the model is an ensemble of {s.Model.Networks.Count} networks; int8 export calibrates one network. Export it in float32 (one graph averaging the members) or export a fold's model.");
        if (s.Model.Network.IsVolumetric)
            throw new MLCardiacException($"{FilePath}: int8 export is for 2D U-Nets; this model is a {Models.NetworkKinds.Name(s.Model.Network.Options.Kind)}. Export it in float32.");
        if (!Directory.Exists(calibrationData)) throw new MLCardiacException($"{calibrationData}: no such calibration data folder.");
        var index = Data.DatasetLayouts.Load(calibrationData);
        if (calibrationVendors is { Count: > 0 } && calibrationVendors.FirstOrDefault(v => !index.Vendors.Contains(v)) is { } unknown)
            throw new MLCardiacException($"{calibrationData}: no vendor \"{unknown}\" to calibrate on (it has {string.Join(", ", index.Vendors)}).");
        var bySubject = index.Records.Where(r => calibrationVendors is not { Count: > 0 } || calibrationVendors.Contains(r.Vendor)).GroupBy(r => (r.Vendor, r.Subject)).OrderBy(g => g.Key.Subject, StringComparer.Ordinal).ToList();
        var chosen = bySubject.GroupBy(g => g.Key.Vendor).OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(v => v.Select((subject, i) => (subject, i))).OrderBy(t => t.i).ThenBy(t => t.subject.Key.Vendor, StringComparer.Ordinal)
            .Take(calibrationSubjects).SelectMany(t => t.subject).Select(r => r with { LabelPath = null }).ToList();
        if (chosen.Count == 0) throw new MLCardiacException($"{calibrationData}: no image to calibrate on.");
        var cardiac = new MLContext().CardiacSegmentation(new CardiacRunContext { CancellationToken = cancellationToken });
        IDataView rows = cardiac.Data.FromRecords(chosen);
        IDataView prepared = new TransformerChain<ITransformer>([.. Pipeline.TakeWhile(t => t is not SegmentationTransformer)]).Transform(rows);
        var slices = SlicesColumn.Read(prepared, labels: false, cancellationToken).Select(r => r.Slices).ToList();
        int px = s.Model.Description.Preprocessing.Size * s.Model.Description.Preprocessing.Size;
        float[] all = [.. slices.SelectMany(x => x)];
        byte[] bytes = Onnx.OnnxExporter.ExportSegmentationInt8(s.Model.Network, s.Model.Description.Preprocessing, all, all.Length / px, options, s.Model.WeightsSha256(), s.Model.Description.LargestComponentLabels, cancellationToken);
        IO.AtomicFile.Write(onnxPath, stream => stream.Write(bytes));
        return all.Length / px;
    }

    /// <summary>Frees the networks.</summary>
    public void Dispose()
    {
        foreach (var stage in Pipeline.OfType<IDisposable>()) stage.Dispose();
    }
}
