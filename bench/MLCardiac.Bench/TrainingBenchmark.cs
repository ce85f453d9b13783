using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLCardiac.Models;
using MLCardiac.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Bench;

/// <summary>
/// U-Net training throughput (slices/s): MLCardiac's <see cref="UNet2d"/> with soft Dice + cross-entropy and
/// AdamW on TorchSharp, against the same network and loss in PyTorch (Debian's python3-torch), rounds
/// interleaved in one invocation with the same thread count, so the ratio is measured under the same load.
/// </summary>
internal static class TrainingBenchmark
{
    public static int Run(string[] args)
    {
        int baseFilters = 16, depth = 4, size = 128, batch = 8, rounds = 5, steps = 5, threads = Environment.ProcessorCount;
        string python = "/usr/bin/python3";
        bool channelsLast = false;
        for (int a = 0; a + 1 < args.Length; a += 2)
        {
            int v = int.TryParse(args[a + 1], CultureInfo.InvariantCulture, out int parsed) ? parsed : 0;
            switch (args[a])
            {
                case "--base-filters": baseFilters = v; break;
                case "--depth": depth = v; break;
                case "--size": size = v; break;
                case "--batch": batch = v; break;
                case "--rounds": rounds = v; break;
                case "--steps": steps = v; break;
                case "--threads": threads = v; break;
                case "--channels-last": channelsLast = v != 0; break;
                case "--python": python = args[a + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[a]}"); return 2;
            }
        }
        torch.set_num_threads(threads);
        Console.WriteLine($"U-Net training: {baseFilters} base filters, depth {depth}, {size}×{size}, batch {batch}, {threads} threads, {rounds} rounds × {steps} steps");

        torch.manual_seed(1);
        using var net = new UNet2d(new UNetOptions { BaseFilters = baseFilters, Depth = depth });
        using var opt = new TrainingOptimizer(OptimizerKind.AdamW, net.parameters(), 1e-3, 1e-4);
        using var x0 = randn(batch, 1, size, size);
        // --channels-last 1: the batch in NHWC strides (permute → contiguous → permute back), which libtorch's oneDNN
        // convolutions propagate through the network.
        using var x = channelsLast ? x0.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x0.alias();
        using var y = randint(0, 4, new long[] { batch, size, size }, dtype: int64);
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            opt.ZeroGrad();
            SegmentationLoss.DiceCrossEntropy(net.call(x), y).backward();
            opt.Step();
        }
        Step();
        Step();

