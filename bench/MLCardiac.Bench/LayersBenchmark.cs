using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLCardiac.Models;
using MLCardiac.Onnx;
using MLCardiac.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Bench;

/// <summary>
/// Where the U-Net's inference time goes (16 filters, depth 4, a 10-slice 128×128 stack, 2 threads): each TorchSharp
/// layer timed alone on activations of its shape, the normalisation alternatives side by side, and ONNX Runtime's own
/// per-operator profile of the float32 and the int8 export. The figures that chose <see cref="InstanceNormalization"/> and the
/// int8 export come from here.
/// </summary>
internal static class LayersBenchmark
{
    public static int Run(string[] args)
    {
        _ = args;
        torch.set_num_threads(Environment.ProcessorCount);
        torch.manual_seed(1);
        const int n = 10;
        int[] f = [16, 32, 64, 128, 256];
        using (torch.inference_mode())
        {
            double convs = 0, norms = 0, acts = 0, cats = 0;
            Console.WriteLine("TorchSharp, each layer alone (median of 10 calls, ms):");
            for (int s = 0; s <= 4; s++)
            {
                int side = 128 >> s, cin = s == 0 ? 1 : f[s - 1];
                using var x = randn(n, cin, s == 0 ? 128 : side * 2, s == 0 ? 128 : side * 2);
                using var y = randn(n, f[s], side, side);
                using var c0 = nn.Conv2d(cin, f[s], 3, stride: s == 0 ? 1 : 2, padding: 1);
                using var c1 = nn.Conv2d(f[s], f[s], 3, padding: 1);
                using var norm = new InstanceNormalization(f[s]);
                double tc = Time(() => c0.call(x)) + Time(() => c1.call(y));
                convs += tc;
                norms += 2 * Time(() => norm.call(y));
                acts += 2 * Time(() => y.leaky_relu(0.01));
                Console.WriteLine($"  encoder {s}: 2 convolutions {tc,6:F2}");
            }
            for (int s = 3; s >= 0; s--)
            {
                int side = 128 >> s;
                using var low = randn(n, f[s + 1], side / 2, side / 2);
                using var joined = randn(n, 2 * f[s], side, side);
                using var y = randn(n, f[s], side, side);
                using var up = nn.ConvTranspose2d(f[s + 1], f[s], 2, stride: 2, bias: false);
                using var c0 = nn.Conv2d(2 * f[s], f[s], 3, padding: 1);
                using var c1 = nn.Conv2d(f[s], f[s], 3, padding: 1);
                using var norm = new InstanceNormalization(f[s]);
                double tu = Time(() => up.call(low)), tc = Time(() => c0.call(joined)) + Time(() => c1.call(y));
                convs += tu + tc;
                norms += 2 * Time(() => norm.call(y));
                acts += 2 * Time(() => y.leaky_relu(0.01));
                cats += Time(() => cat([y, y], 1));
                Console.WriteLine($"  decoder {s}: transposed {tu,6:F2}, 2 convolutions {tc,6:F2}");
            }
            Console.WriteLine($"  sum: convolutions {convs:F1}, instance norm {norms:F1}, leaky ReLU {acts:F1}, concat {cats:F1}");
            using var z = randn(n, 16, 128, 128);
            using var libtorchNorm = nn.InstanceNorm2d(16, affine: true);
            using var ours = new InstanceNormalization(16);
            double a = Time(() => libtorchNorm.call(z)), b = Time(() => ours.call(z));
            Console.WriteLine($"  instance norm of 10×16×128×128: nn.InstanceNorm2d {a:F2}, InstanceNormalization (group-norm kernel) {b:F2}, ratio {a / b:F1}");
        }

        using var net = new UNet2d(new UNetOptions { BaseFilters = 16, Depth = 4 });
        net.eval();
        var prep = new PreprocessingOptions { Size = 128 };
        var random = new Random(1);
        float[] calibration = new float[32 * 128 * 128];
        for (int i = 0; i < calibration.Length; i++) calibration[i] = (float)(random.NextDouble() * 4 - 2);
        foreach (var (name, model) in new[] { ("float32", OnnxExporter.ExportSegmentation(net, prep)), ("int8", OnnxExporter.ExportSegmentationInt8(net, prep, calibration, 32)) })
            OrtProfile(name, model);
        return 0;
    }

    private static void OrtProfile(string name, byte[] model)
    {
        string prefix = Path.Combine(Path.GetTempPath(), $"mlcardiac-ortprofile-{Environment.ProcessId}");
        using var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount, EnableProfiling = true, ProfileOutputPathPrefix = prefix };
        using var session = new InferenceSession(model, so);
        float[] input = new float[10 * 128 * 128];
        var random = new Random(2);
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
        const int runs = 12;
        using var value = OrtValue.CreateTensorValueFromMemory(input, [10, 1, 128, 128]);
        using var runOptions = new RunOptions();
        string[] outputs = [OnnxExportOptions.LogitsName];
        for (int i = 0; i < runs; i++) using (session.Run(runOptions, [OnnxExportOptions.InputName], [value], outputs)) { }
        string file = session.EndProfiling();
        var byOp = new Dictionary<string, double>(StringComparer.Ordinal);
        using (var doc = JsonDocument.Parse(File.ReadAllText(file)))
            foreach (var e in doc.RootElement.EnumerateArray())
                if (e.GetProperty("cat").GetString() == "Node" && e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
                {
                    string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
                    byOp[op] = byOp.GetValueOrDefault(op) + e.GetProperty("dur").GetDouble() / runs / 1000;
                }
        File.Delete(file);
        Console.WriteLine($"ONNX Runtime {name}, kernel time per operator type (ms per 10-slice stack; total {byOp.Values.Sum():F1}):");
        Console.WriteLine("  " + string.Join(", ", byOp.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:F1}")));
    }

    private static double Time(Func<Tensor> run)
    {
        for (int w = 0; w < 3; w++) run().Dispose();
        var times = new double[10];
        for (int i = 0; i < times.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            run().Dispose();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[4] + times[5]) / 2;
    }
}
