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
                case "--python": python = args[a + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[a]}"); return 2;
            }
        }
        torch.set_num_threads(threads);
        Console.WriteLine($"U-Net training: {baseFilters} base filters, depth {depth}, {size}×{size}, batch {batch}, {threads} threads, {rounds} rounds × {steps} steps");

        torch.manual_seed(1);
        using var net = new UNet2d(new UNetOptions { BaseFilters = baseFilters, Depth = depth });
        using var opt = optim.AdamW(net.parameters(), lr: 1e-3, weight_decay: 1e-4);
        using var x = randn(batch, 1, size, size);
        using var y = randint(0, 4, new long[] { batch, size, size }, dtype: int64);
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            SegmentationLoss.DiceCrossEntropy(net.call(x), y).backward();
            opt.step();
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
        return 0;
    }

    private static Process? StartPeer(string python, int baseFilters, int depth, int size, int batch, int threads)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "unet_train_peer.py");
        try
        {
            var info = new ProcessStartInfo(python)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false,
            };
            foreach (string a in new[] { script, $"{baseFilters}", $"{depth}", $"{size}", $"{batch}", $"{threads}" }) info.ArgumentList.Add(a);
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

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
