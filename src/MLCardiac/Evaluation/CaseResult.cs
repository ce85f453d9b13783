using MLCardiac.Data;

namespace MLCardiac.Evaluation;

/// <summary>The metrics of one record (subject × frame): LV, MYO and RV in that order.</summary>
/// <param name="Record">The evaluated record.</param>
/// <param name="Lv">LV blood pool.</param>
/// <param name="Myo">LV myocardium.</param>
/// <param name="Rv">RV blood pool.</param>
public sealed record CaseResult(CaseRecord Record, OverlapMetrics Lv, OverlapMetrics Myo, OverlapMetrics Rv)
{
    /// <summary>The three structures in label order (1, 2, 3).</summary>
    public IReadOnlyList<OverlapMetrics> Structures => [Lv, Myo, Rv];

    /// <summary>The pipeline's quality-control verdict on the case, when the pipeline has that stage.</summary>
    public CaseQuality? Quality { get; init; }

    /// <summary>
    /// Dice of LV, MYO and RV had the largest-component filter been applied to every structure (the post-processing before
    /// it was chosen on validation), so that a study can put the chosen post-processing against always-on, case by case.
    /// </summary>
    public IReadOnlyList<double>? DiceAlwaysFiltered { get; init; }

    /// <summary>Dice of LV, MYO and RV at the base, mid-ventricle and apex ([part][structure]; <see cref="SlicePositions"/>); null without a reference heart.</summary>
    public IReadOnlyList<IReadOnlyList<double>>? SlicePositionDice { get; init; }
}