        using Process? peer = StartPeer(python, baseFilters, depth, size, batch, threads);
        var ours = new List<double>();
        var theirs = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++) Step();
            ours.Add(steps * batch / clock.Elapsed.TotalSeconds);
            if (peer is not null)
            {
                peer.StandardInput.WriteLine($"STEPS {steps}");
                string? line = peer.StandardOutput.ReadLine();
                if (line is null) break;
                double seconds = JsonDocument.Parse(line).RootElement.GetProperty("seconds").GetDouble();
                theirs.Add(steps * batch / seconds);
            }
        }
        // Inference: a 10-slice stack, eval mode, no autograd.
        var oursInfer = new List<double>();
        var theirsInfer = new List<double>();
        using (var stack = randn(10, 1, size, size))
        {
            net.eval();
            using (torch.no_grad())
            {
                for (int w = 0; w < 2; w++) net.call(stack).Dispose();
                for (int r = 0; r < rounds; r++)
                {
                    var clock = Stopwatch.StartNew();
                    for (int s = 0; s < steps; s++) net.call(stack).Dispose();
                    oursInfer.Add(clock.Elapsed.TotalMilliseconds / steps);
                    if (peer is not null)
                    {
                        peer.StandardInput.WriteLine($"INFER {steps}");
                        string? line = peer.StandardOutput.ReadLine();
                        if (line is null) break;
                        theirsInfer.Add(1000 * JsonDocument.Parse(line).RootElement.GetProperty("seconds").GetDouble() / steps);
                    }
                }
            }
        }
        if (peer is not null) { peer.StandardInput.WriteLine("END"); peer.WaitForExit(10_000); }

        Console.WriteLine($"  MLCardiac (TorchSharp {typeof(torch).Assembly.GetName().Version}): median {Median(ours):F1} slices/s (min {ours.Min():F1}, max {ours.Max():F1})");
        if (theirs.Count > 0)
        {
            Console.WriteLine($"  PyTorch peer:                median {Median(theirs):F1} slices/s (min {theirs.Min():F1}, max {theirs.Max():F1})");
            var ratios = ours.Zip(theirs, (a, b) => a / b).ToList();
            Console.WriteLine($"  ratio MLCardiac/PyTorch per round: median {Median(ratios):F2} (min {ratios.Min():F2}, max {ratios.Max():F2})");
        }
        else
        {
            Console.WriteLine("  PyTorch peer not available (install python3-torch)");
        }

        Console.WriteLine($"U-Net inference, 10-slice {size}×{size} stack:");
        Console.WriteLine($"  MLCardiac: median {Median(oursInfer):F1} ms (min {oursInfer.Min():F1})");
        if (theirsInfer.Count > 0)
        {
            Console.WriteLine($"  PyTorch:   median {Median(theirsInfer):F1} ms (min {theirsInfer.Min():F1})");
            var ratios = oursInfer.Zip(theirsInfer, (a, b) => b / a).ToList();
            Console.WriteLine($"  speed ratio MLCardiac/PyTorch per round: median {Median(ratios):F2}");
        }

        // Achieved arithmetic rate against the machine's dense matmul rate (the practical ceiling).
        double forwardFlops = UNetForwardFlops(baseFilters, depth, size);
        double trainingGflops = 3 * forwardFlops * Median(ours) / 1e9; // backward ≈ 2× forward
        double matmulGflops = MatmulGflops();
        Console.WriteLine($"  forward {forwardFlops / 1e9:F2} GFLOP per slice; training achieves {trainingGflops:F1} GFLOP/s; "
            + $"float32 1024² matmul {matmulGflops:F1} GFLOP/s; ratio {trainingGflops / matmulGflops:P0}");
        return 0;
    }

    /// <summary>Multiply-adds ×2 of every convolution of <see cref="UNet2d"/> for one slice (norms and activations are minor).</summary>
    internal static double UNetForwardFlops(int baseFilters, int depth, int size, int inChannels = 1, int classes = 4, int maxFilters = 320)
    {
        int F(int s) => Math.Min(baseFilters << s, maxFilters);
        double Conv(int cin, int cout, int k, int outSide) => 2.0 * cin * cout * k * k * outSide * outSide;
        double flops = 0;
        for (int s = 0; s <= depth; s++)
        {
            int side = size >> s;
            flops += Conv(s == 0 ? inChannels : F(s - 1), F(s), 3, side) + Conv(F(s), F(s), 3, side);
        }
        for (int s = depth - 1; s >= 0; s--)
        {
            int side = size >> s;
            flops += 2.0 * F(s + 1) * F(s) * 4 * (side / 2) * (side / 2); // 2×2 stride-2 transposed convolution
            flops += Conv(2 * F(s), F(s), 3, side) + Conv(F(s), F(s), 3, side);
        }
        return flops + Conv(F(0), classes, 1, size);
    }

    private static double MatmulGflops()
    {
        const int n = 1024;
        using var a = randn(n, n);
        using var b = randn(n, n);
        for (int w = 0; w < 3; w++) a.matmul(b).Dispose();
        var rates = new List<double>();
        for (int r = 0; r < 7; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++) a.matmul(b).Dispose();
            rates.Add(5 * 2.0 * n * n * n / clock.Elapsed.TotalSeconds / 1e9);
        }
        return Median(rates);
    }

    private static Process? StartPeer(string python, int baseFilters, int depth, int size, int batch, int threads) =>
        StartPeer(python, "unet_train_peer.py", $"{baseFilters}", $"{depth}", $"{size}", $"{batch}", $"{threads}");

    /// <summary>
    /// Starts a Python peer script (copied beside the benchmark) that prints one JSON line with "ready" once warmed up;
    /// null when Python or the script's imports are missing.
    /// </summary>
    internal static Process? StartPeer(string python, string scriptName, params string[] arguments)
    {
        string script = Path.Combine(AppContext.BaseDirectory, scriptName);
        try
        {
            var info = new ProcessStartInfo(python)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false,
            };
            info.ArgumentList.Add(script);
            foreach (string a in arguments) info.ArgumentList.Add(a);
            var p = Process.Start(info)!;
            string? ready = p.StandardOutput.ReadLine();
            if (ready is null || !ready.Contains("ready", StringComparison.Ordinal)) { p.Kill(); return null; }
            Console.WriteLine($"  peer: {ready}");
            return p;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    internal static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
