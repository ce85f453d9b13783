using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLCardiac.Inference;
using MLCardiac.Onnx.Protobuf;
using static MLCardiac.Onnx.OnnxGraphBuilder;
using DataType = MLCardiac.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLCardiac.Onnx;

/// <summary>
/// Static int8 quantization of the U-Net's 3×3 convolutions in the ONNX "QDQ" form: each convolution reads
/// <c>DequantizeLinear(QuantizeLinear(x))</c> with a uint8 activation scale calibrated on real slices, an int8 weight
/// quantized symmetrically per output channel, an int32 bias, and its output passes through QuantizeLinear /
/// DequantizeLinear with its own calibrated scale. ONNX Runtime fuses each such group into one integer
/// <c>QLinearConv</c> (VNNI on x86-64); every other operator (normalisation, activation, up-sampling, the 1×1 head)
/// stays float32, and so do the first convolution (one input channel, under 1 % of the arithmetic, kept exact
/// on the image) and the transposed convolutions (ONNX Runtime does not fuse those).
/// </summary>
/// <remarks>
/// Calibration is min/max over every calibration slice (ONNX Runtime's own default, <c>CalibrationMethod.MinMax</c>):
/// the fp32 graph is built once more with each quantized convolution's input and output as extra graph outputs,
/// run on the slices, and the observed range — widened to include 0 so that zero padding is exact — gives
/// scale = (max − min) / 255 and zero point = round(−min / scale). The same builder code emits both graphs, so the
/// names line up by layer.
/// </remarks>
internal sealed class Int8Quantization
{
    private readonly Dictionary<string, (string Input, string Output)> _taps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (float Min, float Max)> _ranges = new(StringComparer.Ordinal);

    private Int8Quantization(bool calibrating) => Calibrating = calibrating;

    /// <summary>True while the fp32 graph with extra outputs is built; false when the QDQ graph is emitted.</summary>
    public bool Calibrating { get; }

    /// <summary>Number of slices the ranges were observed on.</summary>
    public int CalibrationSlices { get; private set; }

    /// <summary>Layers quantized (weight prefixes), in graph order.</summary>
    public IReadOnlyCollection<string> Layers => _taps.Keys;

    /// <summary>Whether the convolution <paramref name="prefix"/> is quantized: every 3×3 convolution but the very first.</summary>
    public static bool Quantizes(string prefix, long inChannels, long kernel) => kernel == 3 && !(prefix == "encoder.0.conv0" && inChannels == 1);

    /// <summary>
    /// Builds the graph twice with <paramref name="build"/>: once to observe activation ranges on
    /// <paramref name="slices"/> (<paramref name="count"/> × <paramref name="size"/>² floats, preprocessed), once to emit the QDQ model.
    /// </summary>
    public static (OnnxGraphBuilder Graph, Int8Quantization Plan) Build(Func<Int8Quantization, OnnxGraphBuilder> build, ReadOnlyMemory<float> slices, int count, int size, CancellationToken cancellationToken = default)
    {
        if (count < 1 || slices.Length != (long)count * size * size)
            throw new MLCardiacException($"int8 calibration: {slices.Length} values are not {count} slices of {size}×{size}.");
        var calibration = new Int8Quantization(calibrating: true);
        OnnxGraphBuilder probe = build(calibration);
        foreach (var (input, output) in calibration._taps.Values)
            foreach (string name in new[] { input, output })
                if (probe.Graph.Output.All(o => o.Name != name)) probe.Graph.Output.Add(UnshapedFloat(name));
        calibration.Observe(probe, slices, count, size, cancellationToken);

        var plan = new Int8Quantization(calibrating: false) { CalibrationSlices = count };
        foreach (var (layer, (input, output)) in calibration._taps)
        {
            plan._ranges[layer + ":in"] = calibration._ranges[input];
            plan._ranges[layer + ":out"] = calibration._ranges[output];
        }
        OnnxGraphBuilder graph = build(plan);
        foreach (string layer in plan._taps.Keys)
            if (!calibration._taps.ContainsKey(layer)) throw new InvalidOperationException($"int8 export: layer {layer} was not calibrated.");
        return (graph, plan);
    }

