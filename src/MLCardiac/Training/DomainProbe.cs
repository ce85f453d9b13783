using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Training;

/// <summary>Settings of a <see cref="DomainProbe"/>.</summary>
public sealed record DomainProbeOptions
{
    /// <summary>Encoder stage whose output is probed (0 = full resolution, the stage DANN defaults to).</summary>
    public int FeatureStage { get; init; }
    /// <summary>Hidden width of the probe (a fresh <see cref="DomainDiscriminator"/>).</summary>
    public int HiddenFeatures { get; init; } = 16;
    /// <summary>Optimiser steps.</summary>
    public int Steps { get; init; } = 150;
    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;
    /// <summary>Seed of the probe's initialisation and sampling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        if (FeatureStage < 0) throw new ArgumentException($"FeatureStage must be ≥ 0 (was {FeatureStage}).", nameof(FeatureStage));
        if (HiddenFeatures < 1) throw new ArgumentException($"HiddenFeatures must be ≥ 1 (was {HiddenFeatures}).", nameof(HiddenFeatures));
        if (Steps < 1) throw new ArgumentException($"Steps must be ≥ 1 (was {Steps}).", nameof(Steps));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be ≥ 1 (was {BatchSize}).", nameof(BatchSize));
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate must be > 0 (was {LearningRate}).", nameof(LearningRate));
    }
}

/// <summary>What a <see cref="DomainProbe"/> measured.</summary>
/// <param name="TrainAccuracy">Probe accuracy on the slices it was fitted on.</param>
/// <param name="HeldOutAccuracy">Probe accuracy on held-out slices: how well vendors can be told apart from the frozen features.</param>
/// <param name="Chance">Accuracy of always guessing the most frequent held-out domain.</param>
public sealed record DomainProbeResult(double TrainAccuracy, double HeldOutAccuracy, double Chance);

/// <summary>
/// Measures how domain-specific a trained segmenter's features are: a <em>fresh</em> domain head is fitted on
/// the frozen encoder features of one slice set and scored on another (held-out subjects). This is the
/// standard linear/MLP-probe reading of domain invariance, and a fairer one than the accuracy of DANN's own
/// head during training — that head is chasing a moving encoder, so its accuracy mixes "the features are
/// invariant" with "the head has not caught up". A probe near <see cref="DomainProbeResult.Chance"/> means a
/// new discriminator cannot find the vendor in the features either.
/// </summary>
public static class DomainProbe
{
    /// <summary>Fits a probe on <paramref name="fit"/>'s features and scores it on <paramref name="heldOut"/>'s (both need ≥ 2 domains in total).</summary>
    public static DomainProbeResult Measure(SegmentationNetwork segmenter, SliceDataset fit, SliceDataset heldOut, DomainProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(segmenter);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(heldOut);
        if (segmenter.IsVolumetric)
            throw new ArgumentException($"The domain probe reads per-slice features of 2D U-Nets; a {segmenter.Options.Kind.Name()} was given.", nameof(segmenter));
        var o = options ?? new DomainProbeOptions();
        o.Validate();
        if (o.FeatureStage > segmenter.Options.Depth)
            throw new ArgumentException($"FeatureStage {o.FeatureStage} is beyond the network's depth {segmenter.Options.Depth}.", nameof(options));
        if (!fit.Domains.SequenceEqual(heldOut.Domains))
            throw new ArgumentException("The fit and held-out sets must name the same domains in the same order.", nameof(heldOut));
        int domains = fit.Domains.Count;
        if (domains < 2 || fit.Slices.Select(s => s.Domain).Distinct().Count() < 2)
            throw new ArgumentException("A domain probe needs slices of at least two domains to fit on.", nameof(fit));

        using var outer = NewDisposeScope();
        Tensor fitFeatures = Features(segmenter, fit, o.FeatureStage);
        Tensor heldOutFeatures = Features(segmenter, heldOut, o.FeatureStage);
        long[] fitDomains = fit.Slices.Select(s => (long)s.Domain).ToArray();
        long[] heldOutDomains = heldOut.Slices.Select(s => (long)s.Domain).ToArray();

        torch.manual_seed(SeedSequence.DeriveInt(o.Seed, 1));
        using var probe = new DomainDiscriminator(segmenter.Options.FiltersAt(o.FeatureStage), domains, o.HiddenFeatures);
        using var optimizer = new TrainingOptimizer(OptimizerKind.AdamW, probe.parameters(), o.LearningRate);
        var random = new Random(SeedSequence.DeriveInt(o.Seed, 2));
        // Balanced sampling: each row's domain first, then a slice of it, so the probe cannot win by the majority class.
        int[][] byDomain = Enumerable.Range(0, domains).Select(d => Enumerable.Range(0, fitDomains.Length).Where(i => fitDomains[i] == d).ToArray()).Where(a => a.Length > 0).ToArray();
        probe.train();
        for (int step = 0; step < o.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var rows = new long[o.BatchSize];
            for (int r = 0; r < rows.Length; r++)
            {
                int[] pool = byDomain[random.Next(byDomain.Length)];
                rows[r] = pool[random.Next(pool.Length)];
            }
            Tensor index = tensor(rows);
            Tensor loss = nn.functional.cross_entropy(probe.call(fitFeatures.index_select(0, index)), tensor(fitDomains).index_select(0, index));
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
        }
        probe.eval();
        double trainAccuracy = Accuracy(probe, fitFeatures, fitDomains);
        double heldOutAccuracy = Accuracy(probe, heldOutFeatures, heldOutDomains);
        double chance = heldOutDomains.GroupBy(d => d).Max(g => g.Count()) / (double)heldOutDomains.Length;
        return new DomainProbeResult(trainAccuracy, heldOutAccuracy, chance);
    }

    /// <summary>Encoder features of every slice at <paramref name="stage"/>, computed without gradients, [N, F, h, w].</summary>
    private static Tensor Features(SegmentationNetwork segmenter, SliceDataset data, int stage)
    {
        bool wasTraining = segmenter.training;
        segmenter.eval();
        int pixels = data.Height * data.Width;
        var parts = new List<Tensor>();
        using (torch.no_grad())
        {
            for (int start = 0; start < data.Slices.Count; start += 16)
            {
                int n = Math.Min(16, data.Slices.Count - start);
                var images = new float[n * pixels];
                for (int i = 0; i < n; i++) data.Slices[start + i].Image.CopyTo(images, i * pixels);
                using var scope = NewDisposeScope();
                UNetOutput output = segmenter.ForwardAll(tensor(images, new long[] { n, 1, data.Height, data.Width }));
                parts.Add(output.Encoder[stage].detach().clone().MoveToOuterDisposeScope());
            }
        }
        if (wasTraining) segmenter.train();
        return cat(parts, 0);
    }

    private static double Accuracy(DomainDiscriminator probe, Tensor features, long[] domains)
    {
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        long correct = 0;
        for (long start = 0; start < domains.Length; start += 64)
        {
            long n = Math.Min(64, domains.Length - start);
            Tensor predicted = probe.call(features.narrow(0, start, n)).argmax(1);
            correct += predicted.eq(tensor(domains.AsSpan((int)start, (int)n).ToArray())).sum().item<long>();
        }
        return correct / (double)domains.Length;
    }
}
