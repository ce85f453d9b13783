using System.Diagnostics;
using System.Globalization;
using MLCardiac.Augmentation;
using MLCardiac.Models;
using MLCardiac.Training;
using TorchSharp;

namespace MLCardiac.Bench;

/// <summary>
/// Does preparing batches in the background pay (issue 21)? The product's <see cref="SegmentationTrainer"/> on synthetic
/// 128² slices with an augmentation preset, its batches prepared inline (<c>InputWorkers</c> 0) against in the background
/// on 1 and 2 threads, rounds interleaved in one invocation so the ratios share the machine's load. Also times the
/// preparation alone (sampling, copying, augmenting a batch), to say what share of an inline step it is.
/// </summary>
internal static class InputPipelineBenchmark
{
    public static int Run(string[] args)
    {
        int rounds = 3, steps = 20, batch = 8, size = 128, baseFilters = 16, depth = 4;
        string preset = "heavy";
        int[] settings = [0, 1, 2];
        for (int a = 0; a + 1 < args.Length; a += 2)
        {
            int v = int.TryParse(args[a + 1], CultureInfo.InvariantCulture, out int parsed) ? parsed : 0;
            switch (args[a])
            {
                case "--rounds": rounds = v; break;
                case "--steps": steps = v; break;
                case "--batch": batch = v; break;
                case "--size": size = v; break;
                case "--base-filters": baseFilters = v; break;
                case "--depth": depth = v; break;
                case "--augment": preset = args[a + 1]; break;
                case "--workers": settings = [.. args[a + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                default: Console.Error.WriteLine($"unknown option {args[a]}"); return 2;
            }
        }
        var random = new AugmentationRandom(7);
        var slices = Enumerable.Range(0, 64).Select(i =>
        {
            var image = new float[size * size];
            var label = new byte[size * size];
            SyntheticCardiacSlice.Generate(image, label, size, size, random);
            return new TrainingSlice(image, label, size, size, 0, $"S{i}");
        }).ToList();
        var data = new SliceDataset(slices, ["A"]);
        SliceAugmenter? augmenter = preset == "none" ? null : AugmentationPipeline.FromPreset(AugmentationPipeline.ParsePreset(preset)).ToSliceAugmenter(1.25);
        var options = new SegmentationTrainerOptions
        {
            Network = new UNetOptions { BaseFilters = baseFilters, Depth = depth },
            Epochs = 1, IterationsPerEpoch = steps, BatchSize = batch, Seed = 3,
        };
        Console.WriteLine($"Input pipeline: U-Net {baseFilters} filters, depth {depth}, {size}², batch {batch}, augmentation {preset}, {steps} steps per round, {rounds} rounds, {torch.get_num_threads()} torch threads, {Environment.ProcessorCount} cores");

        // The preparation alone: what an inline step waits for before its forward pass.
        var prepare = new List<double>();
        var buffer = new float[size * size];
        var labels = new byte[size * size];
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++)
                for (int row = 0; row < batch; row++)
                {
                    slices[(s * batch + row) % slices.Count].Image.CopyTo(buffer, 0);
                    slices[(s * batch + row) % slices.Count].Label!.CopyTo(labels, 0);
                    augmenter?.Invoke(buffer, labels, size, size, (ulong)(r * 1000 + s), row);
                }
            prepare.Add(clock.Elapsed.TotalMilliseconds / steps);
        }

        new SegmentationTrainer(options with { IterationsPerEpoch = 2 }, augmenter, preset).Fit(data).Dispose(); // warm-up
        var rates = settings.ToDictionary(w => w, _ => new List<double>());
        for (int r = 0; r < rounds; r++)
            foreach (int workers in settings)
            {
                using TrainingResult result = new SegmentationTrainer(options, augmenter, preset) { InputWorkers = workers }.Fit(data);
                rates[workers].Add(result.History[0].SlicesPerSecond);
            }
        double inline = Median(rates[settings[0]]);
        double stepMs = 1000 * batch / inline;
        Console.WriteLine(FormattableString.Invariant($"  preparing a batch alone: median {Median(prepare):F1} ms = {Median(prepare) / stepMs:P0} of an inline step ({stepMs:F0} ms)"));
        foreach (int workers in settings)
        {
            var ratios = rates[workers].Zip(rates[settings[0]], (a, b) => a / b).ToList();
            Console.WriteLine(FormattableString.Invariant($"  InputWorkers {workers}: median {Median(rates[workers]):F1} slices/s (min {rates[workers].Min():F1}, max {rates[workers].Max():F1}); against {settings[0]}: median ×{Median(ratios):F2} (min ×{ratios.Min():F2}, max ×{ratios.Max():F2})"));
        }
        return 0;
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
