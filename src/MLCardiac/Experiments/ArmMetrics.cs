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
    /// <summary>With cross-validation: one row per fold model (all seeds pooled); empty without.</summary>
    public IReadOnlyList<FoldMetrics> Folds { get; init; } = [];
    /// <summary>With cross-validation: the out-of-fold predictions of every training case, pooled over folds and seeds; null without.</summary>
    public GroupMetrics? OutOfFold { get; init; }
    /// <summary>
    /// With cross-validation: the ensemble of the fold models against a single fold model, per role group — paired per test
    /// case, the ensemble's mean Dice minus the mean over fold models of their own, subjects resampled. Empty without.
    /// </summary>
    public IReadOnlyList<EnsembleEffect> EnsembleEffects { get; init; } = [];
    /// <summary>
    /// Dice per structure at the base, mid-ventricle and apex (<see cref="Evaluation.SlicePositions"/>), per role (seen,
    /// target, unseen), with subject-resampled intervals (schema ≥ 8).
    /// </summary>
    public IReadOnlyList<SlicePositionMetrics> SlicePositions { get; init; } = [];
}

/// <summary>One fold model of an arm (seeds pooled).</summary>
/// <param name="Fold">0-based fold.</param>
/// <param name="TrainSubjects">Labeled training subjects (of the first seed).</param>
/// <param name="ValidationSubjects">Its out-of-fold subjects.</param>
/// <param name="OutOfFoldDice">Mean Dice of its out-of-fold cases.</param>
/// <param name="SeenDice">Mean Dice alone on the held-out test cases of the training vendors (NaN: none).</param>
/// <param name="UnseenDice">Mean Dice alone on the never-seen vendors' test cases (NaN: none).</param>
/// <param name="BestEpoch">Epoch kept (of the first seed).</param>
/// <param name="Converged">Whether every seed's run of this fold converged (<see cref="TrainingConvergence"/>).</param>
public sealed record FoldMetrics(int Fold, int TrainSubjects, int ValidationSubjects, double OutOfFoldDice, double SeenDice, double UnseenDice, int BestEpoch, bool Converged);

/// <summary>The ensemble against a single fold model, for one role group of an arm.</summary>
/// <param name="Group">"seen", "target" or "unseen".</param>
/// <param name="Subjects">Distinct subjects.</param>
/// <param name="Cases">Cases (subject × frame × seed).</param>
/// <param name="SingleDice">Mean Dice of a single fold model (averaged over the folds), with its interval.</param>
/// <param name="EnsembleDice">Mean Dice of the ensemble, with its interval.</param>
/// <param name="DiceDelta">Ensemble minus single, paired per case, subjects resampled.</param>
/// <param name="BestFoldDelta">Ensemble minus the fold model with the highest mean Dice on these cases (a bound chosen after the fact, no interval).</param>
public sealed record EnsembleEffect(string Group, int Subjects, int Cases, Interval SingleDice, Interval EnsembleDice, Interval DiceDelta, double BestFoldDelta);

/// <summary>The chosen post-processing against always-on, for one role group of an arm.</summary>
/// <param name="Group">"seen", "target" or "unseen".</param>
/// <param name="Subjects">Distinct subjects.</param>
/// <param name="Cases">Cases (subject × frame × seed).</param>
/// <param name="DiceDelta">Mean Dice (chosen) minus mean Dice (always-on), paired per case, subjects resampled.</param>
/// <param name="CasesChanged">Cases whose Dice differs between the two.</param>
public sealed record PostProcessingEffect(string Group, int Subjects, int Cases, Interval DiceDelta, int CasesChanged);

/// <summary>Mean Dice of each structure in one part of the heart (base, mid, apex) for one role, intervals resampling subjects.</summary>
/// <param name="Group">"seen", "target" or "unseen".</param>
/// <param name="Position">"base", "mid" or "apex".</param>
/// <param name="Subjects">Distinct subjects.</param>
/// <param name="Cases">Cases (subject × frame × seed).</param>
/// <param name="Lv">LV blood pool Dice.</param>
/// <param name="Myo">Myocardium Dice.</param>
/// <param name="Rv">RV blood pool Dice.</param>
public sealed record SlicePositionMetrics(string Group, string Position, int Subjects, int Cases, Interval Lv, Interval Myo, Interval Rv);
