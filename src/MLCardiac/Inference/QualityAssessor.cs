using System.Globalization;
using MLCardiac.Augmentation;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.Models;

namespace MLCardiac.Inference;

/// <summary>Settings of the quality-control stage (hyperparameters only).</summary>
public sealed record QualityControlOptions
{
    /// <summary>Share of held-out training-vendor cases the shift threshold may flag.</summary>
    public double FalseAlarmRate { get; init; } = 0.05;
    /// <summary>A case whose predicted mean Dice (LV, MYO, RV) falls below this is flagged.</summary>
    public double MinPredictedDice { get; init; } = 0.80;
    /// <summary>Degraded copies of each fitting case the Dice predictor also learns from (0: the held-out cases alone).</summary>
    public int Degradations { get; init; } = 1;
    /// <summary>Most training cases whose degraded copies are added when the held-out cases are few.</summary>
    public int MaxDegradedTrainingCases { get; init; } = 8;
    /// <summary>Anatomical findings in this many slices or more flag a case; fewer are reported without flagging it (a one-slice defect barely moves a volume's Dice).</summary>
    public int MinFindingSlices { get; init; } = 2;
    /// <summary>Central share of the fitting residuals the predicted-Dice interval covers.</summary>
    public double Coverage { get; init; } = 0.8;
    /// <summary>Seed of the degradations.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!(FalseAlarmRate is > 0 and < 1)) throw new ArgumentException($"FalseAlarmRate must be in (0, 1), got {FalseAlarmRate}.");
        if (!(MinPredictedDice is >= 0 and <= 1)) throw new ArgumentException($"MinPredictedDice must be in [0, 1], got {MinPredictedDice}.");
        if (Degradations is < 0 or > 32) throw new ArgumentException($"Degradations must be in 0..32, got {Degradations}.");
        if (MinFindingSlices < 1) throw new ArgumentException($"MinFindingSlices must be at least 1, got {MinFindingSlices}.");
        if (MaxDegradedTrainingCases < 0) throw new ArgumentException($"MaxDegradedTrainingCases must be at least 0, got {MaxDegradedTrainingCases}.");
        if (!(Coverage is > 0 and < 1)) throw new ArgumentException($"Coverage must be in (0, 1), got {Coverage}.");
    }
}

/// <summary>The quality verdict on one segmented frame, without ground truth.</summary>
/// <param name="ShiftScore">Distance of the scan's features to the training scans' (<see cref="ShiftDetector"/>).</param>
/// <param name="ShiftThreshold">Calibrated threshold: above it, the scan is unlike the training vendors.</param>
/// <param name="PredictedDice">Predicted Dice of LV, MYO, RV.</param>
/// <param name="PredictedDiceLow">Lower ends of their intervals.</param>
/// <param name="PredictedDiceHigh">Upper ends of their intervals.</param>
/// <param name="Findings">Broken anatomical rules (<see cref="AnatomicalPlausibility"/>).</param>
/// <param name="Reasons">Why the case is flagged, one sentence each; empty when it is not. Anatomical findings become reasons when they span <see cref="QualityControlOptions.MinFindingSlices"/> slices or more.</param>
public sealed record QualityAssessment(double ShiftScore, double ShiftThreshold, double[] PredictedDice, double[] PredictedDiceLow, double[] PredictedDiceHigh,
    IReadOnlyList<PlausibilityFinding> Findings, IReadOnlyList<string> Reasons)
{
    /// <summary>True when the scan lies beyond the shift threshold.</summary>
    public bool Shifted => ShiftScore > ShiftThreshold;
    /// <summary>Mean predicted Dice of the three structures.</summary>
    public double PredictedMeanDice => PredictedDice.Average();
    /// <summary>True when the case should be reviewed: shifted, a low predicted Dice, or an implausible shape.</summary>
    public bool Flagged => Reasons.Count > 0;
}

/// <summary>Too little data to fit quality control (a pipeline fitted on one or two subjects); <c>FitPipeline</c> then leaves the stage out.</summary>
public sealed class QualityControlDataException : MLCardiacException
{
    /// <summary>With the reason.</summary>
    public QualityControlDataException(string message) : base(message) { }
}

/// <summary>One case a quality-control stage is fitted on: preprocessed slices [count, size, size], and labels on the same grid when known.</summary>
public sealed record QualityCase(string Subject, float[] Slices, byte[]? Labels);

