using System.Globalization;

namespace MLCardiac.Evaluation;

/// <summary>
/// Flags a segmentation no heart can have: nothing segmented at all, a frame without LV blood pool or myocardium,
/// volumes outside what any adult or child's heart measures, or an end-systolic volume larger than the
/// end-diastolic one. Each finding is one sentence for the user (CLI output, JSON, server response); an empty list
/// means nothing implausible was seen — not that the segmentation is right.
/// </summary>
/// <remarks>
/// The bounds are deliberately wide, far outside the normal ranges (adult LV EDV roughly 100–250 ml, RV EDV 100–300 ml,
/// LV mass 70–200 g; Kawel-Boehm et al., JCMR 2020, 22:87): they catch a broken model or a scan that is not a
/// short-axis heart, not disease. Dilated cardiomyopathies reach 400–500 ml, a neonate's LV a few ml.
/// </remarks>
public static class SegmentationPlausibility
{
    /// <summary>Largest plausible LV blood-pool volume of a frame, ml.</summary>
    public const double MaxLvMl = 600;

    /// <summary>Largest plausible RV blood-pool volume of a frame, ml.</summary>
    public const double MaxRvMl = 700;

    /// <summary>Largest plausible LV myocardial mass of a frame, g.</summary>
    public const double MaxMyoMassG = 600;

    /// <summary>Largest plausible ejection fraction of either ventricle, %: even a hyperdynamic ventricle keeps some blood at end-systole.</summary>
    public const double MaxEfPercent = 90;

    /// <summary>Smallest LV blood-pool volume, ml, below which a frame's LV counts as missing (a few stray voxels).</summary>
    public const double MinLvMl = 1;

    /// <summary>
    /// Findings for the volumes of the segmented frames (<paramref name="frames"/>: frame index → its volumes, as
    /// <see cref="ClinicalIndices.FromLabels"/> of the frame with itself gives them: LV in <c>LvEdvMl</c>, RV in
    /// <c>RvEdvMl</c>, mass in <c>MyoMassG</c>), and the ED/ES pair when known.
    /// </summary>
    public static IReadOnlyList<string> Check(IReadOnlyDictionary<int, ClinicalIndices> frames, int? ed = null, int? es = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var findings = new List<string>();
        if (frames.Count == 0) return findings;
        if (frames.Values.All(v => v.LvEdvMl == 0 && v.MyoMassG == 0 && v.RvEdvMl == 0))
        {
            findings.Add("Implausible segmentation: everything is background (no LV, myocardium or RV in any segmented frame); the model may be damaged or the image not a short-axis cardiac scan.");
            return findings;
        }
        int[] noLv = frames.Where(kv => kv.Value.LvEdvMl < MinLvMl).Select(kv => kv.Key).Order().ToArray();
        if (noLv.Length > 0)
            findings.Add($"Implausible segmentation: no LV blood pool (under {MinLvMl:0} ml) in frame(s) {List(noLv)}.");
        int[] noMyo = frames.Where(kv => kv.Value.LvEdvMl >= MinLvMl && kv.Value.MyoMassG == 0).Select(kv => kv.Key).Order().ToArray();
        if (noMyo.Length > 0)
            findings.Add($"Implausible segmentation: an LV blood pool without myocardium in frame(s) {List(noMyo)}.");
        foreach (var (frame, v) in frames.OrderBy(kv => kv.Key))
        {
            if (v.LvEdvMl > MaxLvMl) findings.Add(Out(frame, "LV blood pool", v.LvEdvMl, "ml", MaxLvMl));
            if (v.RvEdvMl > MaxRvMl) findings.Add(Out(frame, "RV blood pool", v.RvEdvMl, "ml", MaxRvMl));
            if (v.MyoMassG > MaxMyoMassG) findings.Add(Out(frame, "LV mass", v.MyoMassG, "g", MaxMyoMassG));
        }
        if (ed is int e && es is int s && e != s && frames.TryGetValue(e, out var atEd) && frames.TryGetValue(s, out var atEs) && atEs.LvEdvMl > atEd.LvEdvMl)
            findings.Add(string.Create(CultureInfo.InvariantCulture,
                $"Implausible segmentation: the LV is larger at end-systole (frame {s}, {atEs.LvEdvMl:F1} ml) than at end-diastole (frame {e}, {atEd.LvEdvMl:F1} ml): a negative ejection fraction."));
        if (ed is int e2 && es is int s2 && e2 != s2 && frames.TryGetValue(e2, out var d) && frames.TryGetValue(s2, out var sy))
            foreach (var (what, edv, esv) in new[] { ("LV", d.LvEdvMl, sy.LvEdvMl), ("RV", d.RvEdvMl, sy.RvEdvMl) })
            {
                double ef = edv > 0 ? 100 * (edv - esv) / edv : double.NaN;
                if (edv >= MinLvMl && ef > MaxEfPercent)
                    findings.Add(string.Create(CultureInfo.InvariantCulture,
                        $"Implausible segmentation: an {what} ejection fraction of {ef:F0} % (end-diastole frame {e2}, end-systole frame {s2}), beyond the {MaxEfPercent:F0} % of any heart."));
            }
        return findings;
    }

    private static string Out(int frame, string what, double value, string unit, double max) =>
        string.Create(CultureInfo.InvariantCulture, $"Implausible segmentation: {what} of {value:F0} {unit} in frame {frame}, beyond the {max:F0} {unit} of any heart.");

    private static string List(int[] frames) =>
        frames.Length <= 8 ? string.Join(", ", frames) : string.Join(", ", frames.Take(8)) + $" and {frames.Length - 8} more";
}
