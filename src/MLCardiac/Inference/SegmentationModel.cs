using MLCardiac.Imaging;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.Inference;

/// <summary>
/// A trained segmentation network as it runs: NIfTI frame in, label volume on the original grid out — the inference
/// internals of the pipeline's segmentation stage (<c>SegmentationTransformer</c>; saved in <c>model.zip</c>). The forward
/// pass is a pluggable <see cref="ISegmentationBackend"/> (TorchSharp, or ONNX Runtime with <see cref="UseOnnx"/>);
/// everything around it is <see cref="VolumeSegmenter"/>'s, shared by both.
/// </summary>
public sealed class SegmentationModel : IDisposable
{
    /// <summary>
    /// The backend <see cref="SegmentationBackend.Auto"/> picks when an up-to-date ONNX export is at hand: ONNX Runtime,
    /// measured faster than TorchSharp on a 10-slice 128×128 stack (bench mode <c>onnx</c>; see Onnx/README.md).
    /// </summary>
    public const SegmentationBackend Preferred = SegmentationBackend.OnnxRuntime;

    private VolumeSegmenter _segmenter;

    private SegmentationModel(UNet2d network, ModelDescription description)
    {
        Network = network;
        Description = description;
        Preprocessor = new Preprocessor(description.Preprocessing);
        Network.eval();
        Backend = new TorchSharpBackend(network);
        _segmenter = new VolumeSegmenter(Preprocessor, Backend) { LargestComponentLabels = Description.LargestComponentLabels };
    }

    /// <summary>The network (eval mode); loaded whichever backend runs it.</summary>
    public UNet2d Network { get; }
    /// <summary>Architecture, preprocessing, the vendors the network saw and its post-processing.</summary>
    public ModelDescription Description { get; private set; }

    /// <summary>Sets the post-processing chosen on validation (<see cref="PostProcessingChoice"/>): its description and segmenter follow.</summary>
    internal void SetLargestComponentLabels(IReadOnlyList<int>? labels)
    {
        Description = Description with { LargestComponentLabels = labels };
        _segmenter = new VolumeSegmenter(Preprocessor, Backend) { LargestComponentLabels = labels };
    }
    /// <summary>The preprocessing the network was trained with.</summary>
    public Preprocessor Preprocessor { get; }
    /// <summary>What runs the forward pass.</summary>
    public ISegmentationBackend Backend { get; private set; }

    /// <summary>
    /// Wraps a network already in memory (for example one just trained, or loaded from a model file) with its
    /// description; the model owns <paramref name="network"/> from then on and puts it in eval mode.
    /// </summary>
    public static SegmentationModel FromNetwork(UNet2d network, ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(description);
        if (network.Options != description.Network)
            throw new ArgumentException($"The network is a U-Net {network.Options}; the description says {description.Network}.", nameof(description));
        return new SegmentationModel(network, description);
    }

    /// <summary>SHA-256 (lower-case hex) of the network's weights as <see cref="SegmentationTrainer.SaveWeights"/> writes them — what an ONNX export records.</summary>
    public string WeightsSha256()
    {
        using var ms = new MemoryStream();
        SegmentationTrainer.SaveWeights(Network, ms);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ms.ToArray()));
    }

    /// <summary>
    /// Runs the forward pass with ONNX Runtime from now on: the ONNX file <paramref name="onnxPath"/> when given (refused
    /// when it was exported from other weights, for another slice size or with in-graph normalisation), else this network
    /// exported in memory. The TorchSharp backend is released; the network stays loaded.
    /// </summary>
    public void UseOnnx(string? onnxPath, OnnxRuntimeSettings? settings = null)
    {
        var options = new OnnxSegmentationOptions { Runtime = settings ?? new OnnxRuntimeSettings() };
        OnnxRuntimeBackend onnx;
        if (onnxPath is null)
        {
            byte[] exported = Onnx.OnnxExporter.ExportSegmentation(Network, Description.Preprocessing, weightsSha256: WeightsSha256());
            onnx = new OnnxRuntimeBackend(exported, "the network exported to ONNX in memory", options);
        }
        else
        {
            onnx = new OnnxRuntimeBackend(onnxPath, options);
            try
            {
                onnx.Metadata.TryGetValue(OnnxModelMetadata.WeightsSha256, out string? exported);
                if (exported != WeightsSha256())
                    throw new MLCardiacException($"{onnxPath}: exported from other weights than the model's; export it again (`mlcardiac export`) or delete it.");
                onnx.Metadata.TryGetValue(OnnxModelMetadata.Size, out string? size);
                onnx.Metadata.TryGetValue(OnnxModelMetadata.InputNormalization, out string? normalization);
                if (size != Description.Preprocessing.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) || normalization != OnnxModelMetadata.NormalizationByCaller)
                    throw new MLCardiacException($"{onnxPath}: exported for {size}-pixel slices with {normalization}; the model runs on {Description.Preprocessing.Size}-pixel slices normalised per image by the caller. Export it again without size or normalisation options.");
            }
            catch
            {
                onnx.Dispose();
                throw;
            }
        }
        Backend.Dispose();
        Backend = onnx;
        _segmenter = new VolumeSegmenter(Preprocessor, Backend) { LargestComponentLabels = Description.LargestComponentLabels };
    }

    /// <summary>
    /// Segments frame <paramref name="frame"/> of <paramref name="image"/>: labels 0..3 on the image's own grid (3D), the
    /// frame normalised on its own intensity statistics. With <paramref name="mirrorTta"/> the softmax of the slices and of
    /// their x, y and xy mirror images are averaged (test-time augmentation); with <paramref name="largestComponent"/> each
    /// structure keeps its largest 3D component.
    /// </summary>
    public Volume Segment(Volume image, int frame = 0, bool mirrorTta = false, bool largestComponent = true, int batchSize = 16) =>
        _segmenter.Segment(image, frame, mirrorTta, largestComponent, batchSize);

    /// <summary>The preprocessing + backend + post-processing pipeline this model runs (takes a cancellation token).</summary>
    public VolumeSegmenter Segmenter => _segmenter;

    /// <inheritdoc />
    public void Dispose()
    {
        Backend.Dispose();
        Network.Dispose();
    }
}
