using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLCardiac.Models;
using MLCardiac.Server;
using MLCardiac.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Bench;

/// <summary>
/// 3D network training throughput (slices/s = stacks × patch depth per second): MLCardiac's anisotropic <see cref="UNet3d"/>
/// (or <see cref="VNet"/>, peerless) with soft Dice + cross-entropy and AdamW on TorchSharp, against the same 3D U-Net in
/// PyTorch (Debian's python3-torch, <c>bench/unet3d_train_peer.py</c>), rounds interleaved in one invocation with the same
/// thread count, so the ratio is measured under the same load. Also reports each process's peak resident memory after
/// training at the planned patch (the memory check of issue 19: 3D training at 128² × 8 slices must fit 24 GiB with margin).
/// </summary>
internal static class Volume3dTrainingBenchmark
{
    public static int Run(string[] args)
    {
        int baseFilters = 16, depth = 4, inPlane = UNetOptions.DefaultInPlaneStages, size = 128, patch = 8, batch = 2, rounds = 5, steps = 3, threads = Environment.ProcessorCount;
        string python = "/usr/bin/python3", kind = "unet3d";
        for (int a = 0; a + 1 < args.Length; a += 2)
        {
            int v = int.TryParse(args[a + 1], CultureInfo.InvariantCulture, out int parsed) ? parsed : 0;
            switch (args[a])
            {
                case "--base-filters": baseFilters = v; break;
                case "--depth": depth = v; break;
                case "--in-plane-stages": inPlane = v; break;
                case "--size": size = v; break;
                case "--patch-depth": patch = v; break;
                case "--batch": batch = v; break;
                case "--rounds": rounds = v; break;
                case "--steps": steps = v; break;
                case "--threads": threads = v; break;
                case "--network": kind = args[a + 1]; break;
                case "--python": python = args[a + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[a]}"); return 2;
            }
        }
        torch.set_num_threads(threads);
        var options = new UNetOptions { Kind = NetworkKinds.Parse(kind, "--network"), BaseFilters = baseFilters, Depth = depth, InPlaneStages = inPlane, PatchDepth = patch };
        options.Validate();
        Console.WriteLine($"{kind} training: {baseFilters} base filters, depth {depth} ({inPlane} in-plane stages), {size}×{size}×{patch}, batch {batch} stacks, {threads} threads, {rounds} rounds × {steps} steps");

        torch.manual_seed(1);
        using var net = SegmentationNetwork.Create(options);
        using var opt = new TrainingOptimizer(OptimizerKind.AdamW, net.parameters(), 1e-3, 1e-4);
        using var x = randn([batch, 1, patch, size, size]);
        using var y = randint(0, 4, [batch, patch, size, size], dtype: int64);
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            opt.ZeroGrad();
            SegmentationLoss.DiceCrossEntropy(net.call(x), y).backward();
            opt.Step();
        }
        Step();
        Step();

        using Process? peer = options.Kind == NetworkKind.UNet3d ? TrainingBenchmark.StartPeer(python, "unet3d_train_peer.py", $"{baseFilters}", $"{depth}", $"{inPlane}", $"{size}", $"{patch}", $"{batch}", $"{threads}") : null;
        var ours = new List<double>();
        var theirs = new List<double>();
        long peerRssKb = 0;
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++) Step();
            ours.Add(steps * batch * patch / clock.Elapsed.TotalSeconds);
            if (peer is not null)
            {
                peer.StandardInput.WriteLine($"STEPS {steps}");
                string? line = peer.StandardOutput.ReadLine();
                if (line is null) break;
                using var json = JsonDocument.Parse(line);
                theirs.Add(steps * batch * patch / json.RootElement.GetProperty("seconds").GetDouble());
                peerRssKb = json.RootElement.GetProperty("max_rss_kb").GetInt64();
            }
        }
        if (peer is not null) { peer.StandardInput.WriteLine("END"); peer.WaitForExit(10_000); }

        Console.WriteLine($"  parameters: {net.ParameterCount:N0}");
        Console.WriteLine($"  MLCardiac (TorchSharp {typeof(torch).Assembly.GetName().Version}): median {TrainingBenchmark.Median(ours):F1} slices/s (min {ours.Min():F1}, max {ours.Max():F1})");
        if (theirs.Count > 0)
        {
            Console.WriteLine($"  PyTorch peer:                median {TrainingBenchmark.Median(theirs):F1} slices/s (min {theirs.Min():F1}, max {theirs.Max():F1})");
            var ratios = ours.Zip(theirs, (a, b) => a / b).ToList();
            Console.WriteLine($"  ratio MLCardiac/PyTorch per round: median {TrainingBenchmark.Median(ratios):F2} (min {ratios.Min():F2}, max {ratios.Max():F2})");
        }
        else if (options.Kind == NetworkKind.UNet3d)
        {
            Console.WriteLine("  PyTorch peer not available (install python3-torch)");
        }
        Console.WriteLine($"  peak resident memory: MLCardiac {PeakRssMiB():F0} MiB{(peerRssKb > 0 ? $", PyTorch peer {peerRssKb / 1024.0:F0} MiB" : "")} (machine: {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F0} GiB)");
        return 0;
    }

    /// <summary>This process's peak resident set (VmHWM), MiB; NaN where /proc is absent.</summary>
    private static double PeakRssMiB() =>
        ProcessMemory.Status(Environment.ProcessId, "VmHWM") is long bytes ? bytes / (1024.0 * 1024) : double.NaN;
}
