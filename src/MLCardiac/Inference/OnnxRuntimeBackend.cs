using System.Buffers;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLCardiac.Inference;

/// <summary>
/// Runs an ONNX segmentation model with ONNX Runtime: slices in as float [N, 1, S, S] (or [N, S, S]), the chosen
/// output read as logits, probabilities or labels and mapped onto our labels 0..3.
/// </summary>
public sealed class OnnxRuntimeBackend : ISegmentationBackend
{
    private const int OurClasses = 4;
    private readonly InferenceSession _session;
    private readonly string _input, _output;
    private readonly bool _inputHasChannel;
    private readonly OnnxOutputKind _kind;
    private readonly int[]? _labelMap;
    private readonly int _concurrentRuns;

    /// <summary>
    /// Opens <paramref name="onnxPath"/>; throws <see cref="MLCardiacException"/> naming the file when it is missing, not
    /// an ONNX model ONNX Runtime can load, or has no input/output that fits <paramref name="options"/>.
    /// </summary>
    public OnnxRuntimeBackend(string onnxPath, OnnxSegmentationOptions? options = null)
        : this(onnxPath, null, options)
    {
    }

    /// <summary>
    /// Opens an ONNX model held in memory (for example one just exported, or read from a model container);
    /// <paramref name="name"/> stands for it in messages and <see cref="Path"/>. Throws <see cref="MLCardiacException"/>
    /// naming it when ONNX Runtime cannot load the bytes or the model has no input/output that fits <paramref name="options"/>.
    /// </summary>
    public OnnxRuntimeBackend(byte[] model, string name, OnnxSegmentationOptions? options = null)
        : this(name, model ?? throw new ArgumentNullException(nameof(model)), options)
    {
    }

