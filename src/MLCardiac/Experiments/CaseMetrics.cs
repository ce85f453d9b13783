using System.Text.Json.Serialization;
using MLCardiac.Data;
using MLCardiac.Evaluation;

namespace MLCardiac.Experiments;

/// <summary>One evaluated case (subject × frame) of one arm: 3D metrics per structure on the image's own grid.</summary>
/// <param name="Subject">Subject code.</param>
/// <param name="Vendor">Vendor code.</param>
/// <param name="Centre">Centre, when known.</param>
/// <param name="Frame">"ED" or "ES".</param>
/// <param name="Role">"seen" (a training vendor of the arm, in one of its training sources), "target" (its unlabeled scans were DANN target data) or "unseen" (a vendor or a source the arm never trained on).</param>
/// <param name="Lv">LV blood pool.</param>
/// <param name="Myo">LV myocardium.</param>
/// <param name="Rv">RV blood pool.</param>
public sealed record CaseMetrics(string Subject, string Vendor, string? Centre, string Frame, string Role, OverlapMetrics Lv, OverlapMetrics Myo, OverlapMetrics Rv)
{
    /// <summary>The data source of the case when the study reads several (null: one source; kept out of the JSON then).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Source { get; init; }

    /// <summary>The QC stage's verdict on the case (null: the pipeline had none).</summary>
    public CaseQuality? Quality { get; init; }

    /// <summary>Dice of LV, MYO, RV with the largest-component filter on every structure (null in results written before it).</summary>
    public IReadOnlyList<double>? DiceAlwaysFiltered { get; init; }

    /// <summary>Dice of LV, MYO and RV at the base, mid-ventricle and apex ([part][structure]; <see cref="SlicePositions"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<IReadOnlyList<double>>? SlicePositionDice { get; init; }

    /// <summary>Mean Dice of the three structures.</summary>
    public double MeanDice => (Lv.Dice + Myo.Dice + Rv.Dice) / 3;

    /// <summary>The case as the evaluation library's <see cref="CaseResult"/> (for <see cref="VendorSummary"/>); <paramref name="subjectKey"/> replaces the subject.</summary>
    public CaseResult ToCaseResult(string? subjectKey = null) =>
        new(new CaseRecord(subjectKey ?? Subject, Vendor, Centre, Frame == "ES" ? FrameRole.ES : FrameRole.ED, "", 0, null, 0, ""), Lv, Myo, Rv);
}
