using System.Globalization;
using MLCardiac.Imaging;
using MLCardiac.Preprocessing;

namespace MLCardiac.Inference;

/// <summary>
/// Any ONNX segmentation model — exported by MLCardiac or from PyTorch, nnU-Net or MONAI — run on a volume exactly as
/// <see cref="SegmentationModel"/> runs ours (same <see cref="VolumeSegmenter"/>): resampled to the model's spacing,
/// cropped/padded to its size, per-volume clip + z-score, batches of slices through ONNX Runtime, optional mirror TTA,
/// largest component, labels back on the image's grid in our convention 0..3 (via the label map).
/// </summary>
public sealed class OnnxSegmentationModel : IDisposable
{
    private readonly VolumeSegmenter _segmenter;

    private OnnxSegmentationModel(OnnxRuntimeBackend backend, Preprocessor preprocessor, IReadOnlyList<int>? largestComponentLabels)
    {
        Backend = backend;
        Preprocessor = preprocessor;
        _segmenter = new VolumeSegmenter(preprocessor, backend) { LargestComponentLabels = largestComponentLabels };
    }

    /// <summary>The post-processing recorded in the file's metadata; null (every structure) when it records none.</summary>
    private static List<int>? LargestComponentLabels(OnnxRuntimeBackend backend, string onnxPath)
    {
        if (!backend.Metadata.TryGetValue(OnnxModelMetadata.LargestComponentLabels, out string? text)) return null;
        var labels = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 1 && v < backend.Classes) labels.Add(v);
            else throw new MLCardiacException($"{onnxPath}: metadata {OnnxModelMetadata.LargestComponentLabels} = \"{text}\": expected structure numbers 1..{backend.Classes - 1}, comma-separated.");
        return labels;
    }

    /// <summary>The ONNX Runtime backend (input/output chosen, label map applied).</summary>
    public OnnxRuntimeBackend Backend { get; }

    /// <summary>The preprocessing applied before the model.</summary>
    public Preprocessor Preprocessor { get; }

    /// <summary>Preprocessing, forward pass and post-processing (with the file's largest-component choice).</summary>
    public VolumeSegmenter Segmenter => _segmenter;

    /// <summary>
    /// Opens <paramref name="onnxPath"/>; the slice size comes from <paramref name="options"/>, else the model's fixed input
    /// size, else its MLCardiac metadata, else 128; the spacing from the options, else the metadata, else 1.25 mm.
    /// Throws <see cref="MLCardiacException"/> naming the file when it cannot be used.
    /// </summary>
    public static OnnxSegmentationModel Load(string onnxPath, OnnxSegmentationOptions? options = null)
    {
        options ??= new OnnxSegmentationOptions();
        return Open(new OnnxRuntimeBackend(onnxPath, options), onnxPath, options);
    }

    /// <summary>
    /// As <see cref="Load(string, OnnxSegmentationOptions?)"/> for a model held in memory; <paramref name="name"/> stands
    /// for it in messages.
    /// </summary>
    public static OnnxSegmentationModel Load(byte[] model, string name, OnnxSegmentationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxSegmentationOptions();
        return Open(new OnnxRuntimeBackend(model, name, options), name, options);
    }

    private static OnnxSegmentationModel Open(OnnxRuntimeBackend backend, string onnxPath, OnnxSegmentationOptions options)
    {
        try
        {
            var dims = backend.InputDimensions;
            long h = dims[^2], w = dims[^1];
            if (h > 0 && w > 0 && h != w)
                throw new MLCardiacException($"{onnxPath}: input is {h}×{w}; square slices are needed.");
            if (options.Size is { } s && h > 0 && s != h)
                throw new MLCardiacException($"{onnxPath}: input is fixed at {h}×{w}; Size {s} cannot be fed.");
            int size = options.Size ?? (h > 0 ? (int)h : Meta(backend, OnnxModelMetadata.Size) is { } ms ? (int)ms : PreprocessingOptions.DefaultSize);
            double spacing = options.SpacingMm ?? Meta(backend, OnnxModelMetadata.SpacingMm) ?? PreprocessingOptions.DefaultSpacingMm;
            Preprocessor preprocessor;
            try
            {
                preprocessor = new Preprocessor(new PreprocessingOptions { Size = size, SpacingMm = spacing });
            }
            catch (ArgumentException e)
            {
                throw new MLCardiacException($"{onnxPath}: {e.Message}", e);
            }
            return new OnnxSegmentationModel(backend, preprocessor, LargestComponentLabels(backend, onnxPath));
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Labels 0..3 of frame <paramref name="frame"/> of <paramref name="image"/> on the image's own grid (3D); see
    /// <see cref="VolumeSegmenter.Segment(Volume, int, bool, bool, int, CancellationToken)"/>.
    /// </summary>
    public Volume Segment(Volume image, int frame = 0, bool mirrorTta = false, bool largestComponent = true, int batchSize = 16, CancellationToken cancellationToken = default) =>
        _segmenter.Segment(image, frame, mirrorTta, largestComponent, batchSize, cancellationToken);

    private static double? Meta(OnnxRuntimeBackend backend, string key) =>
        backend.Metadata.TryGetValue(key, out string? v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null;

    /// <inheritdoc />
    public void Dispose() => Backend.Dispose();
}
