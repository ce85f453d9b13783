using System.Text.Json;
using System.Text.Json.Serialization;
using MLCardiac.Imaging;
using MLCardiac.IO;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.Inference;

/// <summary>
/// A trained segmentation model as it lives on disk — a folder with <c>model.json</c> (architecture,
/// preprocessing, vendors seen in training), the weights file it names and optionally <c>model.onnx</c> (written by
/// <c>mlcardiac export</c>) — and as it runs: NIfTI frame in, label volume on the original grid out. The forward pass
/// is a pluggable <see cref="ISegmentationBackend"/> (TorchSharp, or ONNX Runtime when the folder has an up-to-date
/// <c>model.onnx</c>); everything around it is <see cref="VolumeSegmenter"/>'s, shared by both.
/// </summary>
public sealed class SegmentationModel : IDisposable
{
    /// <summary>Name of the description file in a model folder.</summary>
    public const string DescriptionFile = "model.json";

    /// <summary>Name of the optional ONNX export of the weights inside a model folder.</summary>
    public const string OnnxFile = "model.onnx";

    /// <summary>The int8-quantized ONNX model's file name inside a model folder (<see cref="SegmentationBackend.OnnxRuntimeInt8"/>).</summary>
    public const string Int8OnnxFile = "model.int8.onnx";

    /// <summary>
    /// The backend <see cref="SegmentationBackend.Auto"/> picks when both are available: ONNX Runtime, measured faster
    /// than TorchSharp on a 10-slice 128×128 stack (bench mode <c>onnx</c>; see Onnx/README.md).
    /// </summary>
    public const SegmentationBackend Preferred = SegmentationBackend.OnnxRuntime;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly VolumeSegmenter _segmenter;

    private SegmentationModel(UNet2d network, ModelDescription description, ISegmentationBackend? onnx)
    {
        Network = network;
        Description = description;
        Preprocessor = new Preprocessor(description.Preprocessing);
        Network.eval();
        Backend = onnx ?? new TorchSharpBackend(network);
        _segmenter = new VolumeSegmenter(Preprocessor, Backend);
    }

    /// <summary>The network (eval mode); loaded whichever backend runs it.</summary>
    public UNet2d Network { get; }
    /// <summary>What model.json says.</summary>
    public ModelDescription Description { get; }
    /// <summary>The preprocessing the network was trained with.</summary>
    public Preprocessor Preprocessor { get; }
    /// <summary>What runs the forward pass.</summary>
    public ISegmentationBackend Backend { get; }

    /// <summary>
    /// Wraps a network already in memory (for example one just trained, or loaded from another container) with its
    /// description; the model owns <paramref name="network"/> from then on and puts it in eval mode.
    /// </summary>
    public static SegmentationModel FromNetwork(UNet2d network, ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(description);
        if (network.Options != description.Network)
            throw new ArgumentException($"The network is a U-Net {network.Options}; the description says {description.Network}.", nameof(description));
        return new SegmentationModel(network, description, onnx: null);
    }

