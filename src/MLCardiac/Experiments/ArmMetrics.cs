namespace MLCardiac.Experiments;

/// <summary>Everything measured for one arm (all seeds pooled).</summary>
public sealed record ArmMetrics
{
    /// <summary>Arm name.</summary>
    public required string Arm { get; init; }
    /// <summary>The resolved arm.</summary>
    public required ArmDefinition Definition { get; init; }
    /// <summary>Seeds pooled.</summary>
    public required IReadOnlyList<int> Seeds { get; init; }
    /// <summary>Training wall time summed over seeds, s.</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Evaluation wall time summed over seeds, s.</summary>
    public double EvaluationSeconds { get; init; }
    /// <summary>Groups by role: "seen", "unseen" (vendors never seen in any form) and "target" (DANN target vendors) when any.</summary>
    public required IReadOnlyList<GroupMetrics> ByRole { get; init; }
    /// <summary>One group per vendor.</summary>
    public required IReadOnlyList<GroupMetrics> ByVendor { get; init; }
    /// <summary>One group per centre (when the data names centres).</summary>
    public required IReadOnlyList<GroupMetrics> ByCentre { get; init; }
    /// <summary>One group per data source, when the study reads several (empty otherwise).</summary>
    public IReadOnlyList<GroupMetrics> BySource { get; init; } = [];
    /// <summary>Seen / unseen / target × ED / ES.</summary>
    public required IReadOnlyList<GroupMetrics> ByFrame { get; init; }
    /// <summary>Seen minus never-seen mean Dice (case means), with a two-sample interval resampling subjects: the generalization gap.</summary>
    public required Interval DiceGap { get; init; }
    /// <summary>Seen minus target-vendor mean Dice (NaN without target vendors).</summary>
    public Interval TargetDiceGap { get; init; } = new(double.NaN, double.NaN, double.NaN);
    /// <summary>Whether training converged (every seed); an unconverged arm gets no verdict on its strategy.</summary>
    public TrainingConvergence Convergence { get; init; } = new(false, double.NaN, "not judged");
    /// <summary>How well the arm's quality control flags what not to trust (null: its pipeline had no QC stage).</summary>
    public ReliabilityMetrics? Reliability { get; init; }
    /// <summary>Unseen minus seen mean HD95 over the three structures, mm.</summary>
    public double Hd95GapMm { get; init; }
    /// <summary>
    /// The post-processing chosen on validation against the largest-component filter on every structure: paired change of
    /// mean Dice per role group ("seen", "target", "unseen"), subjects resampled. Empty for results without the comparison.
    /// </summary>
    public IReadOnlyList<PostProcessingEffect> PostProcessingEffects { get; init; } = [];
}

/// <summary>The chosen post-processing against always-on, for one role group of an arm.</summary>
/// <param name="Group">"seen", "target" or "unseen".</param>
/// <param name="Subjects">Distinct subjects.</param>
/// <param name="Cases">Cases (subject × frame × seed).</param>
/// <param name="DiceDelta">Mean Dice (chosen) minus mean Dice (always-on), paired per case, subjects resampled.</param>
/// <param name="CasesChanged">Cases whose Dice differs between the two.</param>
public sealed record PostProcessingEffect(string Group, int Subjects, int Cases, Interval DiceDelta, int CasesChanged);
