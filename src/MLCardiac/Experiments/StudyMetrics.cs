using System.Globalization;
using MLCardiac.Evaluation;

namespace MLCardiac.Experiments;

/// <summary>
/// The numbers of a study (<c>metrics.json</c>): per arm, metrics by role, vendor, centre and frame with bootstrap
/// intervals, the seen–unseen gap, paired comparisons with the baseline arm, the vendor classifier, and
/// <see cref="Findings"/> — sentences generated from those numbers.
/// </summary>
public sealed record StudyMetrics
{
    /// <summary>Schema version of metrics.json.</summary>
    public int SchemaVersion { get; init; } = 1;
    /// <summary>Experiment id.</summary>
    public required string Experiment { get; init; }
    /// <summary>Profile applied, or null.</summary>
    public string? Profile { get; init; }
    /// <summary>Per arm.</summary>
    public required IReadOnlyList<ArmMetrics> Arms { get; init; }
    /// <summary>Each arm after the first against the first.</summary>
    public required IReadOnlyList<ArmComparison> Comparisons { get; init; }
    /// <summary>The vendor classifier's result, when run.</summary>
    public VendorClassifierResult? VendorClassifier { get; init; }
    /// <summary>Generated statements of what helped and by how much.</summary>
    public required IReadOnlyList<string> Findings { get; init; }
    /// <summary>Wall time of the run, s.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Computes the metrics of <paramref name="results"/>; bootstrap intervals are seeded and reproducible.</summary>
    public static StudyMetrics Compute(StudyResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var arms = new List<ArmMetrics>();
        var pooled = new Dictionary<string, List<(CaseMetrics Case, int Seed)>>(StringComparer.Ordinal);
        foreach (ArmDefinition arm in results.Experiment.Arms)
        {
            var runs = results.Arms.Where(r => r.Arm == arm.Name).ToList();
            if (runs.Count == 0) continue;
            var cases = runs.SelectMany(r => r.Cases.Select(c => (Case: c, r.Seed))).ToList();
            pooled[arm.Name] = cases;
            bool manySeeds = runs.Count > 1;
            GroupMetrics Group(string name, string kind, IEnumerable<(CaseMetrics Case, int Seed)> members)
            {
                var list = members.ToList();
                string role = list.Select(m => m.Case.Role).Distinct().Count() == 1 ? list[0].Case.Role : "mixed";
                var summary = VendorSummary.From(name, role, [.. list.Select(m => m.Case.ToCaseResult(manySeeds ? $"{m.Case.Subject}#{m.Seed}" : null))]);
                return new GroupMetrics(name, kind, role, summary.Subjects, summary.Cases, StructureMetrics.From(summary.Lv), StructureMetrics.From(summary.Myo),
                    StructureMetrics.From(summary.Rv), Interval.From(Bootstrap.MeanInterval([.. list.Select(m => m.Case.MeanDice)])), summary.Clinical);
            }
            var seen = cases.Where(c => c.Case.Role == "seen").ToList();
            var unseen = cases.Where(c => c.Case.Role != "seen").ToList();
            var byRole = new List<GroupMetrics>();
            if (seen.Count > 0) byRole.Add(Group("seen", "role", seen));
            if (unseen.Count > 0) byRole.Add(Group("unseen", "role", unseen) with { Role = "unseen" });
            if (cases.Any(c => c.Case.Role == "target")) byRole.Add(Group("target", "role", cases.Where(c => c.Case.Role == "target")));
            var byFrame = new List<GroupMetrics>();
            foreach (var (label, members) in new[] { ("seen", seen), ("unseen", unseen) })
                foreach (string frame in new[] { "ED", "ES" })
                {
                    var m = members.Where(c => c.Case.Frame == frame).ToList();
                    if (m.Count > 0) byFrame.Add(Group($"{label} {frame}", "frame", m));
                }
            static double Hd95(CaseMetrics c) => new[] { c.Lv.Hd95Mm, c.Myo.Hd95Mm, c.Rv.Hd95Mm }.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
            arms.Add(new ArmMetrics
            {
                Arm = arm.Name,
                Definition = arm,
                Seeds = [.. runs.Select(r => r.Seed)],
                TrainSeconds = runs.Sum(r => r.TrainSeconds),
                EvaluationSeconds = runs.Sum(r => r.EvaluationSeconds),
                ByRole = byRole,
                ByVendor = [.. cases.GroupBy(c => c.Case.Vendor, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Group(g.Key, "vendor", g))],
                ByCentre = [.. cases.Where(c => c.Case.Centre is not null).GroupBy(c => c.Case.Centre!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Group(g.Key, "centre", g))],
                ByFrame = byFrame,
                DiceGap = Interval.From(Bootstrap.DifferenceInterval([.. seen.Select(c => c.Case.MeanDice)], [.. unseen.Select(c => c.Case.MeanDice)])),
                Hd95GapMm = unseen.Select(c => Hd95(c.Case)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average()
                            - seen.Select(c => Hd95(c.Case)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average(),
            });
        }

        var comparisons = new List<ArmComparison>();
        if (arms.Count > 1)
        {
            string baseline = arms[0].Arm;
            var baseCases = pooled[baseline].ToDictionary(c => (c.Case.Subject, c.Case.Frame, c.Seed));
            foreach (ArmMetrics arm in arms.Skip(1))
                foreach (string group in new[] { "seen", "unseen" })
                {
                    var pairs = pooled[arm.Arm].Where(c => (c.Case.Role == "seen") == (group == "seen"))
                        .Where(c => baseCases.ContainsKey((c.Case.Subject, c.Case.Frame, c.Seed)))
                        .Select(c => (Arm: c.Case, Base: baseCases[(c.Case.Subject, c.Case.Frame, c.Seed)].Case)).ToList();
                    if (pairs.Count == 0) continue;
                    double[] hd = [.. pairs.Select(p => MeanHd95(p.Arm) - MeanHd95(p.Base)).Where(v => !double.IsNaN(v))];
                    comparisons.Add(new ArmComparison(arm.Arm, baseline, group, pairs.Count,
                        Interval.From(Bootstrap.MeanInterval([.. pairs.Select(p => p.Arm.MeanDice - p.Base.MeanDice)])),
                        hd.Length == 0 ? double.NaN : hd.Average()));
                }
        }
        return new StudyMetrics
        {
            Experiment = results.Experiment.Id,
            Profile = results.Experiment.Profile,
            Arms = arms,
            Comparisons = comparisons,
            VendorClassifier = results.VendorClassifier,
            Findings = WriteFindings(arms, comparisons, results.VendorClassifier),
            WallSeconds = results.WallSeconds,
        };
    }

    private static double MeanHd95(CaseMetrics c)
    {
        double[] v = [.. new[] { c.Lv.Hd95Mm, c.Myo.Hd95Mm, c.Rv.Hd95Mm }.Where(x => !double.IsNaN(x))];
        return v.Length == 0 ? double.NaN : v.Average();
    }

    private static List<string> WriteFindings(List<ArmMetrics> arms, List<ArmComparison> comparisons, VendorClassifierResult? classifier)
    {
        var text = new List<string>();
        static string F(double v, string f = "F3") => v.ToString(f, CultureInfo.InvariantCulture);
        static string Ci(Interval i, string f = "F3") => $"{F(i.Mean, f)} (95 % CI {F(i.Lower, f)} to {F(i.Upper, f)})";
        foreach (ArmMetrics a in arms)
        {
            var seen = a.ByRole.FirstOrDefault(g => g.Group == "seen");
            var unseen = a.ByRole.FirstOrDefault(g => g.Group == "unseen");
            if (seen is null || unseen is null) continue;
            string verdict = a.DiceGap.AboveZero ? "a real drop: the interval excludes zero" : a.DiceGap.BelowZero ? "unseen vendors scored higher" : "not distinguishable from zero with these cases";
            text.Add($"{a.Arm}: mean Dice {F(seen.MeanDice.Mean)} on seen vendors ({seen.Cases} cases) and {F(unseen.MeanDice.Mean)} on unseen vendors ({unseen.Cases} cases); gap {Ci(a.DiceGap)} — {verdict}.");
        }
        foreach (ArmComparison c in comparisons.Where(c => c.Group == "unseen"))
        {
            string effect = c.DiceDelta.AboveZero ? "helped" : c.DiceDelta.BelowZero ? "hurt" : "made no clear difference";
            text.Add($"{c.Arm} against {c.Baseline} on unseen vendors {effect}: paired Dice change {Ci(c.DiceDelta)} over {c.Cases} cases; HD95 change {F(c.Hd95DeltaMm, "F1")} mm.");
        }
        var ranked = arms.Select(a => (a.Arm, Unseen: a.ByRole.FirstOrDefault(g => g.Group == "unseen"))).Where(x => x.Unseen is not null).OrderByDescending(x => x.Unseen!.MeanDice.Mean).ToList();
        if (ranked.Count > 1)
        {
            var narrowest = arms.Where(a => !double.IsNaN(a.DiceGap.Mean)).MinBy(a => a.DiceGap.Mean);
            text.Add($"Best on unseen vendors: {ranked[0].Arm} (mean Dice {F(ranked[0].Unseen!.MeanDice.Mean)}); worst: {ranked[^1].Arm} ({F(ranked[^1].Unseen!.MeanDice.Mean)}). Smallest gap: {narrowest?.Arm} ({F(narrowest?.DiceGap.Mean ?? double.NaN)}).");
            var best = arms.First(a => a.Arm == ranked[0].Arm);
            if (best.ByRole.FirstOrDefault(g => g.Group == "seen")?.Clinical.TryGetValue("LV EF (%)", out Agreement? s) == true
                && best.ByRole.FirstOrDefault(g => g.Group == "unseen")?.Clinical.TryGetValue("LV EF (%)", out Agreement? u) == true)
                text.Add($"{best.Arm}: LV EF mean absolute error {F(s.MeanAbsoluteError, "F1")} points on seen vendors and {F(u.MeanAbsoluteError, "F1")} on unseen (bias {F(u.Bias, "F1")}, limits of agreement {F(u.LowerLimit, "F1")} to {F(u.UpperLimit, "F1")}).");
        }
        if (classifier is not null)
        {
            double chance = 1.0 / classifier.Vendors.Count;
            string flagged = double.IsNaN(classifier.FlaggedUnseen) ? "" : $"; it flags {F(100 * classifier.FlaggedUnseen, "F0")} % of volumes of never-seen vendors {string.Join(", ", classifier.UnseenVendors)} as unfamiliar (false alarms on known vendors: {F(100 * classifier.FlaggedKnown, "F0")} %)";
            text.Add($"The vendor classifier names the vendor of {F(100 * classifier.VolumeAccuracy, "F0")} % of held-out volumes (chance {F(100 * chance, "F0")} %){flagged}.");
        }
        return text;
    }
}
