using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Training;

/// <summary>
/// Trains a <see cref="VendorClassifierNetwork"/> (the kind <see cref="VendorClassifierOptions.Network"/> gives) to recognise the vendor of a slice and calibrates its
/// "unfamiliar scanner" threshold on held-out volumes of the same vendors.
/// </summary>
public sealed class VendorClassifierTrainer
{
    private readonly VendorClassifierOptions _options;

    /// <summary>Creates a trainer; throws <see cref="ArgumentException"/> for invalid options.</summary>
    public VendorClassifierTrainer(VendorClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>
    /// Trains on every slice of <paramref name="train"/> (labels are not needed: the target is the slice's
    /// domain) and calibrates the threshold on <paramref name="calibration"/> (held-out subjects of the same
    /// vendors; the training set itself when null, which under-estimates false alarms).
    /// </summary>
    public VendorClassifier Fit(SliceDataset train, SliceDataset? calibration = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = _options;
        if (train.Slices.Select(s => s.Domain).Distinct().Count() < 2)
            throw new MLCardiacException("A vendor classifier needs slices of at least two vendors.");
        torch.manual_seed((long)SeedSequence.Derive(o.Seed, 0x7E5));
        VendorClassifierNetwork network = (o.Network with { Classes = train.Domains.Count }).CreateNetwork();
        using var optimizer = new TrainingOptimizer(OptimizerKind.AdamW, network.parameters(), o.LearningRate, o.WeightDecay);
        int steps = o.IterationsPerEpoch > 0 ? o.IterationsPerEpoch : Math.Max(1, (train.Slices.Count + o.BatchSize - 1) / o.BatchSize);
        int pixels = train.Height * train.Width;
        var images = new float[o.BatchSize * pixels];
        var targets = new long[o.BatchSize];
        long total = (long)o.Epochs * steps;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            var rng = new Random(SeedSequence.DeriveInt(o.Seed, 11, epoch));
            network.train();
            double lossSum = 0;
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long global = (long)epoch * steps + step;
                double lr = LearningRateSchedule.Cosine.At(o.LearningRate, (double)global / total);
                optimizer.LearningRate = lr;
                for (int r = 0; r < o.BatchSize; r++)
                {
                    var s = train.Slices[rng.Next(train.Slices.Count)];
                    s.Image.CopyTo(images, r * pixels);
                    targets[r] = s.Domain;
                }
                using var scope = torch.NewDisposeScope();
                optimizer.ZeroGrad();
                Tensor loss = nn.functional.cross_entropy(
                    network.call(tensor(images, new long[] { o.BatchSize, 1, train.Height, train.Width })), tensor(targets));
                loss.backward();
                optimizer.Step();
                lossSum += loss.item<float>();
                progress?.Report(new TrainingProgress(epoch, o.Epochs, step + 1, steps, lossSum / (step + 1), null,
                    TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / (global + 1) * (total - global - 1))));
            }
        }

        var classifier = new VendorClassifier(network, train.Domains, threshold: 0);
        var scores = classifier.PredictVolumes(calibration ?? train).Select(v => v.Confidence).ToArray();
        classifier.Threshold = VendorClassifier.CalibrateThreshold(scores, o.FalseAlarmRate);
        return classifier;
    }
}
