using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using MLCardiac.Inference;
using MLCardiac.IO;
using MLCardiac.Models;
using MLCardiac.Onnx.Protobuf;
using MLCardiac.Preprocessing;
using MLCardiac.Training;
using Microsoft.ML;
using static MLCardiac.Onnx.OnnxGraphBuilder;
using DataType = MLCardiac.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLCardiac.Onnx;

/// <summary>
/// Writes our own networks — <see cref="UNet2d"/> and the vendor classifiers (<see cref="VendorClassifierNetwork"/>) — as ONNX models (opset 17 by
/// default) that run in ONNX Runtime, ML.NET's OnnxTransformer and anything else that reads ONNX. TorchSharp has no
/// exporter; since we own the architectures, the graph is written layer by layer from the module structure and the
/// weights are read from the state dict. What the artifact expects is in Onnx/README.md and in its metadata
/// (<see cref="OnnxModelMetadata"/>).
/// </summary>
public static class OnnxExporter
{
    /// <summary>Default opset of the ONNX domain.</summary>
    public const int DefaultOpset = 17;

    /// <summary>ONNX IR version written (8 is the IR of opset 17; every ONNX Runtime since 1.12 reads it).</summary>
    public const int IrVersion = 8;

    /// <summary>Our label convention, in output-channel order.</summary>
    public static readonly IReadOnlyList<string> SegmentationLabels = ["background", "LV", "MYO", "RV"];

    /// <summary>
    /// The ONNX model of a U-Net in inference form: input <c>image</c> float [batch, InChannels, Size, Size], outputs
    /// per <see cref="OnnxExportOptions.Outputs"/>. Dropout is the identity, deep-supervision heads are left out.
    /// </summary>
    public static byte[] ExportSegmentation(SegmentationNetwork network, PreprocessingOptions preprocessing, OnnxExportOptions? options = null, string? weightsSha256 = null,
        IReadOnlyList<int>? largestComponentLabels = null) =>
        ExportSegmentation([network ?? throw new ArgumentNullException(nameof(network))], preprocessing, options, weightsSha256, largestComponentLabels);

    /// <summary>
    /// The ONNX model of a U-Net, or of an ensemble of U-Nets in one graph: every member runs on the same input, their
    /// softmax is averaged (<c>probabilities</c>), <c>logits</c> is the log of that average (so its softmax and arg-max are
    /// the ensemble's) and <c>labels</c> its arg-max — what <c>EnsembleBackend</c> computes, in any ONNX runtime.
    /// </summary>
    public static byte[] ExportSegmentation(IReadOnlyList<SegmentationNetwork> networks, PreprocessingOptions preprocessing, OnnxExportOptions? options = null, string? weightsSha256 = null,
        IReadOnlyList<int>? largestComponentLabels = null)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (networks.Count == 0) throw new ArgumentException("No network to export.", nameof(networks));
        options ??= new OnnxExportOptions();
        options.Validate();
        int size = options.Size ?? preprocessing.Size;
        foreach (UNetOptions member in networks.Select(n => n.Options))
            if (size % (1 << member.Depth) != 0)
                throw new MLCardiacException($"ONNX export: a U-Net of depth {member.Depth} needs a size divisible by {1 << member.Depth} (was {size}).");
        UNetOptions o = networks[0].Options;
        if (networks.Any(n => n.Options.InChannels != o.InChannels || n.Options.Classes != o.Classes))
            throw new ArgumentException("The members of an ensemble must take the same input and predict the same classes.", nameof(networks));
        int patchDepth = VolumetricPatchDepth(networks, options);

