using System.Globalization;
using MLCardiac.Evaluation;

namespace MLCardiac.Experiments;

/// <summary>
/// The numbers of a study (<c>metrics.json</c>): per arm, metrics by role, vendor, centre, data source (when several) and frame with bootstrap
/// intervals, the seen–unseen gap, paired comparisons with the baseline arm ranked by their effect on never-seen vendors,
/// the vendor classifier, and <see cref="Findings"/> — sentences generated from those numbers. Roles: "seen" (a training
/// vendor), "target" (DANN target vendor: its unlabeled scans were used) and "unseen" (never seen in any form); the
/// target is reported apart so that domain adaptation's own vendor does not count as a never-seen one. Every interval
/// resamples subjects (ED and ES of a subject, and all its seeds, together; <see cref="Bootstrap.ClusteredMeanInterval"/>).
/// </summary>
public sealed record StudyMetrics
{
    /// <summary>Schema version of metrics.json (2: subject-level intervals, target vendors apart, ranking; 3: convergence per arm, verdicts only between converged arms; 4: reliability; 5: post-processing chosen on validation against always-on, per arm; 6: cross-validation folds, out-of-fold metrics and ensemble against single model, per arm; 7: groups per data source).</summary>
    public int SchemaVersion { get; init; } = 8;
    /// <summary>Experiment id.</summary>
    public required string Experiment { get; init; }
    /// <summary>Profile applied, or null.</summary>
    public string? Profile { get; init; }
    /// <summary>Per arm.</summary>
    public required IReadOnlyList<ArmMetrics> Arms { get; init; }
    /// <summary>Each arm after the first against the first, per role group ("seen", "target", "unseen").</summary>
    public required IReadOnlyList<ArmComparison> Comparisons { get; init; }
    /// <summary>The comparisons on never-seen vendors, largest effect (paired Dice change) first.</summary>
    public IReadOnlyList<ArmComparison> Ranking { get; init; } = [];
    /// <summary>Every arm against the baseline per structure and part of the heart (base, mid, apex, all), per role (schema ≥ 8).</summary>
    public IReadOnlyList<StructureComparison> StructureComparisons { get; init; } = [];
    /// <summary>The vendor classifier's result, when run.</summary>
    public VendorClassifierResult? VendorClassifier { get; init; }
    /// <summary>The other classifier architectures trained on the same volumes (<c>vendorClassifier.compare</c>; schema ≥ 8).</summary>
    public IReadOnlyList<VendorClassifierResult> ClassifierComparisons { get; init; } = [];
    /// <summary>Generated statements of what helped and by how much.</summary>
    public required IReadOnlyList<string> Findings { get; init; }
    /// <summary>Wall time of the run, s.</summary>
    public double WallSeconds { get; init; }

    private static List<FoldMetrics> FoldRows(IReadOnlyList<ArmRunResult> runs)
    {
        int k = runs.Select(r => r.Folds.Count).DefaultIfEmpty(0).Max();
        var rows = new List<FoldMetrics>();
        for (int f = 0; f < k; f++)
        {
            var folds = runs.SelectMany(r => r.Folds.Where(x => x.Fold == f)).ToList();
            if (folds.Count == 0) continue;
            static double Mean(IEnumerable<CaseMetrics> cases) => cases.Select(c => c.MeanDice).DefaultIfEmpty(double.NaN).Average();
            rows.Add(new FoldMetrics(f, folds[0].TrainSubjects, folds[0].ValidationSubjects, Mean(folds.SelectMany(x => x.OutOfFold)),
                Mean(folds.SelectMany(x => x.Test).Where(c => c.Role == "seen")), Mean(folds.SelectMany(x => x.Test).Where(c => c.Role == "unseen")),
                folds[0].BestEpoch, folds.All(x => TrainingConvergence.Of(x.History, x.StoppedEarly).Converged)));
        }
        return rows;
    }

