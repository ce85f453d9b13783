using System.Diagnostics;
using System.Globalization;
using MLCardiac.Models;
using MLCardiac.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Bench;

/// <summary>
/// Where a training step's time goes (issue 21): the product's U-Net, loss and optimiser on one batch, each phase timed
/// apart — forward, loss, backward, gradient check + AdamW update — over interleaved rounds, next to the hardware ceiling
/// measured in the same run: libtorch's float32 matmul at a saturating size (2048², and 1024² for comparison). On the CPU
/// every libtorch call returns when its work is done, so the phases' wall times add up to the step.
/// </summary>
internal static class TrainingBreakdownBenchmark
{
    public static int Run(string[] args)
    {
        int baseFilters = 16, depth = 4, size = 128, batch = 8, rounds = 5, steps = 5;
        bool mkldnn = true;
        for (int a = 0; a + 1 < args.Length; a += 2)
        {
            int v = int.Parse(args[a + 1], CultureInfo.InvariantCulture);
            switch (args[a])
            {
                case "--base-filters": baseFilters = v; break;
                case "--depth": depth = v; break;
                case "--size": size = v; break;
                case "--batch": batch = v; break;
                case "--rounds": rounds = v; break;
                case "--steps": steps = v; break;
                case "--mkldnn": mkldnn = v != 0; break;
                default: Console.Error.WriteLine($"unknown option {args[a]}"); return 2;
            }
        }
        torch.manual_seed(0); // loads libtorch
        if (!mkldnn) SetUserEnabledMkldnn(GlobalContext(), false);
        Console.WriteLine($"oneDNN (mkldnn) for convolutions: {(UserEnabledMkldnn(GlobalContext()) ? "on" : "off")}; DNNL_MAX_CPU_ISA={Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") ?? "(unset)"}");
        Console.WriteLine($"Training step breakdown: U-Net {baseFilters} filters, depth {depth}, {size}², batch {batch}, {torch.get_num_threads()} threads, {rounds} rounds × {steps} steps");
        torch.manual_seed(1);
        using var net = new UNet2d(new UNetOptions { BaseFilters = baseFilters, Depth = depth });
        net.train();
        using var optimizer = new TrainingOptimizer(OptimizerKind.AdamW, net.parameters(), 1e-3, 1e-4);
        using var x = randn(batch, 1, size, size);
        using var y = randint(0, 4, new long[] { batch, size, size }, dtype: int64);
        string[] phases = ["forward", "loss", "backward", "optimiser (check + AdamW)"];
        var times = phases.ToDictionary(p => p, _ => new List<double>());
        var total = new List<double>();
        void Step(bool record)
        {
            using var scope = torch.NewDisposeScope();
            var clock = Stopwatch.StartNew();
            optimizer.ZeroGrad();
            Tensor logits = net.call(x);
            double t1 = clock.Elapsed.TotalMilliseconds;
            Tensor loss = SegmentationLoss.DiceCrossEntropy(logits, y);
            double t2 = clock.Elapsed.TotalMilliseconds;
            loss.backward();
            double t3 = clock.Elapsed.TotalMilliseconds;
            optimizer.Step();
            double t4 = clock.Elapsed.TotalMilliseconds;
            if (!record) return;
            times[phases[0]].Add(t1);
            times[phases[1]].Add(t2 - t1);
            times[phases[2]].Add(t3 - t2);
            times[phases[3]].Add(t4 - t3);
            total.Add(t4);
        }
        Step(false);
        Step(false);
        var ceiling2048 = new List<double>();
        var ceiling1024 = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            for (int s = 0; s < steps; s++) Step(true);
            ceiling2048.Add(MatmulGflops(2048, 2));
            ceiling1024.Add(MatmulGflops(1024, 5));
        }
        double step = Median(total);
        foreach (string p in phases)
            Console.WriteLine(FormattableString.Invariant($"  {p,-28} median {Median(times[p]),7:F1} ms  {Median(times[p]) / step,5:P0}"));
        Console.WriteLine(FormattableString.Invariant($"  {"step",-28} median {step,7:F1} ms  ({batch * 1000 / step:F1} slices/s)"));
        double forwardFlops = TrainingBenchmark.UNetForwardFlops(baseFilters, depth, size) * batch;
        double achievedForward = forwardFlops / (Median(times[phases[0]]) / 1000) / 1e9;
        double achievedBackward = 2 * forwardFlops / (Median(times[phases[2]]) / 1000) / 1e9;
        double achievedStep = 3 * forwardFlops / (step / 1000) / 1e9;
        double c2048 = Median(ceiling2048), c1024 = Median(ceiling1024);
        Console.WriteLine(FormattableString.Invariant($"  ceiling: float32 matmul 2048² {c2048:F0} GFLOP/s (1024² {c1024:F0}), rounds interleaved with the steps"));
        Console.WriteLine(FormattableString.Invariant($"  achieved: forward {achievedForward:F0} GFLOP/s ({achievedForward / c2048:P0}), backward ≈ 2× forward FLOPs {achievedBackward:F0} GFLOP/s ({achievedBackward / c2048:P0}), whole step {achievedStep:F0} GFLOP/s ({achievedStep / c2048:P0} of the 2048² ceiling)"));
        return 0;
    }

    [System.Runtime.InteropServices.DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [System.Runtime.InteropServices.DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.U1)] bool enabled);

    [System.Runtime.InteropServices.DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);

    private static double MatmulGflops(int n, int repeats)
    {
        using var a = randn(n, n);
        using var b = randn(n, n);
        a.matmul(b).Dispose();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++) a.matmul(b).Dispose();
        return repeats * 2.0 * n * n * n / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
