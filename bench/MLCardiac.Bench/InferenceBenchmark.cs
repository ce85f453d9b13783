using System.Diagnostics;
using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Bench;

/// <summary>
/// What moves U-Net inference of a 10-slice 128×128 stack: variants measured interleaved in one process
/// (median ms over rounds), so their ratios share the machine's load.
/// </summary>
internal static class InferenceBenchmark
{
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 && args[0] == "--rounds" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15;
        torch.manual_seed(1);
        using var net = new UNet2d(new UNetOptions { BaseFilters = 16, Depth = 4 });
        net.eval();
        using var stack = randn(10, 1, 128, 128);
        // Channels-last (NHWC strides): permuting to NHWC, making it contiguous and permuting back keeps the NCHW shape
        // with channels-last strides, which libtorch's convolutions propagate.
        using var stackNhwc = stack.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        using var netBf16 = new UNet2d(new UNetOptions { BaseFilters = 16, Depth = 4 });
        netBf16.load_state_dict(net.state_dict());
        netBf16.to(ScalarType.BFloat16);
        netBf16.eval();
        using var stackBf16 = stack.to(ScalarType.BFloat16);
        var variants = new (string Name, Func<double> Measure)[]
        {
            ("no_grad, 2 threads", () => Time(() => { using var g = torch.no_grad(); net.call(stack).Dispose(); }, 2)),
            ("inference_mode, 2 threads", () => Time(() => { using var g = torch.inference_mode(); net.call(stack).Dispose(); }, 2)),
            ("no_grad, 1 thread", () => Time(() => { using var g = torch.no_grad(); net.call(stack).Dispose(); }, 1)),
            ("channels-last input, 2 threads", () => Time(() => { using var g = torch.inference_mode(); net.call(stackNhwc).Dispose(); }, 2)),
            ("bfloat16, 2 threads", () => Time(() => { using var g = torch.inference_mode(); netBf16.call(stackBf16).Dispose(); }, 2)),
            ("bfloat16 channels-last, 2 threads", () => Time(() =>
            {
                using var g = torch.inference_mode();
                using var x = stackBf16.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
                netBf16.call(x).Dispose();
            }, 2)),
            ("no_grad, 2 × 5 slices", () => Time(() =>
            {
                using var g = torch.no_grad();
                using var a = stack.narrow(0, 0, 5);
                using var b = stack.narrow(0, 5, 5);
                net.call(a).Dispose();
                net.call(b).Dispose();
            }, 2)),
        };
        foreach (var v in variants) v.Measure();
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < variants.Length; i++) times[i].Add(variants[i].Measure());
        double baseline = Median(times[0]);
        Console.WriteLine($"U-Net (16 filters, depth 4) inference of a 10-slice 128×128 stack, {rounds} interleaved rounds:");
        for (int i = 0; i < variants.Length; i++)
            Console.WriteLine($"  {variants[i].Name,-36} median {Median(times[i]),7:F1} ms  min {times[i].Min(),7:F1} ms  ratio to first {Median(times[i]) / baseline:F2}");
        torch.set_num_threads(Environment.ProcessorCount);
        return 0;
    }

    private static double Time(Action run, int threads)
    {
        torch.set_num_threads(threads);
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
