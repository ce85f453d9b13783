using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MLCardiac.Inference;
using MLCardiac.Models;
using MLCardiac.Onnx;
using MLCardiac.Preprocessing;
using TorchSharp;

namespace MLCardiac.Bench;

/// <summary>
/// TorchSharp against ONNX Runtime on the serving path's forward pass (<see cref="ISegmentationBackend.Predict"/>: slices
/// in, softmax probabilities out) for a 10-slice 128×128 stack and the default U-Net (16 filters, depth 4), with a few
/// ONNX Runtime session settings; all variants interleaved in one process, medians and ratios to TorchSharp. First the
/// bare ONNX Runtime forward pass of the graph as exported before (one convolution over each decoder Concat, 2 threads)
/// side by side with the current graph and settings.
/// </summary>
internal static class OnnxBenchmark
{
    public static int Run(string[] args)
    {
        int rounds = 15;
        bool forwardOnly = false;
        for (int a = 0; a < args.Length; a++)
        {
            if (args[a] == "--rounds" && a + 1 < args.Length) rounds = int.Parse(args[++a], System.Globalization.CultureInfo.InvariantCulture);
            else if (args[a] == "--forward-only") forwardOnly = true;
            else { Console.Error.WriteLine($"unknown option {args[a]}"); return 2; }
        }
        const int slices = 10, size = 128;
        int cores = Environment.ProcessorCount;
        torch.manual_seed(1);
        torch.set_num_threads(cores);
        using var net = new UNet2d(new UNetOptions { BaseFilters = 16, Depth = 4 });
        net.eval();
        var prep = new PreprocessingOptions { Size = size };
        string onnxPath = Path.Combine(Path.GetTempPath(), $"mlcardiac-bench-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(onnxPath, OnnxExporter.ExportSegmentation(net, prep));
        // The graph as exported before the decoder's skip convolutions were split (one Conv over a Concat).
        byte[] concatGraph = OnnxExporter.ExportSegmentation(net, prep, new OnnxExportOptions { ConcatSkips = true });
        try
        {
            var random = new Random(1);
            float[] stack = new float[slices * size * size];
            for (int i = 0; i < stack.Length; i++) stack[i] = (float)(random.NextDouble() * 4 - 2);

            // The bare forward pass (logits out, no softmax, no copies): the figure, before and after.
            byte[] splitGraph = File.ReadAllBytes(onnxPath);
            var forwards = new List<(string Name, Forward Run)>
            {
                ($"before: Concat graph, {cores} threads", new Forward(concatGraph, new OnnxRuntimeSettings { ConcurrentRuns = 1 }, stack, slices, size)),
                ($"split graph, {cores} threads", new Forward(splitGraph, new OnnxRuntimeSettings { ConcurrentRuns = 1 }, stack, slices, size)),
                ($"Concat graph, {cores} runs × 1 thread", new Forward(concatGraph, new OnnxRuntimeSettings { ConcurrentRuns = cores }, stack, slices, size)),
                ($"after: split graph, {cores} runs × 1 thread", new Forward(splitGraph, new OnnxRuntimeSettings { ConcurrentRuns = cores }, stack, slices, size)),
                ($"split graph, {cores} runs × 1 thread, 1 slice each", new Forward(splitGraph, new OnnxRuntimeSettings { ConcurrentRuns = cores }, stack, slices, size, slicesPerRun: 1)),
                ($"split graph, {cores} runs × 1 thread, 2 slices each", new Forward(splitGraph, new OnnxRuntimeSettings { ConcurrentRuns = cores }, stack, slices, size, slicesPerRun: 2)),
                ($"split graph, {cores} runs × 1 thread, no mem pattern", new Forward(splitGraph, new OnnxRuntimeSettings { ConcurrentRuns = cores, MemoryPattern = false }, stack, slices, size)),
                ("split graph, 1 run × 1 thread", new Forward(splitGraph, new OnnxRuntimeSettings { ConcurrentRuns = 1, IntraOpThreads = 1 }, stack, slices, size)),
                ($"split graph, {cores} threads, no spinning", new Forward(splitGraph, new OnnxRuntimeSettings { ConcurrentRuns = 1, AllowSpinning = false }, stack, slices, size)),
            };
            var forwardTimes = Time(forwards.Select(f => (Action)f.Run.Run).ToList(), rounds);
            Console.WriteLine($"ONNX Runtime forward pass only (logits), U-Net (16 filters, depth 4), {slices}-slice {size}×{size} stack, {rounds} interleaved rounds × 2 calls, {cores} cores:");
            for (int i = 0; i < forwards.Count; i++)
                Console.WriteLine($"  {forwards[i].Name,-52} {Summary(forwardTimes[i])}  ratio to before {Median(forwardTimes[i]) / Median(forwardTimes[0]):F2}  max |Δlogit| {MaxDifference(forwards[0].Run.Logits, forwards[i].Run.Logits):E1}  labels differing {DifferingLabels(forwards[0].Run.Logits, forwards[i].Run.Logits, slices, size * size)}");
            foreach (var (_, f) in forwards) f.Dispose();
            if (forwardOnly) return 0;

            var backends = new List<(string Name, ISegmentationBackend Backend)>
            {
                ($"TorchSharp, {cores} threads", new TorchSharpBackend(net)),
                ("TorchSharp, 1 thread", new OneThread(new TorchSharpBackend(net), cores)),
                ($"ORT all opts, {cores} runs × 1 thread (default)", Ort(onnxPath, new OnnxRuntimeSettings())),
                ($"ORT all opts, 1 run × {cores} threads", Ort(onnxPath, new OnnxRuntimeSettings { ConcurrentRuns = 1 })),
                ("ORT all opts, 1 run × 1 thread", Ort(onnxPath, new OnnxRuntimeSettings { ConcurrentRuns = 1, IntraOpThreads = 1 })),
                ("ORT basic opts", Ort(onnxPath, new OnnxRuntimeSettings { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC })),
                ("ORT extended opts", Ort(onnxPath, new OnnxRuntimeSettings { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED })),
                ("ORT no graph opts", Ort(onnxPath, new OnnxRuntimeSettings { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL })),
                ($"ORT all opts, {cores} runs, no mem pattern", Ort(onnxPath, new OnnxRuntimeSettings { MemoryPattern = false })),
            };
            var outputs = backends.Select(_ => new float[slices * 4 * size * size]).ToArray();
            var times = Time(backends.Select((b, i) => (Action)(() => b.Backend.Predict(stack, slices, size, outputs[i]))).ToList(), rounds);
            double baseline = Median(times[0]);
            Console.WriteLine($"U-Net (16 filters, depth 4) forward + softmax of a {slices}-slice {size}×{size} stack (ISegmentationBackend.Predict), {rounds} interleaved rounds × 2 calls, {cores} cores:");
            for (int i = 0; i < backends.Count; i++)
            {
                float diff = MaxDifference(outputs[0], outputs[i]);
                Console.WriteLine($"  {backends[i].Name,-46} {Summary(times[i])}  ratio to TorchSharp {Median(times[i]) / baseline:F2}  max |Δp| {diff:E1}");
            }
            int fastest = Enumerable.Range(0, backends.Count).MinBy(i => Median(times[i]));
            Console.WriteLine($"  fastest: {backends[fastest].Name}; SegmentationModel's Auto backend prefers {SegmentationModel.Preferred}");
            foreach (var (_, b) in backends) if (b is OnnxRuntimeBackend) b.Dispose();
            return 0;
        }
        finally
        {
            File.Delete(onnxPath);
        }
    }

    /// <summary>
    /// Interleaved timing: each round gives every variant one untimed call (it absorbs the previous variant's
    /// still-spinning worker threads) and times the next two, one by one.
    /// </summary>
    private static List<double>[] Time(List<Action> variants, int rounds)
    {
        foreach (var v in variants) v(); // warm-up
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < variants.Count; i++)
            {
                variants[i]();
                for (int k = 0; k < 2; k++)
                {
                    long start = Stopwatch.GetTimestamp();
                    variants[i]();
                    times[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        return times;
    }

    /// <summary>One ONNX Runtime session's bare forward pass of the stack, split into <see cref="OnnxRuntimeSettings.ConcurrentRuns"/> parts run at once, logits kept.</summary>
    private sealed class Forward : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly OrtValue[] _parts;
        private readonly int[] _first;
        private readonly RunOptions _runOptions = new();
        private readonly int _classPlanes;

        private readonly int _runs;

        public Forward(byte[] model, OnnxRuntimeSettings settings, float[] stack, int slices, int size, int slicesPerRun = 0)
        {
            using (var so = settings.ToSessionOptions()) _session = new InferenceSession(model, so);
            _runs = settings.Runs;
            int px = size * size, per = slicesPerRun > 0 ? slicesPerRun : (slices + settings.Runs - 1) / settings.Runs;
            _first = Enumerable.Range(0, (slices + per - 1) / per).Select(p => p * per).ToArray();
            _parts = _first.Select(f => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, stack.AsMemory(f * px, Math.Min(per, slices - f) * px),
                new long[] { Math.Min(per, slices - f), 1, size, size })).ToArray();
            _classPlanes = 4 * px;
            Logits = new float[slices * _classPlanes];
        }

        public float[] Logits { get; }

        public void Run()
        {
            if (_parts.Length == 1) RunPart(0);
            else Parallel.For(0, _parts.Length, new ParallelOptions { MaxDegreeOfParallelism = _runs }, RunPart);
        }

        private void RunPart(int part)
        {
            using var r = _session.Run(_runOptions, [OnnxExportOptions.InputName], [_parts[part]], [OnnxExportOptions.LogitsName]);
            r[0].GetTensorDataAsSpan<float>().CopyTo(Logits.AsSpan(_first[part] * _classPlanes));
        }

        public void Dispose()
        {
            foreach (var p in _parts) p.Dispose();
            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    private static float MaxDifference(float[] a, float[] b)
    {
        float diff = 0;
        for (int k = 0; k < a.Length; k++) diff = MathF.Max(diff, MathF.Abs(a[k] - b[k]));
        return diff;
    }

    /// <summary>Pixels whose arg-max over the 4 class planes differs between two logit stacks.</summary>
    private static int DifferingLabels(float[] a, float[] b, int slices, int px)
    {
        int differing = 0;
        for (int n = 0; n < slices; n++)
            for (int i = 0; i < px; i++)
            {
                int la = 0, lb = 0;
                for (int c = 1; c < 4; c++)
                {
                    if (a[(n * 4 + c) * px + i] > a[(n * 4 + la) * px + i]) la = c;
                    if (b[(n * 4 + c) * px + i] > b[(n * 4 + lb) * px + i]) lb = c;
                }
                if (la != lb) differing++;
            }
        return differing;
    }

    private static string Summary(List<double> t)
    {
        var s = t.Order().ToArray();
        return $"median {Median(t),6:F1} ms  IQR {s[s.Length / 4],6:F1}–{s[3 * s.Length / 4],6:F1}  min {s[0],6:F1}";
    }

    /// <summary>Runs a TorchSharp backend with libtorch limited to one thread (a process-wide setting, restored after each call).</summary>
    private sealed class OneThread(ISegmentationBackend inner, int cores) : ISegmentationBackend
    {
        public string Name => inner.Name;
        public int Classes => inner.Classes;
        public void Predict(ReadOnlySpan<float> slices, int count, int size, Span<float> probabilities)
        {
            torch.set_num_threads(1);
            try { inner.Predict(slices, count, size, probabilities); }
            finally { torch.set_num_threads(cores); }
        }
        public void Dispose() => inner.Dispose();
    }

    private static OnnxRuntimeBackend Ort(string path, OnnxRuntimeSettings settings) =>
        new(path, new OnnxSegmentationOptions { Runtime = settings });

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
