using MLCardiac.Training;

namespace MLCardiac.Search;

/// <summary>
/// The search's validation metric read off a trainer's epoch records (<see cref="SegmentationTrialObjective"/>).
/// </summary>
internal static class ValidationMetric
{
    /// <summary>The metric <paramref name="metric"/> ("lv", "myo", "rv", else mean Dice) of one epoch; NaN when the epoch has none.</summary>
    public static double Pick(string metric, IReadOnlyList<double>? dice, double? mean) => metric switch
    {
        "lv" => dice is { Count: 3 } ? dice[0] : double.NaN,
        "myo" => dice is { Count: 3 } ? dice[1] : double.NaN,
        "rv" => dice is { Count: 3 } ? dice[2] : double.NaN,
        _ => mean ?? double.NaN,
    };

    /// <summary>
    /// The best value of <paramref name="metric"/> over a fold's <paramref name="history"/>; adds the best epoch's mean
    /// and per-class Dice to <paramref name="details"/> as "fold&lt;n&gt;:&lt;vendor&gt;/meanDice|lv|myo|rv".
    /// </summary>
    public static double SummarizeFold(string metric, IReadOnlyList<EpochRecord> history, int bestEpoch, int fold, string heldOut, Dictionary<string, double> details)
    {
        double foldBest = history.Select(h => Pick(metric, h.ValidationDice, h.ValidationMeanDice)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();
        EpochRecord best = history[bestEpoch];
        details[$"fold{fold}:{heldOut}/meanDice"] = best.ValidationMeanDice ?? double.NaN;
        if (best.ValidationDice is { Count: 3 } d)
        {
            details[$"fold{fold}:{heldOut}/lv"] = d[0];
            details[$"fold{fold}:{heldOut}/myo"] = d[1];
            details[$"fold{fold}:{heldOut}/rv"] = d[2];
        }
        return foldBest;
    }

    /// <summary>
    /// Reports a fold's best-so-far metric to the search after each epoch (what stopping there would keep) and cancels
    /// the trainer at once when ASHA answers stop. Only the first fold reports: ASHA's rungs compare trials on it.
    /// </summary>
    internal sealed class EpochReporter(TrialContext context, string metric, bool reports, CancellationTokenSource stop)
    {
        /// <summary>The best metric reported so far (−∞ before the first).</summary>
        public double Best { get; private set; } = double.NegativeInfinity;

        /// <summary>The trainer's per-epoch callback.</summary>
        public void Report(EpochRecord epoch)
        {
            if (!reports) return;
            double v = Pick(metric, epoch.ValidationDice, epoch.ValidationMeanDice);
            if (!double.IsNaN(v)) Best = Math.Max(Best, v);
            if (!context.Report(epoch.Epoch + 1, Best)) stop.Cancel();
        }
    }
}