/// <summary>
/// Says when not to trust a segmentation, from the segmentation network itself: a shift score (Mahalanobis distance of
/// its features to the training scans', <see cref="ShiftDetector"/>), a predicted Dice per structure with an interval
/// (<see cref="DicePredictor"/> on the agreement of mirror-image predictions and the network's own expected Dice), and the
/// anatomical rules of <see cref="AnatomicalPlausibility"/>. The internals of the pipeline's QualityControl stage.
/// </summary>
/// <remarks>
/// Fitting: the shift statistics come from the training cases; the threshold from scores the statistics did not see — each
/// training subject scored by statistics fitted without it, and the validation cases; the Dice predictor from the
/// validation cases (true Dice known, network never trained on them) and degraded copies of them and of some training cases
/// (intensity and artefact changes stronger than any augmentation preset), so that its line spans bad cases too.
/// </remarks>
public sealed class QualityAssessor
{
    internal QualityAssessor(SegmentationNetwork network, ShiftDetector detector, double threshold, IReadOnlyList<DicePredictor> dice, QualityControlOptions options)
    {
        Network = network;
        Detector = detector;
        Threshold = threshold;
        Dice = dice;
        Options = options;
    }

    /// <summary>The segmentation network whose features are read (owned by the segmentation stage).</summary>
    public SegmentationNetwork Network { get; }
    /// <summary>The shift statistics.</summary>
    public ShiftDetector Detector { get; }
    /// <summary>The calibrated shift threshold.</summary>
    public double Threshold { get; }
    /// <summary>Dice predictors of LV, MYO, RV.</summary>
    public IReadOnlyList<DicePredictor> Dice { get; }
    /// <summary>The settings it was fitted with.</summary>
    public QualityControlOptions Options { get; }

    /// <summary>Fits the quality control of <paramref name="network"/> on its training cases and held-out validation cases.</summary>
    public static QualityAssessor Fit(SegmentationNetwork network, int size, IReadOnlyList<QualityCase> training, IReadOnlyList<QualityCase> validation,
        QualityControlOptions options, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int subjects = training.Concat(validation).Select(c => c.Subject).Distinct(StringComparer.Ordinal).Count();
        if (training.Count < 2 || subjects < 2)
            throw new QualityControlDataException($"Quality control needs at least two labeled training cases and two subjects in training and validation together; it got {training.Count} training case(s) of {subjects} subject(s).");
        var labeledValidation = validation.Where(c => c.Labels is not null).ToList();
        int px = size * size;
        var pool = new List<QualityCase>();
        pool.AddRange(labeledValidation);
        var degradeFrom = labeledValidation.ToList();
        if (labeledValidation.Count < 10) degradeFrom.AddRange(training.Where(c => c.Labels is not null).Take(options.MaxDegradedTrainingCases));
        var degradation = Degradation();
        int index = 0;
        foreach (QualityCase c in degradeFrom)
            for (int k = 0; k < options.Degradations; k++)
                pool.Add(c with { Slices = Degrade(c.Slices, size, degradation, (ulong)options.Seed, index++) });
        if (pool.Count < 3)
            throw new QualityControlDataException($"Quality control needs at least three labeled held-out or degraded cases to predict Dice; it has {pool.Count} (give validation rows, or Degradations > 0).");

        int total = training.Count + pool.Count, done = 0;
        QualityFeatures Features(QualityCase c, bool shiftOnly)
        {
            var f = QualityFeatures.Compute(network, c.Slices, c.Slices.Length / px, size, shiftOnly: shiftOnly, cancellationToken: cancellationToken);
            progress?.Report(++done / (double)total);
            return f;
        }
        var trainFeatures = training.Select(c => (c.Subject, Features(c, shiftOnly: true).Shift)).ToList();
        var detector = ShiftDetector.Fit([.. trainFeatures.Select(t => t.Shift)]);
        var heldOutScores = new List<double>();
        foreach (var subject in trainFeatures.GroupBy(t => t.Subject, StringComparer.Ordinal))
        {
            var rest = trainFeatures.Where(t => t.Subject != subject.Key).Select(t => t.Shift).ToList();
            if (rest.Count < 2) continue;
            var without = ShiftDetector.Fit(rest);
            heldOutScores.AddRange(subject.Select(t => without.Score(t.Shift)));
        }
        var fitting = new List<(QualityFeatures Features, double[] TrueDice)>();
        foreach (QualityCase c in pool)
        {
            var f = Features(c, shiftOnly: false);
            fitting.Add((f, TrueDice(f.Predicted, c.Labels!)));
        }
        heldOutScores.AddRange(fitting.Take(labeledValidation.Count).Select(f => detector.Score(f.Features.Shift)));
        if (heldOutScores.Count == 0)
            throw new QualityControlDataException("Quality control needs scans its shift statistics did not see to calibrate on: at least two training subjects, or validation rows.");
        double threshold = ShiftDetector.Calibrate(heldOutScores, options.FalseAlarmRate);
        var dice = Enumerable.Range(0, QualityFeatures.Structures.Length)
            .Select(k => DicePredictor.Fit([.. fitting.Select(f => (f.Features.Agreement[k], f.Features.SoftDice[k], f.TrueDice[k]))], options.Coverage)).ToArray();
        return new QualityAssessor(network, detector, threshold, dice, options);
    }

