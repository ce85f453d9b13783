using MLCardiac.Imaging;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.Inference;

/// <summary>
/// A trained segmentation network — or an ensemble of them — as it runs: NIfTI frame in, label volume on the original
/// grid out — the inference internals of the pipeline's segmentation stage (<c>SegmentationTransformer</c>; saved in
/// <c>model.zip</c>). The forward pass is a pluggable <see cref="ISegmentationBackend"/> (TorchSharp, or ONNX Runtime with
/// <see cref="UseOnnx"/>); everything around it is <see cref="VolumeSegmenter"/>'s, shared by both. An ensemble
/// (<see cref="FromEnsemble"/>: the fold models of a cross-validation, or configurations sharing the preprocessing) averages
/// its members' softmax before the arg-max, as nnU-Net's ensembles do (<see cref="EnsembleBackend"/>).
/// </summary>
public sealed class SegmentationModel : IDisposable
{
    /// <summary>
    /// The backend <see cref="SegmentationBackend.Auto"/> picks when an up-to-date ONNX export is at hand: ONNX Runtime,
    /// measured faster than TorchSharp on a 10-slice 128×128 stack (bench mode <c>onnx</c>; see Onnx/README.md).
    /// </summary>
    public const SegmentationBackend Preferred = SegmentationBackend.OnnxRuntime;

    private VolumeSegmenter _segmenter;

    private SegmentationModel(IReadOnlyList<SegmentationNetwork> networks, ModelDescription description)
    {
        Networks = networks;
        Description = description;
        Preprocessor = new Preprocessor(description.Preprocessing);
        foreach (SegmentationNetwork network in networks) network.eval();
        Backend = networks.Count == 1 ? new TorchSharpBackend(networks[0]) : new EnsembleBackend([.. networks.Select(n => new TorchSharpBackend(n))]);
        _segmenter = new VolumeSegmenter(Preprocessor, Backend) { LargestComponentLabels = Description.LargestComponentLabels };
    }

    /// <summary>The network (eval mode) — of an ensemble, its first member; loaded whichever backend runs it.</summary>
    public SegmentationNetwork Network => Networks[0];
    /// <summary>Every network of the model (eval mode): one, or the members of an ensemble, in order.</summary>
    public IReadOnlyList<SegmentationNetwork> Networks { get; }
    /// <summary>True when the model averages several networks.</summary>
    public bool IsEnsemble => Networks.Count > 1;
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
    public static SegmentationModel FromNetwork(SegmentationNetwork network, ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(description);
        if (network.Options != description.Network)
            throw new ArgumentException($"The network is a U-Net {network.Options}; the description says {description.Network}.", nameof(description));
        if (description.Members is { Count: > 1 })
            throw new ArgumentException($"The description is of an ensemble of {description.Members.Count} networks; one was given.", nameof(description));
        return new SegmentationModel([network], description with { Members = null });
    }

    /// <summary>
    /// An ensemble of <paramref name="networks"/> (two or more, owned by the model from then on) that share the preprocessing
    /// of <paramref name="description"/>: their softmax is averaged before the arg-max. The description's
    /// <see cref="ModelDescription.Network"/> becomes the first member's architecture and <see cref="ModelDescription.Members"/>
    /// every member's (members may differ in width or depth: an ensemble of configurations).
    /// </summary>
    public static SegmentationModel FromEnsemble(IReadOnlyList<SegmentationNetwork> networks, ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(description);
        if (networks.Count < 2) throw new ArgumentException($"An ensemble needs at least two networks ({networks.Count} given).", nameof(networks));
        if (networks.Select(n => (n.Options.InChannels, n.Options.Classes)).Distinct().Count() != 1)
            throw new ArgumentException("The members of an ensemble must take the same input and predict the same classes.", nameof(networks));
        if (description.Members is { } members && !members.SequenceEqual(networks.Select(n => n.Options)))
            throw new ArgumentException("The networks are not the members the description lists.", nameof(description));
        return new SegmentationModel([.. networks], description with { Network = networks[0].Options, Members = [.. networks.Select(n => n.Options)] });
    }

    /// <summary>
    /// SHA-256 (lower-case hex) of the weights as <see cref="SaveWeights"/> writes them (one network's as
    /// <see cref="SegmentationTrainer.SaveWeights"/> writes them) — what an ONNX export records.
    /// </summary>
    public string WeightsSha256()
    {
        using var ms = new MemoryStream();
        SaveWeights(ms);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ms.ToArray()));
    }

    /// <summary>
    /// Writes every network's weights to <paramref name="stream"/>, one after the other, each as
    /// <see cref="SegmentationTrainer.SaveWeights"/> writes it (its architecture, then its state dict): a single network's
    /// file is unchanged, and an ensemble's is its members' in order.
    /// </summary>
    public void SaveWeights(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        foreach (SegmentationNetwork network in Networks) SegmentationTrainer.SaveWeights(network, stream);
    }

    /// <summary>
    /// Reads what <see cref="SaveWeights"/> wrote into the networks <paramref name="description"/> lists (one, or each member
    /// of an ensemble), and wraps them with it. Throws <see cref="MLCardiacException"/> when the stream holds other
    /// architectures, fewer networks, or bytes after the last one.
    /// </summary>
    public static SegmentationModel LoadWeights(Stream stream, ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(description);
        IReadOnlyList<UNetOptions> architectures = description.Members is { Count: > 1 } m ? m : [description.Network];
        var networks = new List<SegmentationNetwork>();
        try
        {
            foreach (UNetOptions architecture in architectures)
            {
                var network = SegmentationNetwork.Create(architecture);
                networks.Add(network);
                if (stream.CanSeek && stream.Position >= stream.Length)
                    throw new MLCardiacException($"The weights hold {networks.Count - 1} network(s); the description lists {architectures.Count}.");
                SegmentationTrainer.LoadWeights(network, stream);
            }
            if (stream.CanSeek && stream.Position != stream.Length)
                throw new MLCardiacException($"The weights hold {stream.Length - stream.Position} bytes after the {architectures.Count} network(s) the description lists.");
            return networks.Count == 1 ? FromNetwork(networks[0], description) : FromEnsemble(networks, description);
        }
        catch
        {
            foreach (SegmentationNetwork network in networks) network.Dispose();
            throw;
        }
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
            byte[] exported = Onnx.OnnxExporter.ExportSegmentation(Networks, Description.Preprocessing, weightsSha256: WeightsSha256());
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
        foreach (SegmentationNetwork network in Networks) network.Dispose();
    }
}
