namespace MLCardiac.Evaluation;

/// <summary>Aggregate of one structure over cases: mean with a 95 % bootstrap interval, and failures.</summary>
/// <param name="Dice">Mean Dice and its interval.</param>
/// <param name="Hd95Mm">Mean HD95 (mm) over cases where it is defined.</param>
/// <param name="HausdorffMm">Mean Hausdorff distance (mm) over cases where it is defined.</param>
/// <param name="AssdMm">Mean ASSD (mm) over cases where it is defined.</param>
/// <param name="Undefined">Cases where exactly one of prediction and reference is empty (distances undefined).</param>
public sealed record StructureSummary((double Mean, double Lower, double Upper) Dice, double Hd95Mm, double HausdorffMm, double AssdMm, int Undefined);

/// <summary>Results of one vendor: overlap per structure and agreement of the clinical indices.</summary>
/// <param name="Vendor">Vendor code.</param>
/// <param name="Role">"seen" (trained on), "unseen", or "target" (unseen labels; its unlabeled scans took part in DANN).</param>
/// <param name="Subjects">Subjects evaluated.</param>
/// <param name="Cases">Records (subject × frame) evaluated.</param>
/// <param name="Lv">LV blood pool.</param>
/// <param name="Myo">LV myocardium.</param>
/// <param name="Rv">RV blood pool.</param>
/// <param name="Clinical">Agreement per clinical index (LV EDV, LV ESV, LV EF, RV EDV, RV ESV, RV EF, MYO mass) over subjects with both ED and ES.</param>
public sealed record VendorSummary(string Vendor, string Role, int Subjects, int Cases, StructureSummary Lv, StructureSummary Myo, StructureSummary Rv,
    IReadOnlyDictionary<string, Agreement> Clinical)
{
    /// <summary>
    /// Summarises <paramref name="cases"/> of one vendor; bootstrap intervals are seeded and resample subjects
    /// (<paramref name="clusterOf"/>, default the record's subject: its ED and ES frames together).
    /// </summary>
    public static VendorSummary From(string vendor, string role, IReadOnlyList<CaseResult> cases, int seed = 1, Func<CaseResult, string>? clusterOf = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        string[] clusters = [.. cases.Select(clusterOf ?? (c => c.Record.Subject))];
        StructureSummary S(Func<CaseResult, OverlapMetrics> pick)
        {
            var m = cases.Select(pick).ToArray();
            return new StructureSummary(Bootstrap.ClusteredMeanInterval(clusters, m.Select(x => x.Dice).ToArray(), seed: seed),
                MeanDefined(m.Select(x => x.Hd95Mm)), MeanDefined(m.Select(x => x.HausdorffMm)), MeanDefined(m.Select(x => x.AssdMm)),
                m.Count(x => double.IsNaN(x.HausdorffMm)));
        }
        var clinical = new Dictionary<string, Agreement>(StringComparer.Ordinal);
        var pairs = cases.GroupBy(c => c.Record.Subject, StringComparer.Ordinal)
            .Select(g => (Ed: g.FirstOrDefault(c => c.Record.Role == Data.FrameRole.ED), Es: g.FirstOrDefault(c => c.Record.Role == Data.FrameRole.ES)))
            .Where(p => p.Ed is not null && p.Es is not null).ToArray();
        if (pairs.Length > 0)
        {
            var predicted = pairs.Select(p => Indices(p.Ed!, p.Es!, predicted: true)).ToArray();
            var reference = pairs.Select(p => Indices(p.Ed!, p.Es!, predicted: false)).ToArray();
            void Add(string name, Func<ClinicalIndices, double> f) =>
                clinical[name] = Agreement.Compute(predicted.Select(f).ToArray(), reference.Select(f).ToArray());
            Add("LV EDV (ml)", c => c.LvEdvMl);
            Add("LV ESV (ml)", c => c.LvEsvMl);
            Add("LV EF (%)", c => c.LvEfPercent);
            Add("RV EDV (ml)", c => c.RvEdvMl);
            Add("RV ESV (ml)", c => c.RvEsvMl);
            Add("RV EF (%)", c => c.RvEfPercent);
            Add("LV mass (g)", c => c.MyoMassG);
        }
        return new VendorSummary(vendor, role, cases.Select(c => c.Record.Subject).Distinct().Count(), cases.Count,
            S(c => c.Lv), S(c => c.Myo), S(c => c.Rv), clinical);
    }

    private static ClinicalIndices Indices(CaseResult ed, CaseResult es, bool predicted)
    {
        double V(OverlapMetrics m) => predicted ? m.PredictedMl : m.TruthMl;
        return new ClinicalIndices(V(ed.Lv), V(es.Lv), V(ed.Rv), V(es.Rv), V(ed.Myo) * ClinicalIndices.MyocardiumDensityGPerMl);
    }

    private static double MeanDefined(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).ToArray();
        return v.Length == 0 ? double.NaN : v.Average();
    }
}
