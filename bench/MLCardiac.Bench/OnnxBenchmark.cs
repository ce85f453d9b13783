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
/// ONNX Runtime session settings; all variants interleaved in one process, medians and ratios to TorchSharp.
/// </summary>
internal static class OnnxBenchmark
{
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 && args[0] == "--rounds" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15;
        const int slices = 10, size = 128;
        int cores = Environment.ProcessorCount;
        torch.manual_seed(1);
        torch.set_num_threads(cores);
        using var net = new UNet2d(new UNetOptions { BaseFilters = 16, Depth = 4 });
        net.eval();
        string onnxPath = Path.Combine(Path.GetTempPath(), $"mlcardiac-bench-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(onnxPath, OnnxExporter.ExportSegmentation(net, new PreprocessingOptions { Size = size }));
        try
        {
            var backends = new List<(string Name, ISegmentationBackend Backend)>
            {
                ($"TorchSharp, {cores} threads", new TorchSharpBackend(net)),
                ("TorchSharp, 1 thread", new OneThread(new TorchSharpBackend(net), cores)),
                ($"ORT all opts, {cores} threads, mem pattern", Ort(onnxPath, new OnnxRuntimeSettings())),
                ("ORT all opts, 1 thread", Ort(onnxPath, new OnnxRuntimeSettings { IntraOpThreads = 1 })),
                ("ORT basic opts", Ort(onnxPath, new OnnxRuntimeSettings { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC })),
                ("ORT extended opts", Ort(onnxPath, new OnnxRuntimeSettings { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED })),
                ("ORT no graph opts", Ort(onnxPath, new OnnxRuntimeSettings { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL })),
                ("ORT all opts, no mem pattern", Ort(onnxPath, new OnnxRuntimeSettings { MemoryPattern = false })),
            };
            var random = new Random(1);
            float[] stack = new float[slices * size * size];
            for (int i = 0; i < stack.Length; i++) stack[i] = (float)(random.NextDouble() * 4 - 2);
            var outputs = backends.Select(_ => new float[slices * 4 * size * size]).ToArray();
            for (int i = 0; i < backends.Count; i++) backends[i].Backend.Predict(stack, slices, size, outputs[i]); // warm-up
            var times = backends.Select(_ => new List<double>()).ToArray();
            for (int r = 0; r < rounds; r++)
            {
                for (int i = 0; i < backends.Count; i++)
                {
                    // One untimed call absorbs the previous variant's still-spinning worker threads (see Int8Benchmark).
                    backends[i].Backend.Predict(stack, slices, size, outputs[i]);
                    var clock = Stopwatch.StartNew();
                    backends[i].Backend.Predict(stack, slices, size, outputs[i]);
                    backends[i].Backend.Predict(stack, slices, size, outputs[i]);
                    times[i].Add(clock.Elapsed.TotalMilliseconds / 2);
                }
            }
            double baseline = Median(times[0]);
            Console.WriteLine($"U-Net (16 filters, depth 4) forward + softmax of a {slices}-slice {size}×{size} stack, {rounds} interleaved rounds, {cores} cores:");
            for (int i = 0; i < backends.Count; i++)
            {
                float diff = 0;
                for (int k = 0; k < outputs[0].Length; k++) diff = MathF.Max(diff, MathF.Abs(outputs[0][k] - outputs[i][k]));
                Console.WriteLine($"  {backends[i].Name,-40} median {Median(times[i]),7:F1} ms  min {times[i].Min(),7:F1} ms  ratio to TorchSharp {Median(times[i]) / baseline:F2}  max |Δp| {diff:E1}");
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
