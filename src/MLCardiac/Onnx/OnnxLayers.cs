using MLCardiac.Models;
using MLCardiac.Onnx.Protobuf;
using static MLCardiac.Onnx.OnnxGraphBuilder;

namespace MLCardiac.Onnx;

/// <summary>The ONNX form of each layer our networks use, with the weights read from the state dict.</summary>
internal static class OnnxLayers
{
    /// <summary>TorchSharp's default epsilon for batch, instance and group normalisation.</summary>
    public const float NormEpsilon = 1e-5f;

    /// <summary>2D convolution, square kernel; bias when the layer has one.</summary>
    public static string Conv(OnnxGraphBuilder b, StateDictReader w, string prefix, string x, int stride, int padding) =>
        Conv(b, w, prefix, x, [stride, stride], [padding, padding]);

    /// <summary>
    /// Convolution of any spatial rank (2D, 3D: the kernel is the weight's shape), with <paramref name="strides"/> and
    /// symmetric <paramref name="pads"/> per spatial axis; bias when the layer has one.
    /// </summary>
    public static string Conv(OnnxGraphBuilder b, StateDictReader w, string prefix, string x, long[] strides, long[] pads)
    {
        var (weight, shape) = w[prefix + ".weight"];
        if (shape.Length != strides.Length + 2 || pads.Length != strides.Length)
            throw new MLCardiacException($"ONNX export: {prefix} has a weight of shape [{string.Join(", ", shape)}]; {strides.Length} strides and {pads.Length} pads were given.");
        AttributeProto[] attributes =
        [
            Ints("kernel_shape", shape[2..]), Ints("strides", strides),
            Ints("pads", [.. pads, .. pads]), Ints("dilations", [.. strides.Select(_ => 1L)]), Int("group", 1),
        ];
        if (b.Int8 is { } int8 && shape.Length == 4 && Int8Quantization.Quantizes(prefix, shape[1], shape[2]))
            return int8.Conv(b, prefix, x, weight, shape, w.Has(prefix + ".bias") ? w[prefix + ".bias"].Item1 : null, attributes);
        var inputs = new List<string> { x, b.Constant(prefix + ".weight", weight, shape) };
        if (w.Has(prefix + ".bias"))
        {
            var (bias, biasShape) = w[prefix + ".bias"];
            inputs.Add(b.Constant(prefix + ".bias", bias, biasShape));
        }
        return b.Node("Conv", prefix, inputs, attributes);
    }

    /// <summary>
    /// A 3×3, stride-1 convolution over <c>Concat(up, skip)</c> (channel axis) written as <c>Conv(up, W_up) +
    /// Conv(skip, W_skip, bias)</c>, W split along its input channels: the same sum of products, without the Concat.
    /// </summary>
    public static string ConvOverConcat(OnnxGraphBuilder b, StateDictReader w, string prefix, string up, string skip)
    {
        var (weight, shape) = w[prefix + ".weight"];
        long outChannels = shape[0], inChannels = shape[1], kernel = shape[2] * shape[3];
        if (inChannels % 2 != 0) throw new MLCardiacException($"ONNX export: {prefix} has {inChannels} input channels; a U-Net decoder concatenates two halves.");
        long half = inChannels / 2;
        float[] upWeight = new float[outChannels * half * kernel], skipWeight = new float[outChannels * half * kernel];
        for (long o = 0; o < outChannels; o++)
        {
            Array.Copy(weight, o * inChannels * kernel, upWeight, o * half * kernel, half * kernel);
            Array.Copy(weight, (o * inChannels + half) * kernel, skipWeight, o * half * kernel, half * kernel);
        }
        AttributeProto[] attributes =
        [
            Ints("kernel_shape", shape[2], shape[3]), Ints("strides", 1, 1),
            Ints("pads", 1, 1, 1, 1), Ints("dilations", 1, 1), Int("group", 1),
        ];
        string fromUp = b.Node("Conv", prefix + ".up", [up, b.Constant(prefix + ".weight_up", upWeight, outChannels, half, shape[2], shape[3])], attributes);
        var inputs = new List<string> { skip, b.Constant(prefix + ".weight_skip", skipWeight, outChannels, half, shape[2], shape[3]) };
        if (w.Has(prefix + ".bias"))
        {
            var (bias, biasShape) = w[prefix + ".bias"];
            inputs.Add(b.Constant(prefix + ".bias", bias, biasShape));
        }
        string fromSkip = b.Node("Conv", prefix + ".skip", inputs, attributes);
        return b.Node("Add", prefix, [fromUp, fromSkip]);
    }

    /// <summary>
    /// Transposed convolution with kernel = stride (the U-Nets' up-sampling, 2D or 3D); TorchSharp's weight layout
    /// [in, out, k…] is ONNX's.
    /// </summary>
    public static string ConvTranspose(OnnxGraphBuilder b, StateDictReader w, string prefix, string x)
    {
        var (weight, shape) = w[prefix + ".weight"];
        var inputs = new List<string> { x, b.Constant(prefix + ".weight", weight, shape) };
        if (w.Has(prefix + ".bias"))
        {
            var (bias, biasShape) = w[prefix + ".bias"];
            inputs.Add(b.Constant(prefix + ".bias", bias, biasShape));
        }
        return b.Node("ConvTranspose", prefix, inputs,
            Ints("kernel_shape", shape[2..]), Ints("strides", shape[2..]), Ints("pads", new long[2 * (shape.Length - 2)]));
    }