    /// <summary>Per role and part of the heart, each structure's mean Dice over the cases that have the breakdown.</summary>
    private static List<SlicePositionMetrics> PositionRows(List<(CaseMetrics Case, int Seed)> cases, int resamples)
    {
        var rows = new List<SlicePositionMetrics>();
        foreach (string group in new[] { "seen", "target", "unseen" })
        {
            var members = cases.Where(c => c.Case.Role == group && c.Case.SlicePositionDice is { Count: 3 }).Select(c => c.Case).ToList();
            if (members.Count == 0) continue;
            string[] subjects = [.. members.Select(c => c.Subject)];
            for (int q = 0; q < 3; q++)
            {
                Interval Of(int k) => Interval.From(Bootstrap.ClusteredMeanInterval(subjects, [.. members.Select(c => c.SlicePositionDice![q][k])], resamples));
                rows.Add(new SlicePositionMetrics(group, Evaluation.SlicePositions.Names[q], subjects.Distinct().Count(), members.Count, Of(0), Of(1), Of(2)));
            }
        }
        return rows;
    }

    /// <summary>
    /// Per role group, each ensemble test case paired with the same case (subject, frame, seed) under every fold model of its
    /// seed: the single model's Dice is the mean over folds — the Dice a user training one fold model should expect.
    /// </summary>
    private static List<EnsembleEffect> EnsembleRows(IReadOnlyList<ArmRunResult> runs, int resamples)
    {
        var rows = new List<EnsembleEffect>();
        if (!runs.Any(r => r.Folds.Count > 1)) return rows;
        foreach (string group in new[] { "seen", "target", "unseen" })
        {
            var pairs = new List<(string Subject, double Ensemble, double Single, double[] PerFold)>();
            foreach (ArmRunResult run in runs.Where(r => r.Folds.Count > 1))
            {
                var byFold = run.Folds.Select(f => f.Test.ToDictionary(c => (c.Subject, c.Frame), c => c.MeanDice)).ToList();
                foreach (CaseMetrics c in run.Cases.Where(c => c.Role == group))
                {
                    if (!byFold.All(d => d.ContainsKey((c.Subject, c.Frame)))) continue;
                    double[] perFold = [.. byFold.Select(d => d[(c.Subject, c.Frame)])];
                    pairs.Add((c.Subject, c.MeanDice, perFold.Average(), perFold));
                }
            }
            if (pairs.Count == 0) continue;
            string[] subjects = [.. pairs.Select(p => p.Subject)];
            int folds = pairs.Min(p => p.PerFold.Length);
            double bestFold = Enumerable.Range(0, folds).Max(f => pairs.Average(p => p.PerFold[f]));
            rows.Add(new EnsembleEffect(group, subjects.Distinct().Count(), pairs.Count,
                Interval.From(Bootstrap.ClusteredMeanInterval(subjects, [.. pairs.Select(p => p.Single)], resamples)),
                Interval.From(Bootstrap.ClusteredMeanInterval(subjects, [.. pairs.Select(p => p.Ensemble)], resamples)),
                Interval.From(Bootstrap.ClusteredMeanInterval(subjects, [.. pairs.Select(p => p.Ensemble - p.Single)], resamples)),
                pairs.Average(p => p.Ensemble) - bestFold));
        }
        return rows;
    }

