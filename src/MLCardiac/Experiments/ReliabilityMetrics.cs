using MLCardiac.Evaluation;

namespace MLCardiac.Experiments;

/// <summary>
/// How well an arm's quality control tells when not to trust its segmentations, measured on the held-out cases against the
/// true Dice: separation of never-seen vendors from held-out training-vendor scans by the shift score, false alarms, the
/// correlation of predicted with true Dice, and what the QC flag catches.
/// </summary>
public sealed record ReliabilityMetrics
{
    /// <summary>True mean Dice below which a case counts as failed for <see cref="CatchRate"/>.</summary>
    public const double FailedDice = 0.80;

    /// <summary>Per vendor other than the training vendors: AUROC of the shift score, those cases against the held-out seen-vendor cases.</summary>
    public required IReadOnlyDictionary<string, double> ShiftAuroc { get; init; }
    /// <summary>Share of held-out seen-vendor cases whose shift score passed the threshold.</summary>
    public double ShiftFalseAlarms { get; init; }
    /// <summary>Per vendor other than the training vendors: share of its cases whose shift score passed the threshold.</summary>
    public required IReadOnlyDictionary<string, double> ShiftDetected { get; init; }
    /// <summary>Spearman correlation of predicted and true mean Dice over every held-out case.</summary>
    public double Spearman { get; init; }
    /// <summary>Share of structures (LV, MYO, RV of every case) whose true Dice lay inside the predicted interval.</summary>
    public double IntervalCoverage { get; init; }
    /// <summary>Cases with a true mean Dice below <see cref="FailedDice"/>.</summary>
    public int FailedCases { get; init; }
    /// <summary>Share of those the QC flag caught (NaN when there are none).</summary>
    public double CatchRate { get; init; }
    /// <summary>Share of held-out seen-vendor cases the QC flag raised.</summary>
    public double SeenFlagRate { get; init; }
    /// <summary>Cases measured.</summary>
    public int Cases { get; init; }
    /// <summary>(predicted, true) mean Dice of every case, with its vendor, for the scatter plot.</summary>
    public IReadOnlyList<PredictedDicePoint> Points { get; init; } = [];

    /// <summary>The metrics of the cases that carry a QC verdict; null when none does.</summary>
    public static ReliabilityMetrics? From(IReadOnlyList<CaseMetrics> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var judged = cases.Where(c => c.Quality is not null).ToList();
        if (judged.Count == 0) return null;
        var seen = judged.Where(c => c.Role == "seen").ToList();
        double[] seenScores = [.. seen.Select(c => c.Quality!.ShiftScore)];
        var others = judged.Where(c => c.Role != "seen").GroupBy(c => c.Vendor, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var failed = judged.Where(c => c.MeanDice < FailedDice).ToList();
        long inside = 0, structures = 0;
        foreach (var c in judged)
        {
            double[] truth = [c.Lv.Dice, c.Myo.Dice, c.Rv.Dice];
            for (int k = 0; k < 3; k++)
            {
                if (double.IsNaN(truth[k])) continue;
                structures++;
                if (truth[k] >= c.Quality!.PredictedDiceLow[k] - 1e-6 && truth[k] <= c.Quality.PredictedDiceHigh[k] + 1e-6) inside++;
            }
        }
        return new ReliabilityMetrics
        {
            ShiftAuroc = others.ToDictionary(g => g.Key, g => Ranking.Auroc([.. g.Select(c => c.Quality!.ShiftScore)], seenScores), StringComparer.Ordinal),
            ShiftDetected = others.ToDictionary(g => g.Key, g => g.Count(c => c.Quality!.ShiftDetected) / (double)g.Count(), StringComparer.Ordinal),
            ShiftFalseAlarms = seen.Count == 0 ? double.NaN : seen.Count(c => c.Quality!.ShiftDetected) / (double)seen.Count,
            Spearman = Ranking.Spearman([.. judged.Select(c => c.Quality!.PredictedMeanDice)], [.. judged.Select(c => c.MeanDice)]),
            IntervalCoverage = structures == 0 ? double.NaN : inside / (double)structures,
            FailedCases = failed.Count,
            CatchRate = failed.Count == 0 ? double.NaN : failed.Count(c => c.Quality!.Flagged) / (double)failed.Count,
            SeenFlagRate = seen.Count == 0 ? double.NaN : seen.Count(c => c.Quality!.Flagged) / (double)seen.Count,
            Cases = judged.Count,
            Points = [.. judged.Select(c => new PredictedDicePoint(c.Vendor, c.Role, c.Quality!.PredictedMeanDice, c.MeanDice, c.Quality.Flagged))],
        };
    }
}

/// <summary>One case in the predicted-against-true Dice scatter.</summary>
public sealed record PredictedDicePoint(string Vendor, string Role, double Predicted, double True, bool Flagged);