    /// <summary>
    /// The verdict on one frame: its preprocessed <paramref name="slices"/> ([count, size, size]) and the labels the
    /// pipeline predicted on the image grid (<paramref name="labels"/>, <paramref name="nx"/>×<paramref name="ny"/>×<paramref name="nz"/>, <paramref name="spacing"/>).
    /// </summary>
    public QualityAssessment Assess(ReadOnlySpan<float> slices, int size, ReadOnlySpan<byte> labels, int nx, int ny, int nz, Spacing spacing, CancellationToken cancellationToken = default)
    {
        var features = QualityFeatures.Compute(Network, slices, slices.Length / (size * size), size, cancellationToken: cancellationToken);
        var findings = AnatomicalPlausibility.Check(labels, nx, ny, nz, spacing);
        return Verdict(features, findings);
    }

    internal QualityAssessment Verdict(QualityFeatures features, IReadOnlyList<PlausibilityFinding> findings)
    {
        double score = Detector.Score(features.Shift);
        int k = QualityFeatures.Structures.Length;
        double[] predicted = new double[k], low = new double[k], high = new double[k];
        for (int i = 0; i < k; i++)
        {
            predicted[i] = Dice[i].Predict(features.Agreement[i], features.SoftDice[i]);
            (low[i], high[i]) = Dice[i].Interval(features.Agreement[i], features.SoftDice[i]);
        }
        var reasons = new List<string>();
        if (score > Threshold)
            reasons.Add(Invariant($"Unfamiliar scan: its features lie {score:F1} from the training scans' (threshold {Threshold:F1}); the model may not have seen a scanner or protocol like it."));
        double mean = predicted.Average();
        if (mean < Options.MinPredictedDice)
            reasons.Add(Invariant($"Low predicted quality: mean Dice {mean:F2} (LV {predicted[0]:F2}, MYO {predicted[1]:F2}, RV {predicted[2]:F2}) is below {Options.MinPredictedDice:F2}."));
        int slices = findings.Select(f => f.Slice ?? -1).Distinct().Count();
        if (slices >= Options.MinFindingSlices)
            reasons.AddRange(findings.Select(f => "Implausible anatomy: " + f.Message));
        return new QualityAssessment(score, Threshold, predicted, low, high, findings, reasons);
    }

    /// <summary>
    /// The degradations the Dice predictor also learns from: intensity and acquisition changes well beyond the augmentation
    /// presets (labels stay valid: nothing moves), so that fitting cases span failing segmentations as well as good ones.
    /// </summary>
    private static AugmentationPipeline Degradation() => new(
    [
        new(new RandomBiasField { Coefficients = ParameterRange.Symmetric(0.8) }, 0.5),
        new(new RandomGamma { Range = new(0.35, 2.8) }, 0.5),
        new(new RandomIntensityRemap { Strength = new(0.4, 1.0) }, 0.5),
        new(new RandomGhosting { Intensity = new(0.6, 1.0) }, 0.3),
        new(new RandomLowResolution { Scale = new(0.25, 0.6) }, 0.3),
        new(new RandomGaussianNoise { Variance = new(0.02, 0.4) }, 0.5),
        new(new RandomContrast { Range = new(0.4, 1.6) }, 0.3),
    ]);

    private static float[] Degrade(float[] slices, int size, AugmentationPipeline pipeline, ulong seed, int index)
    {
        float[] copy = (float[])slices.Clone();
        int px = size * size;
        for (int z = 0; z < copy.Length / px; z++)
            // One draw per case: every slice of a stack gets the same degradation, as one scan would.
            pipeline.Apply(new AugmentationSample(copy.AsSpan(z * px, px), size, size), AugmentationRandom.ForSample(seed, index));
        // The stack is normalised again, as the Preprocess stage normalises every scan.
        double mean = 0, sq = 0;
        foreach (float v in copy) { mean += v; sq += (double)v * v; }
        mean /= copy.Length;
        double sd = Math.Sqrt(Math.Max(sq / copy.Length - mean * mean, 1e-12));
        for (int i = 0; i < copy.Length; i++) copy[i] = (float)((copy[i] - mean) / sd);
        return copy;
    }

    private static double[] TrueDice(byte[] predicted, byte[] labels) =>
        [.. Enumerable.Range(1, QualityFeatures.Structures.Length).Select(k => QualityFeatures.Dice(predicted, labels, (byte)k))];

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