    /// <summary>Writes <paramref name="network"/> and its description into <paramref name="directory"/> (atomically, file by file).</summary>
    /// <remarks>A <c>model.onnx</c> left from earlier weights no longer matches them: <see cref="Load(string)"/> then says so.</remarks>
    public static void Save(string directory, UNet2d network, ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(description);
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, description.Weights), s => SegmentationTrainer.SaveWeights(network, s));
        AtomicFile.WriteAllText(Path.Combine(directory, DescriptionFile), JsonSerializer.Serialize(description, Json));
    }

    /// <summary>Loads a model folder with the <see cref="SegmentationBackend.Auto"/> backend.</summary>
    public static SegmentationModel Load(string directory) => Load(directory, SegmentationBackend.Auto);

    /// <summary>
    /// Loads a model folder; throws <see cref="MLCardiacException"/> naming the file when something is missing or
    /// inconsistent — including a <c>model.onnx</c> exported from other weights than the folder's.
    /// </summary>
    public static SegmentationModel Load(string directory, SegmentationBackend backend, OnnxRuntimeSettings? onnxRuntime = null) =>
        Load(directory, backend, onnxRuntime, exportOnnxIfMissing: false);

    /// <summary>
    /// As <see cref="Load(string, SegmentationBackend, OnnxRuntimeSettings?)"/>; with <paramref name="exportOnnxIfMissing"/>,
    /// a folder without <c>model.onnx</c> still runs on ONNX Runtime (for <see cref="SegmentationBackend.OnnxRuntime"/> and
    /// <see cref="SegmentationBackend.Auto"/>): the network is exported to ONNX in memory — nothing is written to the folder.
    /// </summary>
    public static SegmentationModel Load(string directory, SegmentationBackend backend, OnnxRuntimeSettings? onnxRuntime, bool exportOnnxIfMissing)
    {
        string path = Path.Combine(directory, DescriptionFile);
        if (!File.Exists(path)) throw new MLCardiacException($"{path}: not found; a model folder is what `mlcardiac train --out` writes.");
        ModelDescription description;
        try
        {
            description = JsonSerializer.Deserialize<ModelDescription>(File.ReadAllText(path)) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new MLCardiacException($"{path}: not a readable model description ({e.Message}).", e);
        }
        if (description.SchemaVersion != ModelDescription.CurrentSchemaVersion)
            throw new MLCardiacException($"{path}: schema version {description.SchemaVersion}; this build reads {ModelDescription.CurrentSchemaVersion}.");
        string weights = Path.Combine(directory, description.Weights);
        if (!File.Exists(weights)) throw new MLCardiacException($"{weights}: the weights named in {path} are missing.");
        bool int8 = backend == SegmentationBackend.OnnxRuntimeInt8;
        string onnxPath = Path.Combine(directory, int8 ? Int8OnnxFile : OnnxFile);
        bool haveOnnx = File.Exists(onnxPath);
        if (int8 && !haveOnnx)
            throw new MLCardiacException($"{onnxPath}: not found; write it with `mlcardiac export --model {directory} --int8 --calibration-data DATA_DIR`.");
        bool useOnnx = backend == SegmentationBackend.OnnxRuntime || int8
            || (backend == SegmentationBackend.Auto && Preferred == SegmentationBackend.OnnxRuntime && (haveOnnx || exportOnnxIfMissing));
        if (backend == SegmentationBackend.OnnxRuntime && !haveOnnx && !exportOnnxIfMissing)
            throw new MLCardiacException($"{onnxPath}: not found; write it with `mlcardiac export --model {directory}`.");
        var network = new UNet2d(description.Network);
        OnnxRuntimeBackend? onnx = null;
        try
        {
            try
            {
                using var fs = File.OpenRead(weights);
                SegmentationTrainer.LoadWeights(network, fs);
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or ArgumentException or InvalidDataException)
            {
                throw new MLCardiacException($"{weights}: cannot be loaded ({e.Message}).", e);
            }
            if (useOnnx && haveOnnx) onnx = OpenOnnx(onnxPath, weights, description, onnxRuntime);
            else if (useOnnx)
            {
                byte[] exported = Onnx.OnnxExporter.ExportSegmentation(network, description.Preprocessing);
                onnx = new OnnxRuntimeBackend(exported, $"{onnxPath} (exported in memory from {weights})",
                    new OnnxSegmentationOptions { Runtime = onnxRuntime ?? new OnnxRuntimeSettings() });
            }
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return new SegmentationModel(network, description, onnx);
    }

    private static OnnxRuntimeBackend OpenOnnx(string onnxPath, string weights, ModelDescription description, OnnxRuntimeSettings? settings)
    {
        var onnx = new OnnxRuntimeBackend(onnxPath, new OnnxSegmentationOptions { Runtime = settings ?? new OnnxRuntimeSettings() });
        try
        {
            onnx.Metadata.TryGetValue(OnnxModelMetadata.WeightsSha256, out string? exported);
            string actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(weights)));
            if (exported != actual)
                throw new MLCardiacException($"{onnxPath}: exported from other weights than {weights}; export it again (`mlcardiac export --model {Path.GetDirectoryName(onnxPath)}{(Path.GetFileName(onnxPath) == Int8OnnxFile ? " --int8 --calibration-data DATA_DIR" : "")}`) or delete it.");
            onnx.Metadata.TryGetValue(OnnxModelMetadata.Size, out string? size);
            onnx.Metadata.TryGetValue(OnnxModelMetadata.InputNormalization, out string? normalization);
            if (size != description.Preprocessing.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) || normalization != OnnxModelMetadata.NormalizationByCaller)
                throw new MLCardiacException($"{onnxPath}: exported for {size}-pixel slices with {normalization}; this folder's model runs on {description.Preprocessing.Size}-pixel slices normalised per volume by the caller. Export it again without size or normalisation options.");
            return onnx;
        }
        catch
        {
            onnx.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Segments frame <paramref name="frame"/> of <paramref name="image"/>: labels 0..3 on the image's own grid (3D).
    /// With <paramref name="mirrorTta"/> the softmax of the slices and of their x, y and xy mirror images are averaged
    /// (test-time augmentation); with <paramref name="largestComponent"/> each structure keeps its largest 3D component.
    /// </summary>
    /// <remarks>One volume takes about a second; for cancellation between batches use <see cref="Segmenter"/> directly.</remarks>
    public Volume Segment(Volume image, int frame = 0, bool mirrorTta = false, bool largestComponent = true, int batchSize = 16) =>
        _segmenter.Segment(image, frame, mirrorTta, largestComponent, batchSize);

    /// <summary>
    /// As <see cref="Segment(Volume, int, bool, bool, int)"/> with the intensity normalisation measured beforehand with
    /// <c>Preprocessor.MeasureIntensity(image)</c>: segmenting several frames of one cine then measures it once, and the
    /// labels equal those of the overload that measures on every call.
    /// </summary>
    public Volume Segment(Volume image, int frame, IntensityNormalization normalization, bool mirrorTta = false, bool largestComponent = true, int batchSize = 16) =>
        _segmenter.Segment(image, frame, normalization, mirrorTta, largestComponent, batchSize);

    /// <summary>The preprocessing + backend + post-processing pipeline this model runs (takes a cancellation token).</summary>
    public VolumeSegmenter Segmenter => _segmenter;

    /// <inheritdoc />
    public void Dispose()
    {
        Backend.Dispose();
        Network.Dispose();
    }
}