    /// <summary>Computes the metrics of <paramref name="results"/>; bootstrap intervals are seeded and reproducible.</summary>
    public static StudyMetrics Compute(StudyResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        int resamples = results.Experiment.BootstrapResamples;
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
                // Clinical indices pair ED and ES of one subject and seed; intervals resample the subject with all its seeds.
                var summary = VendorSummary.From(name, role, [.. list.Select(m => m.Case.ToCaseResult(manySeeds ? $"{m.Case.Subject}#{m.Seed}" : null))], seed: 1,
                    clusterOf: c => c.Record.Subject.Split('#')[0]);
                var dice = Bootstrap.ClusteredMeanInterval([.. list.Select(m => m.Case.Subject)], [.. list.Select(m => m.Case.MeanDice)], resamples);
                return new GroupMetrics(name, kind, role, list.Select(m => m.Case.Subject).Distinct().Count(), summary.Cases, StructureMetrics.From(summary.Lv), StructureMetrics.From(summary.Myo),
                    StructureMetrics.From(summary.Rv), Interval.From(dice), summary.Clinical);
            }
            var seen = cases.Where(c => c.Case.Role == "seen").ToList();
            var unseen = cases.Where(c => c.Case.Role == "unseen").ToList();
            var target = cases.Where(c => c.Case.Role == "target").ToList();
            var byRole = new List<GroupMetrics>();
            if (seen.Count > 0) byRole.Add(Group("seen", "role", seen));
            if (unseen.Count > 0) byRole.Add(Group("unseen", "role", unseen));
            if (target.Count > 0) byRole.Add(Group("target", "role", target));
            var byFrame = new List<GroupMetrics>();
            foreach (var (label, members) in new[] { ("seen", seen), ("unseen", unseen), ("target", target) })
                foreach (string frame in new[] { "ED", "ES" })
                {
                    var m = members.Where(c => c.Case.Frame == frame).ToList();
                    if (m.Count > 0) byFrame.Add(Group($"{label} {frame}", "frame", m));
                }
            static double Hd95(CaseMetrics c) => new[] { c.Lv.Hd95Mm, c.Myo.Hd95Mm, c.Rv.Hd95Mm }.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
            Interval Gap(List<(CaseMetrics Case, int Seed)> a, List<(CaseMetrics Case, int Seed)> b) => Interval.From(Bootstrap.ClusteredDifferenceInterval(
                [.. a.Select(c => c.Case.Subject)], [.. a.Select(c => c.Case.MeanDice)], [.. b.Select(c => c.Case.Subject)], [.. b.Select(c => c.Case.MeanDice)], resamples));
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
                BySource = [.. cases.Where(c => c.Case.Source is not null).GroupBy(c => c.Case.Source!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Group(g.Key, "source", g))],
                ByFrame = byFrame,
                DiceGap = Gap(seen, unseen),
                TargetDiceGap = Gap(seen, target),
                Reliability = ReliabilityMetrics.From([.. cases.Select(c => c.Case)]),
                // With cross-validation every fold model is a run: the arm converged when all of them did.
                Convergence = runs.Any(r => r.Folds.Count > 0)
                    ? TrainingConvergence.OfSeeds([.. runs.SelectMany(r => r.Folds.Select(f => (r.Seed, TrainingConvergence.Of(f.History, f.StoppedEarly))))])
                    : TrainingConvergence.OfSeeds([.. runs.Select(r => (r.Seed, TrainingConvergence.Of(r.History, r.StoppedEarly)))]),
                Hd95GapMm = unseen.Select(c => Hd95(c.Case)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average()
                            - seen.Select(c => Hd95(c.Case)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average(),
                PostProcessingEffects = [.. new[] { ("seen", seen), ("target", target), ("unseen", unseen) }
                    .Select(g => (g.Item1, Cases: g.Item2.Where(c => c.Case.DiceAlwaysFiltered is { Count: 3 }).ToList()))
                    .Where(g => g.Cases.Count > 0)
                    .Select(g =>
                    {
                        double[] delta = [.. g.Cases.Select(c => c.Case.MeanDice - c.Case.DiceAlwaysFiltered!.Average())];
                        return new PostProcessingEffect(g.Item1, g.Cases.Select(c => c.Case.Subject).Distinct().Count(), g.Cases.Count,
                            Interval.From(Bootstrap.ClusteredMeanInterval([.. g.Cases.Select(c => c.Case.Subject)], delta, resamples)), delta.Count(d => d != 0));
                    })],
                Folds = FoldRows(runs),
                OutOfFold = runs.Any(r => r.Folds.Count > 0)
                    ? Group("out-of-fold", "cross-validation", runs.SelectMany(r => r.Folds.SelectMany(f => f.OutOfFold.Select(c => (Case: c, r.Seed)))))
                    : null,
                EnsembleEffects = EnsembleRows(runs, resamples),
                SlicePositions = PositionRows(cases, resamples),
            });
        }

        var comparisons = new List<ArmComparison>();
        if (arms.Count > 1)
        {
            string baseline = arms[0].Arm;
            var baseCases = pooled[baseline].ToDictionary(c => (c.Case.Subject, c.Case.Frame, c.Seed));
            foreach (ArmMetrics arm in arms.Skip(1))
                foreach (string group in new[] { "seen", "target", "unseen" })
                {
                    var pairs = pooled[arm.Arm].Where(c => c.Case.Role == group)
                        .Where(c => baseCases.ContainsKey((c.Case.Subject, c.Case.Frame, c.Seed)))
                        .Select(c => (Arm: c.Case, Base: baseCases[(c.Case.Subject, c.Case.Frame, c.Seed)].Case)).ToList();
                    if (pairs.Count == 0) continue;
                    double[] hd = [.. pairs.Select(p => MeanHd95(p.Arm) - MeanHd95(p.Base)).Where(v => !double.IsNaN(v))];
                    comparisons.Add(new ArmComparison(arm.Arm, baseline, group, pairs.Count,
                        Interval.From(Bootstrap.ClusteredMeanInterval([.. pairs.Select(p => p.Arm.Subject)], [.. pairs.Select(p => p.Arm.MeanDice - p.Base.MeanDice)], resamples)),
                        hd.Length == 0 ? double.NaN : hd.Average())
                    {
                        Subjects = pairs.Select(p => p.Arm.Subject).Distinct().Count(),
                        Converged = arm.Convergence.Converged && arms[0].Convergence.Converged,
                    });
                }
        }
        var ranking = comparisons.Where(c => c.Group == "unseen").OrderByDescending(c => c.DiceDelta.Mean).ToList();
        var structureComparisons = new List<StructureComparison>();
        if (arms.Count > 1)
        {
            string baseline = arms[0].Arm;
            var baseCases = pooled[baseline].ToDictionary(c => (c.Case.Subject, c.Case.Frame, c.Seed));
            string[] structures = ["LV", "MYO", "RV"];
            foreach (ArmMetrics arm in arms.Skip(1))
                foreach (string group in new[] { "seen", "target", "unseen" })
                {
                    var pairs = pooled[arm.Arm].Where(c => c.Case.Role == group && baseCases.ContainsKey((c.Case.Subject, c.Case.Frame, c.Seed)))
                        .Select(c => (Arm: c.Case, Base: baseCases[(c.Case.Subject, c.Case.Frame, c.Seed)].Case)).ToList();
                    if (pairs.Count == 0) continue;
                    for (int k = 0; k < 3; k++)
                    {
                        int structure = k;
                        void Add(string position, List<(CaseMetrics Arm, CaseMetrics Base)> members, Func<CaseMetrics, double> dice)
                        {
                            if (members.Count == 0) return;
                            structureComparisons.Add(new StructureComparison(arm.Arm, baseline, group, structures[structure], position, members.Select(p => p.Arm.Subject).Distinct().Count(),
                                Interval.From(Bootstrap.ClusteredMeanInterval([.. members.Select(p => p.Arm.Subject)], [.. members.Select(p => dice(p.Arm) - dice(p.Base))], resamples)))
                            {
                                Converged = arm.Convergence.Converged && arms[0].Convergence.Converged,
                            });
                        }
                        Add("all", pairs, c => structure switch { 0 => c.Lv.Dice, 1 => c.Myo.Dice, _ => c.Rv.Dice });
                        var positioned = pairs.Where(p => p.Arm.SlicePositionDice is { Count: 3 } && p.Base.SlicePositionDice is { Count: 3 }).ToList();
                        for (int q = 0; q < 3; q++)
                        {
                            int part = q;
                            Add(Evaluation.SlicePositions.Names[part], positioned, c => c.SlicePositionDice![part][structure]);
                        }
                    }
                }
        }
        return new StudyMetrics
        {
            Experiment = results.Experiment.Id,
            Profile = results.Experiment.Profile,
            Arms = arms,
            Comparisons = comparisons,
            Ranking = ranking,
            StructureComparisons = structureComparisons,
            VendorClassifier = results.VendorClassifier,
            ClassifierComparisons = results.ClassifierComparisons,
            Findings = WriteFindings(arms, comparisons, ranking, results.VendorClassifier),
            WallSeconds = results.WallSeconds,
        };
    }

    private static double MeanHd95(CaseMetrics c)
    {
        double[] v = [.. new[] { c.Lv.Hd95Mm, c.Myo.Hd95Mm, c.Rv.Hd95Mm }.Where(x => !double.IsNaN(x))];
        return v.Length == 0 ? double.NaN : v.Average();
    }

    private static List<string> WriteFindings(List<ArmMetrics> arms, List<ArmComparison> comparisons, List<ArmComparison> ranking, VendorClassifierResult? classifier)
    {
        var text = new List<string>();
        static string F(double v, string f = "F3") => v.ToString(f, CultureInfo.InvariantCulture);
        static string Ci(Interval i, string f = "F3") => $"{F(i.Mean, f)} (95 % CI {F(i.Lower, f)} to {F(i.Upper, f)})";
        foreach (ArmMetrics a in arms)
        {
            var seen = a.ByRole.FirstOrDefault(g => g.Group == "seen");
            var unseen = a.ByRole.FirstOrDefault(g => g.Group == "unseen");
            if (seen is null || unseen is null) continue;
            string verdict = a.DiceGap.AboveZero ? "a real drop: the interval excludes zero" : a.DiceGap.BelowZero ? "never-seen vendors scored higher" : "not distinguishable from zero with these subjects";
            text.Add($"{a.Arm}: mean Dice {F(seen.MeanDice.Mean)} on seen vendors ({seen.Subjects} subjects) and {F(unseen.MeanDice.Mean)} on never-seen vendors ({unseen.Subjects} subjects); gap {Ci(a.DiceGap)} — {verdict}{(a.Convergence.Converged ? "" : " (training not converged)")}.");
            var target = a.ByRole.FirstOrDefault(g => g.Group == "target");
            if (target is not null)
                text.Add($"{a.Arm}: on its DANN target vendor (unlabeled scans used in training) mean Dice {F(target.MeanDice.Mean)} ({target.Subjects} subjects); gap to seen {Ci(a.TargetDiceGap)}.");
        }
        foreach (ArmMetrics a in arms.Where(a => !a.Convergence.Converged))
            text.Add($"{a.Arm}: training not converged ({a.Convergence.Reason}); its comparisons give no verdict on its strategy. Train longer (more epochs or iterations per epoch) or set early stopping.");
        foreach (ArmComparison c in comparisons.Where(c => c.Group is "unseen" or "target"))
        {
            string where = c.Group == "unseen" ? "never-seen vendors" : "its target vendor";
            text.Add(c.Converged
                ? $"{c.Arm} against {c.Baseline} on {where} {c.Verdict}: paired Dice change {Ci(c.DiceDelta)} over {c.Subjects} subjects ({c.Cases} cases); HD95 change {F(c.Hd95DeltaMm, "F1")} mm."
                : $"{c.Arm} against {c.Baseline} on {where}: {c.Verdict} (paired Dice change {Ci(c.DiceDelta)} over {c.Subjects} subjects, measured before the plateau).");
        }
        if (ranking.Count > 1 && ranking.Any(c => !c.Converged))
            text.Add("No ranking by effect on never-seen vendors: " + string.Join(", ", arms.Where(a => !a.Convergence.Converged).Select(a => a.Arm)) + " had not converged.");
        else if (ranking.Count > 1)
            text.Add("Ranked by effect on never-seen vendors: " + string.Join("; ", ranking.Select((c, i) => $"{i + 1}. {c.Arm} {(c.DiceDelta.Mean >= 0 ? "+" : "")}{Ci(c.DiceDelta)}")) + ".");
        // Mean Dice on "never-seen vendors" compares arms only over the same vendors: a DANN arm's target vendor is not
        // never-seen for it, so its never-seen group is smaller (and can be easier) than the baseline's.
        static string NeverSeen(ArmMetrics a) => string.Join(", ", a.ByVendor.Where(g => g.Role == "unseen").Select(g => g.Group));
        string baselineSet = arms.Count > 0 ? NeverSeen(arms[0]) : "";
        var comparable = arms.Where(a => NeverSeen(a) == baselineSet).ToList();
        var ranked = comparable.Select(a => (a.Arm, Unseen: a.ByRole.FirstOrDefault(g => g.Group == "unseen"))).Where(x => x.Unseen is not null).OrderByDescending(x => x.Unseen!.MeanDice.Mean).ToList();
        if (ranked.Count > 1)
        {
            foreach (ArmMetrics a in arms.Except(comparable).Where(a => a.ByRole.Any(g => g.Group == "unseen")))
                text.Add($"{a.Arm} is left out of the ranking below: its never-seen vendors ({NeverSeen(a)}) are not the baseline's ({baselineSet}), so its mean is over other cases; its paired comparisons above, case by case on the same subjects, are the fair measure.");
            var narrowest = comparable.Where(a => !double.IsNaN(a.DiceGap.Mean)).MinBy(a => a.DiceGap.Mean);
            text.Add($"Best on never-seen vendors ({baselineSet}): {ranked[0].Arm} (mean Dice {F(ranked[0].Unseen!.MeanDice.Mean)}); worst: {ranked[^1].Arm} ({F(ranked[^1].Unseen!.MeanDice.Mean)}). Smallest gap: {narrowest?.Arm} ({F(narrowest?.DiceGap.Mean ?? double.NaN)})."
                + (comparable.All(a => a.Convergence.Converged) ? "" : " Numbers as trained, not verdicts: not every arm converged."));
            var best = comparable.First(a => a.Arm == ranked[0].Arm);
            if (best.ByRole.FirstOrDefault(g => g.Group == "seen")?.Clinical.TryGetValue("LV EF (%)", out Agreement? s) == true
                && best.ByRole.FirstOrDefault(g => g.Group == "unseen")?.Clinical.TryGetValue("LV EF (%)", out Agreement? u) == true)
                text.Add($"{best.Arm}: LV EF mean absolute error {F(s.MeanAbsoluteError, "F1")} points on seen vendors and {F(u.MeanAbsoluteError, "F1")} on unseen (bias {F(u.Bias, "F1")}, limits of agreement {F(u.LowerLimit, "F1")} to {F(u.UpperLimit, "F1")}).");
        }
        if (classifier is not null)
        {
            double chance = 1.0 / classifier.Vendors.Count;
            string flagged = double.IsNaN(classifier.FlaggedUnseen) ? "" : $"; it flags {F(100 * classifier.FlaggedUnseen, "F0")} % of volumes of never-seen vendors {string.Join(", ", classifier.UnseenVendors)} as unfamiliar (false alarms on known vendors: {F(100 * classifier.FlaggedKnown, "F0")} %)";
            text.Add($"The {classifier.TypeTitle} vendor classifier names the vendor of {F(100 * classifier.VolumeAccuracy, "F0")} % of held-out volumes (chance {F(100 * chance, "F0")} %){flagged}.");
        }
        return text;
    }
}
