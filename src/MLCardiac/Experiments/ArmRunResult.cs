using System.Text.Json.Serialization;
using MLCardiac.Training;

namespace MLCardiac.Experiments;

/// <summary>The saved outcome of one arm and seed (<c>reports/ID/arms/ARM/seed-N/result.json</c>).</summary>
public sealed record ArmRunResult
{
    /// <summary>Arm name.</summary>
    public required string Arm { get; init; }
    /// <summary>Training seed.</summary>
    public required int Seed { get; init; }
    /// <summary>The resolved arm definition.</summary>
    public required ArmDefinition Definition { get; init; }
    /// <summary>Hash of everything that determines the result (arm, seed, data, split, preprocessing).</summary>
    public required string Fingerprint { get; init; }
    /// <summary>Training curve: one record per epoch.</summary>
    public required IReadOnlyList<EpochRecord> History { get; init; }
    /// <summary>0-based epoch whose weights were kept.</summary>
    public int BestEpoch { get; init; }
    /// <summary>Whether the trainer stopped early on its patience.</summary>
    public bool StoppedEarly { get; init; }
    /// <summary>Training wall time, s.</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Evaluation wall time, s.</summary>
    public double EvaluationSeconds { get; init; }
    /// <summary>Labeled training subjects.</summary>
    public int TrainSubjects { get; init; }
    /// <summary>
    /// With several data sources: per source, the subjects whose scans the fit read (training, validation and DANN target
    /// subjects) — zero for a source the arm holds out. Null for a study of one source.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, int>? SubjectsReadBySource { get; init; }
    /// <summary>With <c>trainCentres</c>: distinct subjects the fit read per centre (a held-out centre is absent); null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, int>? SubjectsReadByCentre { get; init; }
    /// <summary>Every evaluated case.</summary>
    public required IReadOnlyList<CaseMetrics> Cases { get; init; }
    /// <summary>Overlay figures of the best, median and worst held-out ED case per vendor (empty when not drawn).</summary>
    public IReadOnlyList<OverlayImage> Overlays { get; init; } = [];
    /// <summary>Model folder.</summary>
    public string ModelDirectory { get; init; } = "";
    /// <summary>
    /// The post-processing the fit chose on its validation subjects — with cross-validation, on the out-of-fold predictions
    /// of all folds (null without validation, and in results written before it existed).
    /// </summary>
    public Inference.PostProcessingChoice? PostProcessing { get; init; }
    /// <summary>
    /// With cross-validation (<see cref="ExperimentDefinition.Folds"/> ≥ 2), one result per fold model; <see cref="Cases"/>
    /// are then the ensemble's, and <see cref="History"/> fold 0's. Empty without cross-validation.
    /// </summary>
    public IReadOnlyList<FoldRunResult> Folds { get; init; } = [];
}

/// <summary>One fold of an arm × seed's cross-validation (<c>models/ID/ARM/seed-N/fold-K/</c>: its model file and this result).</summary>
public sealed record FoldRunResult
{
    /// <summary>0-based fold index.</summary>
    public required int Fold { get; init; }
    /// <summary>Hash of everything that determines the fold's result.</summary>
    public required string Fingerprint { get; init; }
    /// <summary>Labeled subjects the fold model trained on.</summary>
    public int TrainSubjects { get; init; }
    /// <summary>Subjects it was validated on (its out-of-fold subjects).</summary>
    public int ValidationSubjects { get; init; }
    /// <summary>Training curve.</summary>
    public required IReadOnlyList<EpochRecord> History { get; init; }
    /// <summary>0-based epoch whose weights were kept.</summary>
    public int BestEpoch { get; init; }
    /// <summary>Whether the trainer stopped early on its patience.</summary>
    public bool StoppedEarly { get; init; }
    /// <summary>The post-processing this fold's validation subjects alone chose (the arm's choice pools every fold's).</summary>
    public Inference.PostProcessingChoice? PostProcessing { get; init; }
    /// <summary>Training wall time, s.</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Evaluation wall time (out-of-fold and test cases), s.</summary>
    public double EvaluationSeconds { get; init; }
    /// <summary>The fold model's predictions of its own validation subjects — the out-of-fold predictions (role "seen").</summary>
    public required IReadOnlyList<CaseMetrics> OutOfFold { get; init; }
    /// <summary>The fold model alone on the study's held-out test cases (the single model the ensemble is compared with).</summary>
    public required IReadOnlyList<CaseMetrics> Test { get; init; }
}
