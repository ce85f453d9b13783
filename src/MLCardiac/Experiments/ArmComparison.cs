namespace MLCardiac.Experiments;

/// <summary>An arm against the baseline (the first arm) on identical held-out cases: paired differences of mean Dice.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Baseline">The baseline arm.</param>
/// <param name="Group">"seen", "target" or "unseen" (from the arm's point of view).</param>
/// <param name="Cases">Paired cases (subject × frame × seed).</param>
/// <param name="DiceDelta">Mean of (arm − baseline) case mean Dice, with a paired interval that resamples subjects.</param>
/// <param name="Hd95DeltaMm">Mean of (arm − baseline) HD95 over the three structures (defined cases), mm.</param>
public sealed record ArmComparison(string Arm, string Baseline, string Group, int Cases, Interval DiceDelta, double Hd95DeltaMm)
{
    /// <summary>Distinct subjects of the paired cases (the units the interval resamples).</summary>
    public int Subjects { get; init; }
    /// <summary>Whether both the arm and the baseline converged: only then does the interval become a verdict (helped, hurt).</summary>
    public bool Converged { get; init; }
    /// <summary>"helped", "hurt", "no clear difference", or "not converged: no verdict on this strategy".</summary>
    public string Verdict => !Converged ? NoVerdict : DiceDelta.AboveZero ? "helped" : DiceDelta.BelowZero ? "hurt" : "made no clear difference";
    /// <summary>The verdict of a comparison in which an arm had not converged.</summary>
    public const string NoVerdict = "not converged: no verdict on this strategy";
}

/// <summary>
/// One structure's Dice, in one part of the heart (or "all" of it), of an arm against the baseline arm on the same cases
/// (subject × frame × seed), for one role: where along the heart an architecture or strategy helps or hurts. The interval
/// resamples subjects (all frames and seeds of a subject together).
/// </summary>
/// <param name="Arm">The arm.</param>
/// <param name="Baseline">The first arm of the study.</param>
/// <param name="Group">"seen", "target" or "unseen".</param>
/// <param name="Structure">"LV", "MYO" or "RV".</param>
/// <param name="Position">"all", "base", "mid" or "apex".</param>
/// <param name="Subjects">Distinct subjects paired.</param>
/// <param name="DiceDelta">Arm − baseline Dice.</param>
public sealed record StructureComparison(string Arm, string Baseline, string Group, string Structure, string Position, int Subjects, Interval DiceDelta)
{
    /// <summary>True when both arms' training converged (<see cref="TrainingConvergence"/>); otherwise no verdict is given.</summary>
    public bool Converged { get; init; }

    /// <summary>
    /// "helps" or "hurts" when both arms converged and the interval excludes zero, "no clear difference" when it includes
    /// zero, and "not converged" — no verdict, as for <see cref="ArmComparison.Verdict"/> — when either arm had not converged.
    /// </summary>
    public string Verdict => !Converged ? "not converged" : DiceDelta.AboveZero ? "helps" : DiceDelta.BelowZero ? "hurts" : "no clear difference";
}
