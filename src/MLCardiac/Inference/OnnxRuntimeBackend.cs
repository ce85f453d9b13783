using System.Buffers;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLCardiac.Models;

namespace MLCardiac.Inference;

/// <summary>
/// Runs an ONNX segmentation model with ONNX Runtime: slices in as float [N, 1, S, S] (or [N, S, S]), the chosen
/// output read as logits, probabilities or labels and mapped onto our labels 0..3. A model whose input is a stack
/// [N, 1, D, S, S] of fixed depth D (a 3D U-Net or V-Net) is given whole volumes (<see cref="WholeStack"/>) and run as
/// <see cref="SegmentationNetwork.StackLogits"/> runs the network: a short stack zero-padded to D, a deeper one in D-deep
/// windows (<see cref="SegmentationNetwork.WindowStarts"/>) whose softmax is weighted along the stack by
/// <see cref="SegmentationNetwork.ThroughPlaneGaussian"/> and normalised by the weights' sum.
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
    private readonly int _patchDepth;
    private readonly float[] _windowWeights = [];

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
            int rank = inputMeta.Dimensions.Length;
            if (inputMeta.ElementDataType != TensorElementType.Float || rank is not (3 or 4 or 5) || (rank >= 4 && inputMeta.Dimensions[1] is not (1 or -1)))
                throw new MLCardiacException($"{onnxPath}: input '{_input}' is {inputMeta.ElementDataType} [{string.Join(", ", inputMeta.Dimensions)}]; a float [N, 1, H, W] or [N, H, W] slice input, or a float [N, 1, D, H, W] stack input, is needed.");
            if (rank == 5)
            {
                _patchDepth = inputMeta.Dimensions[2];
                if (_patchDepth <= 0)
                    throw new MLCardiacException($"{onnxPath}: input '{_input}' is a stack [{string.Join(", ", inputMeta.Dimensions)}] of unspecified depth; the backend slides windows of the model's fixed depth through a volume, so the depth must be fixed.");
                _windowWeights = SegmentationNetwork.ThroughPlaneGaussian(_patchDepth);
            }
            _inputHasChannel = rank >= 4;
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
                    : outputMeta.Dimensions.Length == rank + (_inputHasChannel ? 0 : 1) && outputMeta.Dimensions[1] != 1 ? OnnxOutputKind.Logits
                    : OnnxOutputKind.Labels;
            _labelMap = options.CheckedLabelMap();
            if (_kind != OnnxOutputKind.Labels && outputMeta.Dimensions.Length is 4 or 5 && outputMeta.Dimensions[1] > 0)
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

    /// <summary>The slices of the model's input stack (its fixed depth D of [N, 1, D, H, W]); 0 for a slice model.</summary>
    public int PatchDepth => _patchDepth;

    /// <summary>True for a model whose input is a stack: <see cref="Predict"/> is then given every slice of one volume at once.</summary>
    public bool WholeStack => _patchDepth > 0;

    /// <inheritdoc />
    public void Predict(ReadOnlySpan<float> slices, int count, int size, Span<float> probabilities)
    {
        int px = size * size;
        if (slices.Length != count * px) throw new ArgumentException($"Expected {count}×{size}×{size} values, got {slices.Length}.", nameof(slices));
        if (probabilities.Length != count * OurClasses * px) throw new ArgumentException($"Expected room for {count}×{OurClasses}×{size}×{size} values, got {probabilities.Length}.", nameof(probabilities));
        probabilities.Clear();
        if (_patchDepth > 0)
        {
            PredictStack(slices, count, size, probabilities);
            return;
        }
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

    /// <summary>
    /// The probabilities of one volume's stack of <paramref name="count"/> slices from a stack model: each window of
    /// <see cref="SegmentationNetwork.WindowStarts"/> runs on its own (the windows at the same time, up to the concurrent
    /// runs the settings allow), then the windows' probabilities are summed in order, weighted along the stack by
    /// <see cref="SegmentationNetwork.ThroughPlaneGaussian"/>, and divided by the weights' sum per slice — the procedure of
    /// <see cref="SegmentationNetwork.StackLogits"/>. A stack of at most the patch depth is zero-padded and run once.
    /// </summary>
    private unsafe void PredictStack(ReadOnlySpan<float> slices, int count, int size, Span<float> probabilities)
    {
        int px = size * size, depth = _patchDepth, perSlice = OurClasses * px;
        IReadOnlyList<int> starts = SegmentationNetwork.WindowStarts(count, depth);
        float[]? padded = null;
        if (count < depth)
        {
            padded = new float[depth * px];
            slices.CopyTo(padded);
        }
        var windows = new float[starts.Count][];
        fixed (float* input = slices)
        {
            nint inputAddress = (nint)input;
            Parallel.For(0, starts.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Math.Min(_concurrentRuns, starts.Count)) }, i =>
            {
                var window = new float[depth * perSlice];
                ReadOnlySpan<float> stack = padded ?? new ReadOnlySpan<float>((float*)inputAddress + (long)starts[i] * px, depth * px);
                PredictWindow(stack, size, window);
                windows[i] = window;
            });
        }
        if (starts.Count == 1)
        {
            windows[0].AsSpan(0, count * perSlice).CopyTo(probabilities);
            return;
        }
        var weightSum = new float[count];
        for (int i = 0; i < starts.Count; i++)
            for (int z = 0; z < depth; z++)
            {
                Span<float> target = probabilities.Slice((starts[i] + z) * perSlice, perSlice);
                TensorPrimitives.MultiplyAdd(windows[i].AsSpan(z * perSlice, perSlice), _windowWeights[z], target, target);
                weightSum[starts[i] + z] += _windowWeights[z];
            }
        for (int n = 0; n < count; n++)
        {
            Span<float> target = probabilities.Slice(n * perSlice, perSlice);
            TensorPrimitives.Divide(target, weightSum[n], target);
        }
    }

    /// <summary>
    /// One run of a stack model on one window [1, 1, D, S, S]; <paramref name="probabilities"/> [D, 4, S, S] (zero on
    /// entry) receives each slice's probabilities, as <see cref="PredictPart"/> writes a batch of slices'.
    /// </summary>
    private unsafe void PredictWindow(ReadOnlySpan<float> stack, int size, Span<float> probabilities)
    {
        int px = size * size, depth = _patchDepth;
        IDisposableReadOnlyCollection<OrtValue> results;
        fixed (float* input = stack)
        {
            using OrtValue value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, [1, 1, depth, size, size], (nint)input, (long)stack.Length * sizeof(float));
            using var runOptions = new RunOptions();
            results = _session.Run(runOptions, [_input], [value], [_output]);
        }
        using (results)
        {
            OrtValue result = results[0];
            long[] outShape = result.GetTensorTypeAndShape().Shape;
            if (_kind == OnnxOutputKind.Labels)
            {
                // [1, D, S, S] (or [1, 1, D, S, S]) holds the slices' labels in slice order, as [D, S, S] would.
                if (outShape.Aggregate(1L, (a, b) => a * b) != (long)depth * px)
                    throw new MLCardiacException($"{Path}: output '{_output}' has shape [{string.Join(", ", outShape)}]; labels [1, {depth}, {size}, {size}] were expected.");
                Labels(result, [depth, size, size], depth, px, probabilities);
                return;
            }
            if (outShape.Length != 5 || outShape[0] != 1 || outShape[2] != depth || outShape[3] * outShape[4] != px)
                throw new MLCardiacException($"{Path}: output '{_output}' has shape [{string.Join(", ", outShape)}]; expected [1, K, {depth}, {size}, {size}].");
            // [1, K, D, S, S] → [D, K, S, S]: the slices' class planes side by side, the layout Scores reads.
            int k = checked((int)outShape[1]);
            ReadOnlySpan<float> scores = result.GetTensorDataAsSpan<float>();
            float[] bySlice = ArrayPool<float>.Shared.Rent(k * depth * px);
            try
            {
                for (int c = 0; c < k; c++)
                    for (int z = 0; z < depth; z++)
                        scores.Slice((c * depth + z) * px, px).CopyTo(bySlice.AsSpan((z * k + c) * px, px));
                Scores(bySlice.AsSpan(0, k * depth * px), [depth, k, size, size], depth, px, probabilities);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(bySlice);
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