    private static ValueInfoProto UnshapedFloat(string name) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } } };

    private void Observe(OnnxGraphBuilder probe, ReadOnlyMemory<float> slices, int count, int size, CancellationToken cancellationToken)
    {
        var model = new ModelProto { IrVersion = OnnxExporter.IrVersion, Graph = probe.Graph, ProducerName = OnnxModelMetadata.ProducerName };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExporter.DefaultOpset });
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        using var session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(model), options);
        string[] names = _taps.Values.SelectMany(t => new[] { t.Input, t.Output }).Distinct(StringComparer.Ordinal).ToArray();
        foreach (string n in names) _ranges[n] = (0f, 0f); // 0 is always representable (zero padding)
        const int batch = 8;
        for (int start = 0; start < count; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(batch, count - start);
            var input = new DenseTensor<float>(slices.Slice(start * size * size, n * size * size).ToArray(), [n, 1, size, size]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExportOptions.InputName, input)], names);
            foreach (var r in results)
            {
                var (min, max) = _ranges[r.Name];
                foreach (float v in r.AsEnumerable<float>())
                {
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
                _ranges[r.Name] = (min, max);
            }
        }
    }

    /// <summary>
    /// The convolution <paramref name="prefix"/> — while calibrating a plain float Conv whose input and output are
    /// recorded; otherwise its QDQ form with the calibrated scales.
    /// </summary>
    public string Conv(OnnxGraphBuilder b, string prefix, string x, float[] weight, long[] shape, float[]? bias, AttributeProto[] attributes)
    {
        if (Calibrating)
        {
            var inputs = new List<string> { x, b.Constant(prefix + ".weight", weight, shape) };
            if (bias is not null) inputs.Add(b.Constant(prefix + ".bias", bias, shape[0]));
            string y = b.Node("Conv", prefix, inputs, attributes);
            _taps[prefix] = (x, y);
            return y;
        }
        _taps[prefix] = (x, "");
        var (inScale, inZero) = Activation(_ranges[prefix + ":in"]);
        var (outScale, outZero) = Activation(_ranges[prefix + ":out"]);
        string xd = QuantizeDequantize(b, prefix + ".input", x, inScale, inZero);

        long cout = shape[0];
        long per = weight.Length / cout;
        var wq = new sbyte[weight.Length];
        var ws = new float[cout];
        for (long c = 0; c < cout; c++)
        {
            float m = 0;
            for (long i = 0; i < per; i++) m = MathF.Max(m, MathF.Abs(weight[c * per + i]));
            ws[c] = m > 0 ? m / 127f : 1f;
            for (long i = 0; i < per; i++) wq[c * per + i] = (sbyte)Math.Clamp(MathF.Round(weight[c * per + i] / ws[c]), -127f, 127f);
        }
        string wd = b.Node("DequantizeLinear", prefix + ".weight_dq",
            [b.IntegerConstant<sbyte>(prefix + ".weight_q", DataType.Int8, wq, shape), b.Constant(prefix + ".weight_scale", ws, cout),
             b.IntegerConstant<sbyte>(prefix + ".weight_zero", DataType.Int8, new sbyte[cout], cout)], Int("axis", 0));
        var convInputs = new List<string> { xd, wd };
        if (bias is not null)
        {
            var bq = new int[cout];
            var bs = new float[cout];
            for (long c = 0; c < cout; c++)
            {
                bs[c] = inScale * ws[c];
                bq[c] = (int)Math.Clamp(Math.Round(bias[c] / (double)bs[c]), int.MinValue, int.MaxValue);
            }
            convInputs.Add(b.Node("DequantizeLinear", prefix + ".bias_dq",
                [b.IntegerConstant<int>(prefix + ".bias_q", DataType.Int32, bq, cout), b.Constant(prefix + ".bias_scale", bs, cout),
                 b.IntegerConstant<int>(prefix + ".bias_zero", DataType.Int32, new int[cout], cout)], Int("axis", 0)));
        }
        string conv = b.Node("Conv", prefix, convInputs, attributes);
        return QuantizeDequantize(b, prefix + ".output", conv, outScale, outZero);
    }

    private static string QuantizeDequantize(OnnxGraphBuilder b, string name, string x, float scale, byte zero)
    {
        string s = b.Constant(name + "_scale", [scale]);
        string z = b.IntegerConstant<byte>(name + "_zero", DataType.Uint8, [zero]);
        string q = b.Node("QuantizeLinear", name + "_q", [x, s, z]);
        return b.Node("DequantizeLinear", name + "_dq", [q, s, z]);
    }

    /// <summary>Asymmetric uint8 scale and zero point covering [min, max] ∪ {0}.</summary>
    internal static (float Scale, byte Zero) Activation((float Min, float Max) range)
    {
        float min = MathF.Min(range.Min, 0), max = MathF.Max(range.Max, 0);
        if (!(max - min > 1e-12f)) return (1f, 0);
        float scale = (max - min) / 255f;
        return (scale, (byte)Math.Clamp(MathF.Round(-min / scale), 0f, 255f));
    }
}
