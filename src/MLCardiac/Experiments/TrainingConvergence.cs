using System.Globalization;
using MLCardiac.Training;

namespace MLCardiac.Experiments;

/// <summary>
/// Whether one training run had converged when it ended, judged from its validation curve, so that a study never turns an
/// under-trained arm's numbers into a verdict on its strategy. A run has converged when it stopped early on patience
/// (its best epoch was followed by <c>patience</c> epochs without improvement), or when the best validation mean Dice of
/// its last <see cref="Window"/> epochs improved on the best before them by less than <see cref="Tolerance"/>: the curve
/// has reached its plateau. A run without validation cannot be judged and counts as not converged.
/// </summary>
/// <remarks>
/// The rule makes mechanical what nnU-Net's progress plot leaves to the eye (the validation pseudo-Dice flattening). Half a
/// Dice point is half the smallest strategy effect a converged study of ours has shown (+0.0105 for standard augmentation
/// on never-seen vendors, full profile): a run still gaining that much per window could still change the verdict.
/// </remarks>
/// <param name="Converged">Whether the run had reached its plateau (or stopped early on patience).</param>
/// <param name="LastGain">Best validation mean Dice of the last window minus the best before it; NaN when it cannot be measured.</param>
/// <param name="Reason">One sentence: why the run counts as converged or not.</param>
public sealed record TrainingConvergence(bool Converged, double LastGain, string Reason)
{
    /// <summary>Largest gain of validation mean Dice over the last window that still counts as a plateau.</summary>
    public const double Tolerance = 0.005;

    /// <summary>Epochs in the last window: a third of the run, at least 2.</summary>
    public static int Window(int epochs) => Math.Max(2, (int)Math.Ceiling(epochs / 3.0));

    /// <summary>Judges one run from its epoch records.</summary>
    /// <param name="history">The run's epochs, in order.</param>
    /// <param name="stoppedEarly">Whether the trainer stopped on its patience.</param>
    public static TrainingConvergence Of(IReadOnlyList<EpochRecord> history, bool stoppedEarly)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (stoppedEarly) return new(true, double.NaN, "stopped early: validation Dice stopped improving for the trainer's patience");
        double[] dice = [.. history.Select(e => e.ValidationMeanDice ?? double.NaN)];
        if (dice.Length == 0 || dice.Any(double.IsNaN))
            return new(false, double.NaN, "no validation curve to judge convergence by");
        int window = Window(dice.Length);
        if (dice.Length <= window)
            return new(false, double.NaN, $"only {dice.Length} epochs: too few to see a plateau (needs more than {window})");
        double before = dice[..^window].Max(), last = dice[^window..].Max();
        double gain = last - before;
        return gain < Tolerance
            ? new(true, gain, string.Create(CultureInfo.InvariantCulture, $"validation Dice flat over the last {window} epochs (gain {gain:+0.0000;-0.0000} < {Tolerance:0.000})"))
            : new(false, gain, string.Create(CultureInfo.InvariantCulture, $"validation Dice still rising over the last {window} of {dice.Length} epochs (+{gain:0.0000} ≥ {Tolerance:0.000})"));
    }

    /// <summary>An arm over its seeds: converged when every seed is; the largest gain; the reason of every unconverged seed.</summary>
    public static TrainingConvergence OfSeeds(IReadOnlyList<(int Seed, TrainingConvergence Run)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) return new(false, double.NaN, "no finished run");
        double gain = runs.Select(r => r.Run.LastGain).Where(g => !double.IsNaN(g)).DefaultIfEmpty(double.NaN).Max();
        var unconverged = runs.Where(r => !r.Run.Converged).ToList();
        if (unconverged.Count > 0)
            return new(false, gain, runs.Count == 1 ? unconverged[0].Run.Reason : string.Join("; ", unconverged.Select(r => $"seed {r.Seed}: {r.Run.Reason}")));
        return new(true, gain, runs.Count == 1 ? runs[0].Run.Reason : $"all {runs.Count} seeds: {string.Join("; ", runs.Select(r => r.Run.Reason).Distinct())}");
    }
}