    private OnnxRuntimeBackend(string onnxPath, byte[]? model, OnnxSegmentationOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        options ??= new OnnxSegmentationOptions();
        _concurrentRuns = options.Runtime.Runs;
        if (model is null && !File.Exists(onnxPath)) throw new MLCardiacException($"{onnxPath}: no such ONNX file.");
        using (SessionOptions so = options.Runtime.ToSessionOptions())
        {
            try
            {
                _session = model is null ? new InferenceSession(onnxPath, so) : new InferenceSession(model, so);
            }
            catch (OnnxRuntimeException e)
            {
                throw new MLCardiacException($"{onnxPath}: ONNX Runtime cannot load this model ({FirstLine(e.Message)}).", e);
            }
        }
        try
        {
            Path = onnxPath;
            _input = options.InputName ?? _session.InputMetadata.Keys.First();
            if (!_session.InputMetadata.TryGetValue(_input, out NodeMetadata? inputMeta))
                throw new MLCardiacException($"{onnxPath}: the model has no input '{_input}' (inputs: {string.Join(", ", _session.InputMetadata.Keys)}).");
            if (inputMeta.ElementDataType != TensorElementType.Float || inputMeta.Dimensions.Length is not (3 or 4) || (inputMeta.Dimensions.Length == 4 && inputMeta.Dimensions[1] is not (1 or -1)))
                throw new MLCardiacException($"{onnxPath}: input '{_input}' is {inputMeta.ElementDataType} [{string.Join(", ", inputMeta.Dimensions)}]; a float [N, 1, H, W] or [N, H, W] slice input is needed.");
            _inputHasChannel = inputMeta.Dimensions.Length == 4;
            InputDimensions = inputMeta.Dimensions;

            var outputs = _session.OutputMetadata;
            _output = options.OutputName
                ?? (outputs.ContainsKey("probabilities") ? "probabilities" : outputs.ContainsKey("logits") ? "logits" : outputs.Keys.First());
            if (!outputs.TryGetValue(_output, out NodeMetadata? outputMeta))
                throw new MLCardiacException($"{onnxPath}: the model has no output '{_output}' (outputs: {string.Join(", ", outputs.Keys)}).");
            _kind = options.OutputKind;
            if (_kind == OnnxOutputKind.Auto)
                _kind = outputMeta.ElementDataType != TensorElementType.Float ? OnnxOutputKind.Labels
                    : _output == "probabilities" ? OnnxOutputKind.Probabilities
                    : outputMeta.Dimensions.Length == 4 && outputMeta.Dimensions[1] != 1 ? OnnxOutputKind.Logits
                    : OnnxOutputKind.Labels;
            _labelMap = options.CheckedLabelMap();
            if (_kind != OnnxOutputKind.Labels && outputMeta.Dimensions.Length == 4 && outputMeta.Dimensions[1] > 0)
            {
                ModelClasses = checked((int)outputMeta.Dimensions[1]);
                if (_labelMap is not null && _labelMap.Length != ModelClasses)
                    throw new MLCardiacException($"{onnxPath}: output '{_output}' has {ModelClasses} classes but the label map has {_labelMap.Length} entries.");
                if (_labelMap is null && ModelClasses > OurClasses)
                    throw new MLCardiacException($"{onnxPath}: output '{_output}' has {ModelClasses} classes; give a label map onto our 4 labels (0 background, 1 LV, 2 MYO, 3 RV).");
            }
            Metadata = _session.ModelMetadata.CustomMetadataMap;
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The ONNX file (or the name given to a model opened from memory).</summary>
    public string Path { get; }

    /// <summary>The input's declared dimensions (−1 for dynamic ones).</summary>
    public IReadOnlyList<int> InputDimensions { get; }

    /// <summary>The model's class count on its class axis (0 when the output holds labels).</summary>
    public int ModelClasses { get; }

    /// <summary>The model's metadata_props (MLCardiac's keys are in <see cref="OnnxModelMetadata"/>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <inheritdoc />
    public string Name => Metadata.ContainsKey(OnnxModelMetadata.Quantization) ? "ONNX Runtime, int8" : "ONNX Runtime";

    /// <inheritdoc />
    public int Classes => OurClasses;

    /// <inheritdoc />
    public void Predict(ReadOnlySpan<float> slices, int count, int size, Span<float> probabilities)
    {
        int px = size * size;
        if (slices.Length != count * px) throw new ArgumentException($"Expected {count}×{size}×{size} values, got {slices.Length}.", nameof(slices));
        if (probabilities.Length != count * OurClasses * px) throw new ArgumentException($"Expected room for {count}×{OurClasses}×{size}×{size} values, got {probabilities.Length}.", nameof(probabilities));
        probabilities.Clear();
        int parts = Math.Min(_concurrentRuns, count);
        if (parts <= 1)
        {
            PredictPart(slices, count, size, probabilities);
            return;
        }
        // Slices are independent: each part runs on its own thread (the session is safe to run concurrently) and
        // writes its own range of the output. Spans cannot enter a lambda, so the parts see the buffers by address.
        unsafe
        {
            fixed (float* input = slices)
            fixed (float* output = probabilities)
            {
                nint inputAddress = (nint)input, outputAddress = (nint)output;
                int per = (count + parts - 1) / parts;
                Parallel.For(0, (count + per - 1) / per, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
                {
                    int first = part * per, n = Math.Min(per, count - first);
                    PredictPart(new ReadOnlySpan<float>((float*)inputAddress + (long)first * px, n * px), n, size,
                        new Span<float>((float*)outputAddress + (long)first * OurClasses * px, n * OurClasses * px));
                });
            }
        }
    }

    /// <summary>One ONNX Runtime run over <paramref name="count"/> slices; <paramref name="probabilities"/> is zero on entry.</summary>
    private unsafe void PredictPart(ReadOnlySpan<float> slices, int count, int size, Span<float> probabilities)
    {
        int px = size * size;
        long[] shape = _inputHasChannel ? [count, 1, size, size] : [count, size, size];
        IDisposableReadOnlyCollection<OrtValue> results;
        // The input is read in place (pinned for the run), not copied into a managed tensor.
        fixed (float* input = slices)
        {
            using OrtValue value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, (nint)input, (long)slices.Length * sizeof(float));
            using var runOptions = new RunOptions();
            results = _session.Run(runOptions, [_input], [value], [_output]);
        }
        using (results)
        {
            OrtValue result = results[0];
            long[] outShape = result.GetTensorTypeAndShape().Shape;
            if (_kind == OnnxOutputKind.Labels) Labels(result, outShape, count, px, probabilities);
            else Scores(result.GetTensorDataAsSpan<float>(), outShape, count, px, probabilities);
        }
    }

    private void Scores(ReadOnlySpan<float> scores, long[] shape, int count, int px, Span<float> probabilities)
    {
        if (shape.Length != 4 || shape[0] != count || shape[2] * shape[3] != px)
            throw new MLCardiacException($"{Path}: output '{_output}' has shape [{string.Join(", ", shape)}]; expected [{count}, K, H, W] with H·W = {px}.");
        int k = checked((int)shape[1]);
        if (_labelMap is not null && _labelMap.Length != k) throw new MLCardiacException($"{Path}: output '{_output}' has {k} classes; the label map has {_labelMap.Length}.");
        if (_labelMap is null && k > OurClasses) throw new MLCardiacException($"{Path}: output '{_output}' has {k} classes; give a label map onto our 4 labels.");
        if (_kind != OnnxOutputKind.Logits)
        {
            for (int n = 0; n < count; n++)
                for (int c = 0; c < k; c++)
                {
                    Span<float> plane = probabilities.Slice((n * OurClasses + Map(c)) * px, px);
                    TensorPrimitives.Add(plane, scores.Slice((n * k + c) * px, px), plane);
                }
            return;
        }
        // Softmax over the class planes, a plane at a time (vectorised): p_c = exp(l_c − max) / Σ_j exp(l_j − max).
        float[] work = ArrayPool<float>.Shared.Rent((k + 2) * px);
        try
        {
            Span<float> max = work.AsSpan(0, px), sum = work.AsSpan(px, px);
            for (int n = 0; n < count; n++)
            {
                ReadOnlySpan<float> src = scores.Slice(n * k * px, k * px);
                src.Slice(0, px).CopyTo(max);
                for (int c = 1; c < k; c++) TensorPrimitives.Max(max, src.Slice(c * px, px), max);
                sum.Clear();
                for (int c = 0; c < k; c++)
                {
                    Span<float> e = work.AsSpan((2 + c) * px, px);
                    TensorPrimitives.Subtract(src.Slice(c * px, px), max, e);
                    TensorPrimitives.Exp(e, e);
                    TensorPrimitives.Add(sum, e, sum);
                }
                TensorPrimitives.Reciprocal(sum, sum);
                for (int c = 0; c < k; c++)
                {
                    Span<float> e = work.AsSpan((2 + c) * px, px), plane = probabilities.Slice((n * OurClasses + Map(c)) * px, px);
                    TensorPrimitives.Multiply(e, sum, e);
                    TensorPrimitives.Add(plane, e, plane);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(work);
        }
    }

    private int Map(int c) => _labelMap is null ? c : _labelMap[c];

    private void Labels(OrtValue result, long[] shape, int count, int px, Span<float> probabilities)
    {
        long total = shape.Aggregate(1L, (a, b) => a * b);
        if (shape.Length is < 3 or > 4 || shape[0] != count || total != (long)count * px)
            throw new MLCardiacException($"{Path}: output '{_output}' has shape [{string.Join(", ", shape)}]; labels [{count}, H, W] with H·W = {px} were expected.");
        TensorElementType type = result.GetTensorTypeAndShape().ElementDataType;
        long[] labels = type switch
        {
            TensorElementType.Int64 => result.GetTensorDataAsSpan<long>().ToArray(),
            TensorElementType.Int32 => Array.ConvertAll(result.GetTensorDataAsSpan<int>().ToArray(), v => (long)v),
            TensorElementType.UInt8 => Array.ConvertAll(result.GetTensorDataAsSpan<byte>().ToArray(), v => (long)v),
            TensorElementType.Float => Array.ConvertAll(result.GetTensorDataAsSpan<float>().ToArray(), v => (long)MathF.Round(v)),
            _ => throw new MLCardiacException($"{Path}: output '{_output}' holds {type}; labels must be integers or floats."),
        };
        for (int n = 0; n < count; n++)
        {
            for (int i = 0; i < px; i++)
            {
                long l = labels[n * px + i];
                int ours = _labelMap is null ? (l is >= 0 and < OurClasses ? (int)l : -1) : (l >= 0 && l < _labelMap.Length ? _labelMap[l] : -1);
                if (ours < 0) throw new MLCardiacException($"{Path}: output '{_output}' has label {l}, which the label map does not cover.");
                probabilities[(n * OurClasses + ours) * px + i] = 1;
            }
        }
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
