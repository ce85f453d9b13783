using MLCardiac.Evaluation;

namespace MLCardiac.Experiments;

/// <summary>Metrics of one structure over a group of cases.</summary>
/// <param name="Dice">Mean Dice with its bootstrap interval.</param>
/// <param name="Hd95Mm">Mean HD95 (mm) over cases where it is defined.</param>
/// <param name="HausdorffMm">Mean Hausdorff distance (mm; the M&amp;Ms HD) over cases where it is defined.</param>
/// <param name="AssdMm">Mean ASSD (mm) over cases where it is defined.</param>
/// <param name="Undefined">Cases with exactly one of prediction and reference empty (distances undefined; see <see cref="OverlapMetrics"/>).</param>
public sealed record StructureMetrics(Interval Dice, double Hd95Mm, double HausdorffMm, double AssdMm, int Undefined)
{
    /// <summary>From the evaluation library's summary.</summary>
    public static StructureMetrics From(StructureSummary s) =>
        new(Interval.From((s ?? throw new ArgumentNullException(nameof(s))).Dice), s.Hd95Mm, s.HausdorffMm, s.AssdMm, s.Undefined);
}

/// <summary>Metrics of a group of cases (a vendor, a centre, a frame, seen or unseen vendors) for one arm.</summary>
/// <param name="Group">Group name (vendor code, centre, "seen", "unseen", "seen ED", ...).</param>
/// <param name="Kind">"role", "vendor", "centre", "source" or "frame".</param>
/// <param name="Role">"seen", "target", "unseen" or "mixed".</param>
/// <param name="Subjects">Subjects.</param>
/// <param name="Cases">Cases (subject × frame).</param>
/// <param name="Lv">LV blood pool.</param>
/// <param name="Myo">LV myocardium.</param>
/// <param name="Rv">RV blood pool.</param>
/// <param name="MeanDice">Mean over cases of the three structures' mean Dice, with its interval.</param>
/// <param name="Clinical">Agreement of each clinical index with the reference (subjects with ED and ES).</param>
public sealed record GroupMetrics(string Group, string Kind, string Role, int Subjects, int Cases, StructureMetrics Lv, StructureMetrics Myo, StructureMetrics Rv,
    Interval MeanDice, IReadOnlyDictionary<string, Agreement> Clinical);