    /// <summary>
    /// Normalisation of <paramref name="kind"/> in inference form (batch norm with its running statistics) over
    /// <paramref name="spatialDims"/> spatial axes (2 for slices, 3 for stacks).
    /// </summary>
    public static string Norm(OnnxGraphBuilder b, StateDictReader w, string prefix, string x, NormalizationKind kind, int groups, int spatialDims = 2)
    {
        var (scale, shape) = w[prefix + ".weight"];
        var (bias, _) = w[prefix + ".bias"];
        long channels = shape[0];
        switch (kind)
        {
            case NormalizationKind.Instance:
                return b.Node("InstanceNormalization", prefix,
                    [x, b.Constant(prefix + ".weight", scale, channels), b.Constant(prefix + ".bias", bias, channels)],
                    Float("epsilon", NormEpsilon));
            case NormalizationKind.Batch:
                var (mean, _) = w[prefix + ".running_mean"];
                var (variance, _) = w[prefix + ".running_var"];
                return b.Node("BatchNormalization", prefix,
                    [x, b.Constant(prefix + ".weight", scale, channels), b.Constant(prefix + ".bias", bias, channels),
                     b.Constant(prefix + ".running_mean", mean, channels), b.Constant(prefix + ".running_var", variance, channels)],
                    Float("epsilon", NormEpsilon), Float("momentum", 0.9f));
            case NormalizationKind.Group:
                return GroupNorm(b, prefix, x, scale, bias, channels, groups, spatialDims);
            default:
                throw new MLCardiacException($"ONNX export: normalisation {kind} is not supported.");
        }
    }

    /// <summary>
    /// Group normalisation as reshape [N, G, C/G·H·W] → instance normalisation without affine → reshape back →
    /// per-channel scale and shift. (Opset 18's GroupNormalization had a per-group scale, changed in opset 21;
    /// the decomposition means the same in every opset and every runtime.)
    /// </summary>
    private static string GroupNorm(OnnxGraphBuilder b, string prefix, string x, float[] scale, float[] bias, long channels, int groups, int spatialDims)
    {
        long[] perChannel = PerChannel(channels, spatialDims);
        string shape = b.Node("Shape", prefix + ".shape", [x]);
        string grouped = b.Node("Reshape", prefix + ".grouped", [x, b.Int64Vector(prefix + ".grouped_shape", 0, groups, -1)]);
        float[] ones = Enumerable.Repeat(1f, groups).ToArray();
        string normalized = b.Node("InstanceNormalization", prefix + ".normalized",
            [grouped, b.Constant(prefix + ".unit_scale", ones, groups), b.Constant(prefix + ".zero_bias", new float[groups], groups)],
            Float("epsilon", NormEpsilon));
        string restored = b.Node("Reshape", prefix + ".restored", [normalized, shape]);
        string scaled = b.Node("Mul", prefix + ".scaled", [restored, b.Constant(prefix + ".weight", scale, perChannel)]);
        return b.Node("Add", prefix, [scaled, b.Constant(prefix + ".bias", bias, perChannel)]);
    }

    /// <summary>
    /// PReLU with one slope per channel (TorchSharp's <c>PReLU(C)</c>, weight [C]), its slope stored as [C, 1, …] so that
    /// it broadcasts over the <paramref name="spatialDims"/> spatial axes of [N, C, …].
    /// </summary>
    public static string PRelu(OnnxGraphBuilder b, StateDictReader w, string prefix, string x, int spatialDims)
    {
        var (slope, shape) = w[prefix + ".weight"];
        if (shape.Length != 1) throw new MLCardiacException($"ONNX export: {prefix}.weight has shape [{string.Join(", ", shape)}]; one slope per channel was expected.");
        return b.Node("PRelu", prefix, [x, b.Constant(prefix + ".weight", slope, PerChannel(shape[0], spatialDims))]);
    }

    /// <summary>The shape [C, 1, …] of a per-channel constant that broadcasts over [N, C] and <paramref name="spatialDims"/> spatial axes.</summary>
    private static long[] PerChannel(long channels, int spatialDims) => [channels, .. Enumerable.Repeat(1L, spatialDims)];

    /// <summary>Concatenation along the channel axis (DenseNet's dense connections, the inception branches).</summary>
    public static string Concat(OnnxGraphBuilder b, string name, IReadOnlyList<string> inputs) =>
        b.Node("Concat", name, [.. inputs], Int("axis", 1));

    /// <summary>Square average pooling without padding, floor mode (DenseNet's transition layers: PyTorch's <c>AvgPool2d(k, stride)</c>).</summary>
    public static string AveragePool(OnnxGraphBuilder b, string name, string x, int kernel, int stride) =>
        b.Node("AveragePool", name, [x], Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride),
            Ints("pads", 0, 0, 0, 0), Int("ceil_mode", 0));

    /// <summary>Square max pooling, floor mode; padding never wins the maximum (as PyTorch's −∞ padding).</summary>
    public static string MaxPool(OnnxGraphBuilder b, string name, string x, int kernel, int stride, int padding) =>
        b.Node("MaxPool", name, [x], Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride),
            Ints("pads", padding, padding, padding, padding), Int("ceil_mode", 0));

    /// <summary>The activation of <paramref name="kind"/> (leaky ReLU with slope 0.01, as <see cref="UNet2d"/> builds it).</summary>
    public static string Activation(OnnxGraphBuilder b, string name, string x, ActivationKind kind) => kind switch
    {
        ActivationKind.LeakyReLU => b.Node("LeakyRelu", name, [x], Float("alpha", 0.01f)),
        ActivationKind.ReLU => b.Node("Relu", name, [x]),
        _ => throw new MLCardiacException($"ONNX export: activation {kind} is not supported."),
    };
}