        var b = new OnnxGraphBuilder(networks.Count == 1 ? o.Kind.Name() : o.Kind.Name() + "_ensemble");
        string x = patchDepth > 0 ? VolumeInput(b, o.InChannels, patchDepth, size) : Input(b, o.InChannels, size, options.NormalizeSlices);
        string logits;
        if (networks.Count == 1) logits = UNetLogits(b, networks[0], x, SplitSkipConvolution(o, options, null));
        else
        {
            // Mean of the members' softmax; its log is a logit whose softmax gives back the mean (rows already sum to 1).
            var probabilities = networks.Select((n, i) => b.Node("Softmax", $"member{i}.softmax", [UNetLogits(b, n, x, SplitSkipConvolution(n.Options, options, null))], Int("axis", 1))).ToList();
            string sum = b.Node("Sum", "ensemble.sum", probabilities);
            string mean = b.Node("Mul", "ensemble.mean", [sum, b.Constant("ensemble.weight", [1f / networks.Count])]);
            logits = b.Node("Log", "ensemble.log", [mean]);
        }
        Outputs(b, logits, options.Outputs, patchDepth > 0 ? [null, o.Classes, patchDepth, size, size] : [null, o.Classes, size, size]);
        var metadata = CommonMetadata(OnnxModelMetadata.SegmentationKind, SegmentationLabels.Take(o.Classes).ToList(), preprocessing, size, options.NormalizeSlices);
        metadata[OnnxModelMetadata.Network] = JsonSerializer.Serialize(o);
        if (networks.Count > 1) metadata[OnnxModelMetadata.EnsembleMembers] = JsonSerializer.Serialize(networks.Select(n => n.Options));
        if (weightsSha256 is not null) metadata[OnnxModelMetadata.WeightsSha256] = weightsSha256;
        if (largestComponentLabels is not null) metadata[OnnxModelMetadata.LargestComponentLabels] = string.Join(",", largestComponentLabels);
        string what = o.Kind switch
        {
            NetworkKind.UNet3d => "3D U-Net",
            NetworkKind.VNet => "V-Net",
            _ => "2D U-Net",
        };
        string maps = patchDepth > 0
            ? $"a stack of {patchDepth} short-axis cine MR slices (zero-padded, or a window of a deeper stack) → labels per slice"
            : "short-axis cine MR slice → labels";
        return Model(b, options.Opset, metadata, networks.Count == 1
            ? $"MLCardiac {what}: {maps} 0 background, 1 LV, 2 MYO, 3 RV."
            : $"MLCardiac ensemble of {networks.Count} {what}s (softmax averaged): {maps} 0 background, 1 LV, 2 MYO, 3 RV.");
    }

    /// <summary>
    /// The through-plane depth of the graph's input: the members' <see cref="UNetOptions.PatchDepth"/> when they are 3D
    /// networks (all of them, with one patch depth), 0 when they are 2D. A mixed ensemble is refused: one graph has one input.
    /// </summary>
    private static int VolumetricPatchDepth(IReadOnlyList<SegmentationNetwork> networks, OnnxExportOptions options)
    {
        int volumetric = networks.Count(n => n.IsVolumetric);
        if (volumetric == 0) return 0;
        if (volumetric != networks.Count)
            throw new MLCardiacException($"ONNX export: the ensemble mixes 2D and 3D networks ({string.Join(", ", networks.Select(n => n.Options.Kind.Name()))}); one graph takes either slices or stacks. Export the members separately.");
        int[] depths = [.. networks.Select(n => n.Options.PatchDepth).Distinct()];
        if (depths.Length != 1)
            throw new MLCardiacException($"ONNX export: the ensemble's 3D members have different patch depths ({string.Join(", ", depths)}); one graph takes one stack depth.");
        if (options.NormalizeSlices)
            throw new MLCardiacException($"ONNX export: in-graph slice normalisation (--normalize-slices) is for 2D networks; a {networks[0].Options.Kind.Name()} is exported with the caller's per-volume normalisation only.");
        return depths[0];
    }

    /// <summary>The U-Net graph (input, layers, outputs); with <paramref name="int8"/> its convolutions are calibrated or quantized.</summary>
    private static OnnxGraphBuilder UNetGraph(SegmentationNetwork network, int size, OnnxExportOptions options, Int8Quantization? int8)
    {
        UNetOptions o = network.Options;
        var b = new OnnxGraphBuilder("unet2d") { Int8 = int8 };
        string x = Input(b, o.InChannels, size, options.NormalizeSlices);
        Outputs(b, UNetLogits(b, network, x, SplitSkipConvolution(o, options, int8)), options.Outputs, [null, o.Classes, size, size]);
        return b;
    }

    /// <summary>The layers of one U-Net from <paramref name="x"/> to its logits (<paramref name="splitSkips"/>: <see cref="SplitSkipConvolution"/>).</summary>
    private static string UNetLogits(OnnxGraphBuilder b, SegmentationNetwork network, string x, bool splitSkips)
    {
        switch (network.Options.Kind)
        {
            case NetworkKind.UNet3d: return UNet3dLogits(b, network, x);
            case NetworkKind.VNet: return VNetLogits(b, network, x);
        }
        UNetOptions o = network.Options;
        var w = new StateDictReader(network);
        w.Ignore(k => k.StartsWith("deepHeads.", StringComparison.Ordinal) || k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        var skips = new List<string>();
        for (int s = 0; s <= o.Depth; s++)
        {
            x = UNetStage(b, w, o, $"encoder.{s}", x, s == 0 ? 1 : 2);
            skips.Add(x);
        }
        for (int d = 0; d < o.Depth; d++)
        {
            string up = OnnxLayers.ConvTranspose(b, w, $"upsample.{d}", x);
            x = splitSkips
                ? UNetStage(b, w, o, $"decoder.{d}", OnnxLayers.ConvOverConcat(b, w, $"decoder.{d}.conv0", up, skips[o.Depth - 1 - d]), 1, firstConvDone: true)
                : UNetStage(b, w, o, $"decoder.{d}", b.Node("Concat", $"decoder.{d}.concat", [up, skips[o.Depth - 1 - d]], Int("axis", 1)), 1);
        }
        string logits = OnnxLayers.Conv(b, w, "head", x, 1, 0);
        w.CheckAllUsed(nameof(UNet2d));
        return logits;
    }

    /// <summary>
    /// The layers of a <see cref="UNet3d"/> from <paramref name="x"/> [N, C, D, H, W] to its logits: per stage two
    /// (kz, 3, 3) convolutions (the first strided (sz, 2, 2) from stage 1 on), normalisation and activation; transposed
    /// convolutions up; skips by Concat. Dropout is the identity, deep-supervision heads are left out.
    /// </summary>
    private static string UNet3dLogits(OnnxGraphBuilder b, SegmentationNetwork network, string x)
    {
        UNetOptions o = network.Options;
        var w = new StateDictReader(network);
        w.Ignore(k => k.StartsWith("deepHeads.", StringComparison.Ordinal) || k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        var skips = new List<string>();
        for (int s = 0; s <= o.Depth; s++)
        {
            long[] stride = s == 0 ? [1, 1, 1] : [o.ThroughPlaneStride(s), 2, 2];
            x = UNet3dStage(b, w, o, $"encoder.{s}", x, stride, o.ThroughPlaneKernel(s));
            skips.Add(x);
        }
        for (int d = 0; d < o.Depth; d++)
        {
            int s = o.Depth - 1 - d;
            string up = OnnxLayers.ConvTranspose(b, w, $"upsample.{d}", x);
            string joined = b.Node("Concat", $"decoder.{d}.concat", [up, skips[s]], Int("axis", 1));
            x = UNet3dStage(b, w, o, $"decoder.{d}", joined, [1, 1, 1], o.ThroughPlaneKernel(s));
        }
        string logits = OnnxLayers.Conv(b, w, "head", x, [1, 1, 1], [0, 0, 0]);
        w.CheckAllUsed(nameof(UNet3d));
        return logits;
    }

    private static string UNet3dStage(OnnxGraphBuilder b, StateDictReader w, UNetOptions o, string prefix, string x, long[] stride, int kz)
    {
        long[] pads = [kz / 2, 1, 1];
        x = OnnxLayers.Conv(b, w, prefix + ".conv0", x, stride, pads);
        x = OnnxLayers.Norm(b, w, prefix + ".norm0", x, o.Normalization, o.Groups, spatialDims: 3);
        x = OnnxLayers.Activation(b, prefix + ".act0", x, o.Activation);
        // Dropout (prefix.drop) is the identity at inference.
        x = OnnxLayers.Conv(b, w, prefix + ".conv1", x, [1, 1, 1], pads);
        x = OnnxLayers.Norm(b, w, prefix + ".norm1", x, o.Normalization, o.Groups, spatialDims: 3);
        return OnnxLayers.Activation(b, prefix + ".act1", x, o.Activation);
    }

    /// <summary>
    /// The layers of a <see cref="VNet"/> from <paramref name="x"/> [N, C, D, H, W] to its logits: strided down-sampling
    /// convolutions (kernel = stride) with normalisation and PReLU; residual stages whose sum with their input (broadcast
    /// over the channels at stage 0) passes through PReLU; transposed-convolution up-sampling with normalisation and PReLU;
    /// decoder stages over Concat(up, skip) whose residual is added to the up-sampled tensor.
    /// </summary>
    private static string VNetLogits(OnnxGraphBuilder b, SegmentationNetwork network, string x)
    {
        UNetOptions o = network.Options;
        var w = new StateDictReader(network);
        w.Ignore(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        var skips = new List<string>();
        for (int s = 0; s <= o.Depth; s++)
        {
            if (s > 0)
            {
                string p = $"down.{s - 1}";
                long zs = o.ThroughPlaneStride(s);
                x = OnnxLayers.Conv(b, w, p + ".conv", x, [zs, 2, 2], [0, 0, 0]);
                x = OnnxLayers.Norm(b, w, p + ".norm", x, o.Normalization, o.Groups, spatialDims: 3);
                x = OnnxLayers.PRelu(b, w, p + ".act", x, spatialDims: 3);
            }
            string residual = VNetConvolutions(b, w, o, $"encoder.{s}", x, o.ThroughPlaneKernel(s), Math.Min(s + 1, 3));
            x = OnnxLayers.PRelu(b, w, $"encoderAct.{s}", b.Node("Add", $"encoder.{s}.add", [residual, x]), spatialDims: 3);
            skips.Add(x);
        }
        for (int d = 0; d < o.Depth; d++)
        {
            int s = o.Depth - 1 - d;
            string p = $"upsample.{d}";
            string up = OnnxLayers.ConvTranspose(b, w, p + ".conv", x);
            up = OnnxLayers.Norm(b, w, p + ".norm", up, o.Normalization, o.Groups, spatialDims: 3);
            up = OnnxLayers.PRelu(b, w, p + ".act", up, spatialDims: 3);
            string joined = b.Node("Concat", $"decoder.{d}.concat", [up, skips[s]], Int("axis", 1));
            string residual = VNetConvolutions(b, w, o, $"decoder.{d}", joined, o.ThroughPlaneKernel(s), Math.Min(s + 1, 3));
            x = OnnxLayers.PRelu(b, w, $"decoderAct.{d}", b.Node("Add", $"decoder.{d}.add", [residual, up]), spatialDims: 3);
        }
        string logits = OnnxLayers.Conv(b, w, "head", x, [1, 1, 1], [0, 0, 0]);
        w.CheckAllUsed(nameof(VNet));
        return logits;
    }

    /// <summary>A V-Net stage's <paramref name="count"/> (kz, 3, 3) convolutions, each normalised, all but the last followed by PReLU.</summary>
    private static string VNetConvolutions(OnnxGraphBuilder b, StateDictReader w, UNetOptions o, string prefix, string x, int kz, int count)
    {
        for (int i = 0; i < count; i++)
        {
            x = OnnxLayers.Conv(b, w, $"{prefix}.conv{i}", x, [1, 1, 1], [kz / 2, 1, 1]);
            x = OnnxLayers.Norm(b, w, $"{prefix}.norm{i}", x, o.Normalization, o.Groups, spatialDims: 3);
            if (i < count - 1) x = OnnxLayers.PRelu(b, w, $"{prefix}.act{i}", x, spatialDims: 3);
        }
        return x;
    }

    /// <summary>
    /// As <see cref="ExportSegmentation(SegmentationNetwork, PreprocessingOptions, OnnxExportOptions?, string?, IReadOnlyList{int}?)"/>, with the 3×3 convolutions quantized to int8 (static, QDQ form; see
    /// <c>Onnx/README.md</c>): activation scales are calibrated on <paramref name="calibrationSlices"/> — preprocessed
    /// slices (<paramref name="calibrationCount"/> × Size² floats, as the model's <c>Preprocessor</c> makes them) —
    /// and ONNX Runtime runs those convolutions as integer QLinearConv. The metadata records the quantization.
    /// </summary>
    public static byte[] ExportSegmentationInt8(SegmentationNetwork network, PreprocessingOptions preprocessing, ReadOnlyMemory<float> calibrationSlices, int calibrationCount,
        OnnxExportOptions? options = null, string? weightsSha256 = null, IReadOnlyList<int>? largestComponentLabels = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (network.IsVolumetric)
            throw new MLCardiacException($"int8 export is for 2D U-Nets; this model is a {network.Options.Kind.Name()} (its calibration and quantized convolutions are written for slices). Export it in float32.");
        options ??= new OnnxExportOptions();
        options.Validate();
        if (options.NormalizeSlices) throw new ArgumentException("int8 export calibrates on slices normalised as in training; NormalizeSlices is not supported with it.", nameof(options));
        UNetOptions o = network.Options;
        int size = options.Size ?? preprocessing.Size;
        if (size % (1 << o.Depth) != 0)
            throw new MLCardiacException($"ONNX export: a U-Net of depth {o.Depth} needs a size divisible by {1 << o.Depth} (was {size}).");
        var (b, plan) = Int8Quantization.Build(q => UNetGraph(network, size, options, q), calibrationSlices, calibrationCount, size, cancellationToken);
        var metadata = CommonMetadata(OnnxModelMetadata.SegmentationKind, SegmentationLabels.Take(o.Classes).ToList(), preprocessing, size, options.NormalizeSlices);
        metadata[OnnxModelMetadata.Network] = JsonSerializer.Serialize(o);
        metadata[OnnxModelMetadata.Quantization] = string.Create(CultureInfo.InvariantCulture,
            $"int8 QDQ: {plan.Layers.Count} convolutions, weights per channel (symmetric), activations per tensor (uint8, min/max over {plan.CalibrationSlices} calibration slices)");
        if (weightsSha256 is not null) metadata[OnnxModelMetadata.WeightsSha256] = weightsSha256;
        if (largestComponentLabels is not null) metadata[OnnxModelMetadata.LargestComponentLabels] = string.Join(",", largestComponentLabels);
        return Model(b, options.Opset, metadata, "MLCardiac 2D U-Net, int8-quantized convolutions: short-axis cine MR slice → labels 0 background, 1 LV, 2 MYO, 3 RV.");
    }

    /// <summary>
    /// The ONNX model of a vendor classifier — <see cref="ResNetClassifier"/>, <see cref="DenseNetClassifier"/> or
    /// <see cref="InceptionClassifier"/> — in inference form (batch norm with its running statistics, dropout the
    /// identity): input <c>image</c> float [batch, InChannels, Size, Size], outputs logits/probabilities [batch, vendors]
    /// and labels [batch] (the vendor index, names in the metadata; the architecture, with its kind, in <c>mlcardiac.network</c>).
    /// </summary>
    public static byte[] ExportClassifier(VendorClassifierNetwork network, IReadOnlyList<string> classNames, PreprocessingOptions preprocessing, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(preprocessing);
        options ??= new OnnxExportOptions();
        options.Validate();
        ClassifierNetworkOptions o = network.Options;
        if (classNames.Count != o.Classes) throw new ArgumentException($"{classNames.Count} class names for {o.Classes} classes.", nameof(classNames));
        int size = options.Size ?? preprocessing.Size;

        var w = new StateDictReader(network);
        w.Ignore(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        string kindName = ClassifierNetworkOptions.KindName(o.Kind);
        var b = new OnnxGraphBuilder($"{kindName}_classifier");
        string x = Input(b, o.InChannels, size, options.NormalizeSlices);
        x = ConvBnRelu(b, w, "stem.conv", "stem.bn", "stem.relu", x, 2, 1);
        x = network switch
        {
            ResNetClassifier r => ResNetStages(b, w, r.Options, x),
            DenseNetClassifier d => DenseNetFeatures(b, w, d.Options, x),
            InceptionClassifier i => InceptionStages(b, w, i.Options, x),
            _ => throw new MLCardiacException($"ONNX export: classifier network {network.GetType().Name} is not supported."),
        };
        x = b.Node("GlobalAveragePool", "head.pool", [x]);
        x = b.Node("Flatten", "head.flat", [x], Int("axis", 1));
        // Dropout (head.drop) is the identity at inference.
        var (fcWeight, fcShape) = w["head.fc.weight"];
        var (fcBias, fcBiasShape) = w["head.fc.bias"];
        string logits = b.Node("Gemm", "head.fc", [x, b.Constant("head.fc.weight", fcWeight, fcShape), b.Constant("head.fc.bias", fcBias, fcBiasShape)],
            Float("alpha", 1f), Float("beta", 1f), Int("transB", 1));
        w.CheckAllUsed(network.GetType().Name);
        Outputs(b, logits, options.Outputs, [null, o.Classes]);

        var metadata = CommonMetadata(OnnxModelMetadata.ClassifierKind, classNames, preprocessing, size, options.NormalizeSlices);
        metadata[OnnxModelMetadata.Network] = JsonSerializer.Serialize(o);
        return Model(b, options.Opset, metadata, $"MLCardiac {ClassifierNetworkOptions.Title(o.Kind)} vendor classifier: short-axis cine MR slice → vendor.");
    }

    /// <summary>Conv (bias-free) → batch norm (inference form) → ReLU.</summary>
    private static string ConvBnRelu(OnnxGraphBuilder b, StateDictReader w, string conv, string bn, string relu, string x, int stride, int padding)
    {
        x = OnnxLayers.Conv(b, w, conv, x, stride, padding);
        x = OnnxLayers.Norm(b, w, bn, x, NormalizationKind.Batch, 0);
        return b.Node("Relu", relu, [x]);
    }

    /// <summary>Batch norm (inference form) → ReLU → Conv, DenseNet's pre-activation order.</summary>
    private static string BnReluConv(OnnxGraphBuilder b, StateDictReader w, string prefix, string bn, string relu, string conv, string x, int padding)
    {
        x = OnnxLayers.Norm(b, w, $"{prefix}.{bn}", x, NormalizationKind.Batch, 0);
        x = b.Node("Relu", $"{prefix}.{relu}", [x]);
        return OnnxLayers.Conv(b, w, $"{prefix}.{conv}", x, 1, padding);
    }

    /// <summary><see cref="ResNetClassifier"/>'s stages of basic blocks, after the stem.</summary>
    private static string ResNetStages(OnnxGraphBuilder b, StateDictReader w, ResNetOptions o, string x)
    {
        int inCh = o.BaseWidth;
        for (int s = 0; s < o.BlocksPerStage.Count; s++)
        {
            int outCh = o.BaseWidth << s;
            for (int k = 0; k < o.BlocksPerStage[s]; k++)
            {
                int stride = k == 0 && s > 0 ? 2 : 1;
                string p = $"stages.s{s}b{k}";
                string y = ConvBnRelu(b, w, p + ".body.conv0", p + ".body.bn0", p + ".body.relu", x, stride, 1);
                y = OnnxLayers.Conv(b, w, p + ".body.conv1", y, 1, 1);
                y = OnnxLayers.Norm(b, w, p + ".body.bn1", y, NormalizationKind.Batch, 0);
                string identity = x;
                if (stride != 1 || inCh != outCh)
                {
                    identity = OnnxLayers.Conv(b, w, p + ".shortcut.conv", x, stride, 0);
                    identity = OnnxLayers.Norm(b, w, p + ".shortcut.bn", identity, NormalizationKind.Batch, 0);
                }
                x = b.Node("Relu", p + ".relu", [b.Node("Add", p + ".add", [y, identity])]);
                inCh = outCh;
            }
        }
        return x;
    }

    /// <summary><see cref="DenseNetClassifier"/>'s dense blocks and transitions, and the final BN → ReLU, after the stem.</summary>
    private static string DenseNetFeatures(OnnxGraphBuilder b, StateDictReader w, DenseNetOptions o, string x)
    {
        for (int k = 0; k < o.BlockSizes.Count; k++)
        {
            for (int l = 0; l < o.BlockSizes[k]; l++)
            {
                string p = $"features.block{k}.layers.{l}";
                string y = BnReluConv(b, w, p, "bn0", "relu0", "conv0", x, 0);
                y = BnReluConv(b, w, p, "bn1", "relu1", "conv1", y, 1);
                x = OnnxLayers.Concat(b, p + ".concat", [x, y]);
            }
            if (k < o.BlockSizes.Count - 1)
            {
                string t = $"features.transition{k}";
                x = BnReluConv(b, w, t, "bn", "relu", "conv", x, 0);
                x = OnnxLayers.AveragePool(b, t + ".pool", x, kernel: 2, stride: 2);
            }
        }
        x = OnnxLayers.Norm(b, w, "features.bn", x, NormalizationKind.Batch, 0);
        return b.Node("Relu", "features.relu", [x]);
    }

    /// <summary><see cref="InceptionClassifier"/>'s stages of inception modules with max-pools between them, after the stem.</summary>
    private static string InceptionStages(OnnxGraphBuilder b, StateDictReader w, InceptionOptions o, string x)
    {
        for (int s = 0; s < o.ModulesPerStage.Count; s++)
        {
            if (s > 0) x = OnnxLayers.MaxPool(b, $"stages.pool{s}", x, kernel: 3, stride: 2, padding: 1);
            for (int m = 0; m < o.ModulesPerStage[s]; m++)
            {
                string p = $"stages.s{s}m{m}";
                string one = ConvBnRelu(b, w, p + ".b1.conv", p + ".b1.conv_bn", p + ".b1.conv_relu", x, 1, 0);
                string three = ConvBnRelu(b, w, p + ".b3.reduce", p + ".b3.reduce_bn", p + ".b3.reduce_relu", x, 1, 0);
                three = ConvBnRelu(b, w, p + ".b3.conv", p + ".b3.conv_bn", p + ".b3.conv_relu", three, 1, 1);
                string five = ConvBnRelu(b, w, p + ".b5.reduce", p + ".b5.reduce_bn", p + ".b5.reduce_relu", x, 1, 0);
                five = ConvBnRelu(b, w, p + ".b5.conv", p + ".b5.conv_bn", p + ".b5.conv_relu", five, 1, 2);
                string pool = OnnxLayers.MaxPool(b, p + ".bpool.pool", x, kernel: 3, stride: 1, padding: 1);
                pool = ConvBnRelu(b, w, p + ".bpool.conv", p + ".bpool.conv_bn", p + ".bpool.conv_relu", pool, 1, 0);
                x = OnnxLayers.Concat(b, p + ".concat", [one, three, five, pool]);
            }
        }
        return x;
    }

    /// <summary>
    /// Wraps the exported ONNX model <paramref name="onnxPath"/> in an ML.NET model (<c>ApplyOnnxModel</c> over its
    /// bytes, fitted on an empty data view, saved with <c>mlContext.Model.Save</c>) and writes it to
    /// <paramref name="zipPath"/>, atomically. An application loads it with <c>mlContext.Model.Load</c> and needs only
    /// Microsoft.ML and Microsoft.ML.OnnxTransformer: input column <c>image</c> (float vector of Size·Size, one
    /// preprocessed slice per row), output columns named as the ONNX outputs (one slice's values per row).
    /// </summary>
    public static void SaveAsMLNetModel(string onnxPath, string zipPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        ArgumentException.ThrowIfNullOrEmpty(zipPath);
        var info = OnnxModelInfo.Read(onnxPath);
        if (info.InputShape.Count != 4 || info.InputShape.Skip(1).Any(d => d is null or <= 0))
            throw new MLCardiacException($"{onnxPath}: input '{info.InputName}' has shape [{string.Join(", ", info.InputShape.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?"))}]; an ML.NET model needs [N, C, H, W] with C, H and W fixed.");
        var ml = new MLContext(seed: 1);
        int inChannels = checked((int)info.InputShape[1]!.Value), height = checked((int)info.InputShape[2]!.Value), width = checked((int)info.InputShape[3]!.Value);
        var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(SliceRow));
        schema[nameof(SliceRow.Image)].ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, inChannels * height * width);
        schema[nameof(SliceRow.Image)].ColumnName = info.InputName;
        IDataView empty = ml.Data.LoadFromEnumerable(Array.Empty<SliceRow>(), schema);
        byte[] onnx = File.ReadAllBytes(onnxPath);
        using var stream = new MemoryStream(onnx, writable: false);
        var estimator = ml.Transforms.ApplyOnnxModel(info.OutputNames.ToArray(), [info.InputName], stream,
            new Dictionary<string, int[]> { [info.InputName] = [1, inChannels, height, width] }, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100);
        ITransformer transformer = estimator.Fit(empty);
        AtomicFile.Write(zipPath, s => ml.Model.Save(transformer, empty.Schema, s));
        (transformer as IDisposable)?.Dispose();
    }

    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static string Sha256(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    /// <summary>The version written as the models' producer_version.</summary>
    public static string ProducerVersion =>
        typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";

    private sealed class SliceRow
    {
        public float[] Image { get; set; } = [];
    }

    /// <summary>The input <c>image</c> float [batch, channels, depth, size, size] of a 3D network: a stack of <paramref name="depth"/> slices.</summary>
    private static string VolumeInput(OnnxGraphBuilder b, int channels, int depth, int size)
    {
        b.Graph.Input.Add(Value(OnnxExportOptions.InputName, DataType.Float, [null, channels, depth, size, size], OnnxExportOptions.BatchDimension));
        return OnnxExportOptions.InputName;
    }

    private static string Input(OnnxGraphBuilder b, int channels, int size, bool normalize)
    {
        b.Graph.Input.Add(Value(OnnxExportOptions.InputName, DataType.Float, [null, channels, size, size], OnnxExportOptions.BatchDimension));
        if (!normalize) return OnnxExportOptions.InputName;
        // Per-slice (per-channel) z-score: instance normalisation with unit scale and zero shift.
        return b.Node("InstanceNormalization", "input_normalization",
            [OnnxExportOptions.InputName, b.Constant("input_normalization.scale", Enumerable.Repeat(1f, channels).ToArray(), channels),
             b.Constant("input_normalization.bias", new float[channels], channels)],
            Float("epsilon", OnnxLayers.NormEpsilon));
    }

    /// <summary>
    /// Whether a decoder stage's first convolution is written as two convolutions — one over the up-sampled input, one
    /// over the skip connection — whose sum is the convolution over their concatenation. ONNX Runtime then runs both
    /// in its blocked (NCHWc) layout and accumulates the second into the first, the skip reuses the blocked copy the
    /// encoder's next convolution already made, and neither the Concat nor the reordering of its output remains
    /// (Onnx/README.md, "Speed"). Only with instance normalisation, the default and what was measured: batch
    /// normalisation is folded into a single preceding Conv by ONNX Runtime and would lose that. Not in int8 graphs,
    /// whose quantized convolutions are calibrated on the concatenation.
    /// </summary>
    private static bool SplitSkipConvolution(UNetOptions o, OnnxExportOptions options, Int8Quantization? int8) =>
        int8 is null && !options.ConcatSkips && o.Normalization == NormalizationKind.Instance;

    private static string UNetStage(OnnxGraphBuilder b, StateDictReader w, UNetOptions o, string prefix, string x, int stride, bool firstConvDone = false)
    {
        if (!firstConvDone) x = OnnxLayers.Conv(b, w, prefix + ".conv0", x, stride, 1);
        x = OnnxLayers.Norm(b, w, prefix + ".norm0", x, o.Normalization, o.Groups);
        x = OnnxLayers.Activation(b, prefix + ".act0", x, o.Activation);
        // Dropout (prefix.drop) is the identity at inference.
        x = OnnxLayers.Conv(b, w, prefix + ".conv1", x, 1, 1);
        x = OnnxLayers.Norm(b, w, prefix + ".norm1", x, o.Normalization, o.Groups);
        return OnnxLayers.Activation(b, prefix + ".act1", x, o.Activation);
    }

    private static void Outputs(OnnxGraphBuilder b, string logits, OnnxOutputs outputs, long?[] logitShape)
    {
        string batch = OnnxExportOptions.BatchDimension;
        if (outputs.HasFlag(OnnxOutputs.Logits))
        {
            b.NodeNamed("Identity", "logits", [logits], OnnxExportOptions.LogitsName);
            b.Graph.Output.Add(Value(OnnxExportOptions.LogitsName, DataType.Float, logitShape, batch));
        }
        if (outputs.HasFlag(OnnxOutputs.Probabilities))
        {
            b.NodeNamed("Softmax", "softmax", [logits], OnnxExportOptions.ProbabilitiesName, Int("axis", 1));
            b.Graph.Output.Add(Value(OnnxExportOptions.ProbabilitiesName, DataType.Float, logitShape, batch));
        }
        if (outputs.HasFlag(OnnxOutputs.Labels))
        {
            b.NodeNamed("ArgMax", "argmax", [logits], OnnxExportOptions.LabelsName, Int("axis", 1), Int("keepdims", 0));
            long?[] labelShape = [logitShape[0], .. logitShape[2..]];
            b.Graph.Output.Add(Value(OnnxExportOptions.LabelsName, DataType.Int64, labelShape, batch));
        }
    }

    private static Dictionary<string, string> CommonMetadata(string kind, IReadOnlyList<string> labels, PreprocessingOptions p, int size, bool normalizeInGraph) => new(StringComparer.Ordinal)
    {
        [OnnxModelMetadata.Kind] = kind,
        [OnnxModelMetadata.Labels] = string.Join(",", labels.Select((l, i) => $"{i}:{l}")),
        [OnnxModelMetadata.SpacingMm] = p.SpacingMm.ToString("R", CultureInfo.InvariantCulture),
        [OnnxModelMetadata.Size] = size.ToString(CultureInfo.InvariantCulture),
        [OnnxModelMetadata.ClipPercentiles] = FormattableString.Invariant($"{p.ClipLowPercentile:R},{p.ClipHighPercentile:R}"),
        [OnnxModelMetadata.InputNormalization] = normalizeInGraph ? OnnxModelMetadata.NormalizationInGraph : OnnxModelMetadata.NormalizationByCaller,
    };

    private static byte[] Model(OnnxGraphBuilder b, int opset, Dictionary<string, string> metadata, string doc)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = OnnxModelMetadata.ProducerName,
            ProducerVersion = ProducerVersion,
            Domain = "org.mlcardiac",
            ModelVersion = 1,
            DocString = doc,
            Graph = b.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model.ToByteArray();
    }
}
