using System.Globalization;
using System.Text;
using MLCardiac.Evaluation;
using MLCardiac.Experiments;
using MLCardiac.IO;
using MLCardiac.Models;

namespace MLCardiac.Reports;

/// <summary>
/// Writes a study's report folder from its saved results: <c>metrics.json</c> (<see cref="StudyMetrics"/>),
/// <c>cases.csv</c> (one row per arm, seed, case and structure) and <c>report.html</c> — self-contained (figures as
/// base64 PNG, no external resources): headline table with intervals and the gap, findings generated from the
/// numbers, Dice per vendor per arm, Bland–Altman plots, overlays, training curves and the vendor classifier.
/// </summary>
public static class ExperimentReport
{
    /// <summary>The HTML report's file name.</summary>
    public const string HtmlFile = "report.html";
    /// <summary>The metrics file name.</summary>
    public const string MetricsFile = "metrics.json";
    /// <summary>The per-case table's file name.</summary>
    public const string CasesFile = "cases.csv";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes the three files into <paramref name="reportDirectory"/> and returns the metrics.</summary>
    public static StudyMetrics Write(StudyResults results, string reportDirectory)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(reportDirectory);
        Directory.CreateDirectory(reportDirectory);
        StudyMetrics metrics = StudyMetrics.Compute(results);
        StudyResults.Write(Path.Combine(reportDirectory, MetricsFile), metrics);
        AtomicFile.WriteAllText(Path.Combine(reportDirectory, CasesFile), CasesCsv(results));
        AtomicFile.WriteAllText(Path.Combine(reportDirectory, HtmlFile), Html(results, metrics, reportDirectory));
        return metrics;
    }

    /// <summary>One row per arm, seed, case and structure; a last column <c>source</c> when the study reads several data sources.</summary>
    public static string CasesCsv(StudyResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        bool sources = results.Experiment.Sources.Count > 1;
        var csv = new StringBuilder("arm,seed,subject,vendor,centre,role,frame,structure,dice,hd_mm,hd95_mm,assd_mm,predicted_ml,reference_ml" + (sources ? ",source\n" : "\n"));
        foreach (ArmRunResult run in results.Arms)
            foreach (CaseMetrics c in run.Cases)
                foreach (var (name, m) in new[] { ("LV", c.Lv), ("MYO", c.Myo), ("RV", c.Rv) })
                    csv.Append(Inv, $"{run.Arm},{run.Seed},{c.Subject},{c.Vendor},{c.Centre},{c.Role},{c.Frame},{name},{m.Dice:R},{m.HausdorffMm:R},{m.Hd95Mm:R},{m.AssdMm:R},{m.PredictedMl:R},{m.TruthMl:R}{(sources ? "," + c.Source : "")}\n");
        return csv.ToString();
    }

    private static readonly string[] PositionColumns = ["all", "base", "mid", "apex"];

    private static string F(double v, string format = "F3") => double.IsNaN(v) ? "–" : v.ToString(format, Inv);

    private static string Ci(Interval i) => double.IsNaN(i.Mean) ? "–" : $"{F(i.Mean)} [{F(i.Lower)}, {F(i.Upper)}]";

    private static string Html(StudyResults results, StudyMetrics metrics, string reportDirectory)
    {
        ExperimentDefinition x = results.Experiment;
        var page = new HtmlPage($"Generalization study: {x.Id}{(x.Profile is null ? "" : $" (profile {x.Profile})")}");
        page.Paragraph(x.Description);
        var arms = metrics.Arms;
        string[] armNames = [.. arms.Select(a => a.Arm)];
        page.Paragraph(string.Create(Inv,
            $"Trained on vendors {string.Join(", ", x.Split.TrainVendors)}; slices {x.Preprocessing.Size}×{x.Preprocessing.Size} px at {x.Preprocessing.SpacingMm} mm; {arms.Count} of {x.Arms.Count} arms finished; seeds {string.Join(", ", x.Seeds)}; wall time of the last run {results.WallSeconds / 60:F1} min. ")
            + (x.Sources.Count > 1 ? $"Data sources {string.Join(", ", x.Sources.Select(d => d.Label))}; trained on {(x.Split.TrainSources is null ? "all of them" : string.Join(", ", x.Split.TrainSources))}. " : "")
            + (x.PlanFile is null ? "" : $"Taken from the dataset's plan ({Path.GetFileName(x.PlanFile)}): {string.Join(", ", x.Unspecified)}. ")
            + "Metrics are 3D on each image's own grid; all vendors are tested on the same held-out subjects.", "muted");

        page.Heading(2, "What the numbers say", "findings");
        page.Raw("<div class=\"findings\">");
        page.List(metrics.Findings);
        page.Raw("</div>");

        page.Heading(2, "Did training converge?", "convergence");
        page.Table(["arm", "converged", "gain over the last epochs", "why"],
            arms.Select(a => (IReadOnlyList<string>)[a.Arm, a.Convergence.Converged ? "yes" : "no", F(a.Convergence.LastGain), a.Convergence.Reason]),
            string.Create(Inv, $"An arm has converged when its validation mean Dice rose by less than {TrainingConvergence.Tolerance} over the last third of its epochs, or it stopped early on patience; comparisons with an unconverged arm give no verdict (see the training curves below)"));

        page.Heading(2, "Headline: seen against never-seen vendors", "headline");
        var headline = new List<IReadOnlyList<string>>();
        foreach (ArmMetrics a in arms)
            foreach (GroupMetrics g in a.ByRole)
                headline.Add([a.Arm, g.Group, g.Subjects.ToString(Inv), g.Cases.ToString(Inv), Ci(g.Lv.Dice), Ci(g.Myo.Dice), Ci(g.Rv.Dice), Ci(g.MeanDice),
                    F(g.Lv.Hd95Mm, "F1"), F(g.Myo.Hd95Mm, "F1"), F(g.Rv.Hd95Mm, "F1"), F(g.Lv.HausdorffMm, "F1"),
                    g.Group == "unseen" ? Ci(a.DiceGap) : g.Group == "target" ? Ci(a.TargetDiceGap) : ""]);
        page.Table(["arm", "vendors", "subjects", "cases", "Dice LV", "Dice MYO", "Dice RV", "Dice mean", "HD95 LV mm", "HD95 MYO mm", "HD95 RV mm", "HD LV mm", "gap (seen − group)"], headline,
            "Mean Dice [95 % CI] per structure and HD95 / Hausdorff (mm). Vendors: seen = training vendors, unseen = never seen in any form, target = DANN target vendor (its unlabeled scans were used), reported apart. Intervals resample subjects (ED, ES and all seeds of a subject together); gap = seen minus the group's mean Dice, two-sample");
        if (metrics.Ranking.Count > 0)
            page.Table(["rank", "arm", "Δ mean Dice on never-seen vendors [95 % CI]", "subjects", "Δ HD95 mm", "verdict"],
                metrics.Ranking.Select((c, i) => (IReadOnlyList<string>)[(i + 1).ToString(Inv), c.Arm, Ci(c.DiceDelta), c.Subjects.ToString(Inv), F(c.Hd95DeltaMm, "F1"),
                    c.Verdict]),
                $"Arms ranked by their paired effect against {metrics.Arms[0].Arm} on never-seen vendors (which factors affect generalization)");
        if (metrics.Comparisons.Count > 0)
            page.Table(["arm", "against", "vendors", "subjects", "paired cases", "Δ mean Dice [95 % CI]", "Δ HD95 mm", "verdict"],
                metrics.Comparisons.Select(c => (IReadOnlyList<string>)[c.Arm, c.Baseline, c.Group, c.Subjects.ToString(Inv), c.Cases.ToString(Inv), Ci(c.DiceDelta), F(c.Hd95DeltaMm, "F1"), c.Verdict]),
                "Each arm against the baseline on identical cases (paired; intervals resample subjects)");

        page.Heading(2, "Per vendor", "vendors");
        string[] vendors = [.. arms.SelectMany(a => a.ByVendor.Select(v => v.Group)).Distinct().Order(StringComparer.Ordinal)];
        page.Table(["arm", .. vendors.Select(v => $"vendor {v}")],
            arms.Select(a => (IReadOnlyList<string>)[a.Arm, .. vendors.Select(v => a.ByVendor.FirstOrDefault(g => g.Group == v) is { } g ? $"{F(g.MeanDice.Mean)} ({g.Role})" : "–")]),
            "Mean Dice per vendor (role of the vendor for that arm)");
        if (x.Figures.Contains("dicePerVendor") && arms.Count > 0)
        {
            var roleOfVendor = vendors.Select(v => string.Join("/", arms.Select(a => a.ByVendor.FirstOrDefault(g => g.Group == v)?.Role ?? "–").Distinct())).ToArray();
            var casesByArm = arms.Select(a => results.Arms.Where(r => r.Arm == a.Arm).SelectMany(r => r.Cases).ToList()).ToList();
            foreach (var (title, pick) in new (string, Func<CaseMetrics, double>)[] { ("mean of LV, MYO, RV", c => c.MeanDice), ("LV", c => c.Lv.Dice), ("MYO", c => c.Myo.Dice), ("RV", c => c.Rv.Dice) })
                page.Figure(Figures.BoxStrip($"Dice per vendor and arm: {title}", "Dice", vendors, armNames,
                    (v, a) => [.. casesByArm[a].Where(c => c.Vendor == vendors[v]).Select(pick)], roleOfVendor),
                    $"Dice ({title}) of every held-out case (ED and ES), per vendor (its role in brackets) and arm; boxes show quartiles, whiskers the range.");
        }
        var bySource = arms.SelectMany(a => a.BySource.Select(g => (a.Arm, g))).ToList();
        if (bySource.Count > 0)
        {
            page.Heading(2, "Per data source", "sources");
            page.Table(["arm", "source", "role", "subjects", "cases", "Dice mean [95 % CI]", "HD95 LV mm", "HD95 MYO mm", "HD95 RV mm", "subjects the fit read"],
                bySource.Select(p => (IReadOnlyList<string>)[p.Arm, p.g.Group, p.g.Role, p.g.Subjects.ToString(Inv), p.g.Cases.ToString(Inv), Ci(p.g.MeanDice),
                    F(p.g.Lv.Hd95Mm, "F1"), F(p.g.Myo.Hd95Mm, "F1"), F(p.g.Rv.Hd95Mm, "F1"),
                    results.Arms.Where(r => r.Arm == p.Arm).Select(r => r.SubjectsReadBySource?.GetValueOrDefault(p.g.Group)).Max()?.ToString(Inv) ?? "–"]),
                "Held-out cases per data source; role as seen by the arm (a source the arm never trained on is unseen, whatever its vendors). The last column counts the subjects of the source whose scans the fit read (training, validation, DANN target): 0 for a held-out source");
        }
        var byCentre = arms.SelectMany(a => a.ByCentre.Select(g => (a.Arm, g))).ToList();
        if (byCentre.Count > 0)
            page.Table(["arm", "centre", "role", "cases", "Dice mean [CI]", "HD95 LV mm"],
                byCentre.Select(p => (IReadOnlyList<string>)[p.Arm, p.g.Group, p.g.Role, p.g.Cases.ToString(Inv), Ci(p.g.MeanDice), F(p.g.Lv.Hd95Mm, "F1")]), "By centre");
        page.Table(["arm", "group", "cases", "Dice LV", "Dice MYO", "Dice RV", "HD95 MYO mm", "ASSD MYO mm", "undefined"],
            arms.SelectMany(a => a.ByFrame.Select(g => (IReadOnlyList<string>)[a.Arm, g.Group, g.Cases.ToString(Inv), Ci(g.Lv.Dice), Ci(g.Myo.Dice), Ci(g.Rv.Dice),
                F(g.Myo.Hd95Mm, "F1"), F(g.Myo.AssdMm, "F2"), (g.Lv.Undefined + g.Myo.Undefined + g.Rv.Undefined).ToString(Inv)])),
            "By frame (ED / ES); 'undefined' counts structures where exactly one of prediction and reference is empty (Dice 0, distances undefined and left out of the means); both empty counts as Dice 1, distance 0");

        var positions = arms.Where(a => a.SlicePositions.Count > 0).ToList();
        if (positions.Count > 0)
        {
            page.Heading(2, "Where along the heart", "positions");
            page.Paragraph("The slices that hold the reference heart, split into thirds from base to apex (the base is the end whose third holds more LV; slices beyond the heart count with the nearer end); Dice per structure pooled over each part's voxels, mean over cases with subject-resampled 95 % intervals.", "muted");
            page.Table(["arm", "network", "group", "part", "subjects", "LV Dice", "MYO Dice", "RV Dice"],
                positions.SelectMany(a => a.SlicePositions.Select(p => (IReadOnlyList<string>)[a.Arm, a.Definition.Model.Architecture.Name() + (a.Definition.Model.IsDann ? " + DANN" : ""), p.Group, p.Position,
                    p.Subjects.ToString(Inv), Ci(p.Lv), Ci(p.Myo), Ci(p.Rv)])),
                "Dice per structure at the base, mid-ventricle and apex");
            var contrasts = metrics.StructureComparisons.Where(c => c.Group is "unseen" or "seen").ToList();
            if (contrasts.Count > 0)
                page.Table(["arm", "group", "structure", "all", "base", "mid", "apex"],
                    contrasts.GroupBy(c => (c.Arm, c.Group, c.Structure)).Select(g => (IReadOnlyList<string>)[g.Key.Arm, g.Key.Group, g.Key.Structure,
                        .. PositionColumns.Select(pos => g.FirstOrDefault(c => c.Position == pos) is { } c ? $"{Ci(c.DiceDelta)} {c.Verdict}" : "–")]),
                    string.Create(Inv, $"Each arm against the baseline ({contrasts[0].Baseline}) on the same cases: Dice difference per structure and part of the heart, paired per case, subjects resampled; 'helps'/'hurts' when the interval excludes zero and both arms converged, 'not converged' (no verdict) otherwise."));
        }

        if (x.Evaluations.Contains("clinical"))
        {
            page.Heading(2, "Clinical indices", "clinical");
            var rows = new List<IReadOnlyList<string>>();
            foreach (ArmMetrics a in arms)
                foreach (GroupMetrics g in a.ByRole)
                    foreach (var (name, ag) in g.Clinical)
                        rows.Add([a.Arm, g.Group, name, ag.Count.ToString(Inv), F(ag.Correlation), F(ag.Bias, "F1"), $"{F(ag.LowerLimit, "F1")} to {F(ag.UpperLimit, "F1")}", F(ag.MeanAbsoluteError, "F1")]);
            page.Table(["arm", "vendors", "index", "subjects", "Pearson r", "bias", "limits of agreement", "MAE"], rows,
                "Predicted against reference: LV/RV EDV and ESV (ml), EF (%), LV myocardial mass (g, 1.05 g/ml)");
            if (x.Figures.Contains("blandAltman"))
                foreach (ArmMetrics a in arms)
                {
                    var runs = results.Arms.Where(r => r.Arm == a.Arm).ToList();
                    var pairs = runs.SelectMany(r => r.Cases.GroupBy(c => c.Subject).Select(g => (Ed: g.FirstOrDefault(c => c.Frame == "ED"), Es: g.FirstOrDefault(c => c.Frame == "ES"))))
                        .Where(p => p.Ed is not null && p.Es is not null).ToList();
                    if (pairs.Count == 0) continue;
                    static double Ef(double ed, double es) => ed > 0 ? 100 * (ed - es) / ed : double.NaN;
                    double[] efP = [.. pairs.Select(p => Ef(p.Ed!.Lv.PredictedMl, p.Es!.Lv.PredictedMl))], efT = [.. pairs.Select(p => Ef(p.Ed!.Lv.TruthMl, p.Es!.Lv.TruthMl))];
                    double[] massP = [.. pairs.Select(p => p.Ed!.Myo.PredictedMl * ClinicalIndices.MyocardiumDensityGPerMl)], massT = [.. pairs.Select(p => p.Ed!.Myo.TruthMl * ClinicalIndices.MyocardiumDensityGPerMl)];
                    bool[] seen = [.. pairs.Select(p => p.Ed!.Role == "seen")];
                    var efA = Agreement.Compute(efP, efT);
                    var massA = Agreement.Compute(massP, massT);
                    page.Figure(Figures.BlandAltman($"{a.Arm}: LV EF", "%", efP, efT, seen, efA.Bias, efA.LowerLimit, efA.UpperLimit), $"{a.Arm}: Bland–Altman of LV EF (all test subjects; bias and 95 % limits of agreement)");
                    page.Figure(Figures.BlandAltman($"{a.Arm}: LV mass", "g", massP, massT, seen, massA.Bias, massA.LowerLimit, massA.UpperLimit), $"{a.Arm}: Bland–Altman of LV myocardial mass (ED)");
                }
        }

        if (x.Figures.Contains("overlays"))
        {
            page.Heading(2, "Best, median and worst cases per vendor", "overlays");
            page.Paragraph("Mid-ventricular ED slice (the middle of the slices whose reference holds all three structures). Reference contours thick: LV green, MYO gold, RV blue; prediction thin: LV red, MYO orange, RV magenta.", "muted");
            foreach (ArmRunResult run in results.Arms.Where(r => r.Overlays.Count > 0))
            {
                page.Heading(3, results.Experiment.Seeds.Count > 1 ? $"{run.Arm} (seed {run.Seed})" : run.Arm);
                var sb = new StringBuilder("<table class=\"grid\"><tr><th></th><th>best</th><th>median</th><th>worst</th></tr>");
                foreach (var vendor in run.Overlays.GroupBy(o => o.Vendor))
                {
                    sb.Append($"<tr><th>vendor {HtmlPage.E(vendor.Key)}<br>{HtmlPage.E(run.Cases.FirstOrDefault(c => c.Vendor == vendor.Key)?.Role)}</th>");
                    foreach (string rank in new[] { "best", "median", "worst" })
                    {
                        OverlayImage? o = vendor.FirstOrDefault(v => v.Rank == rank);
                        string file = o is null ? "" : Path.Combine(reportDirectory, o.Path);
                        sb.Append(o is not null && File.Exists(file)
                            ? $"<td>{HtmlPage.Image(File.ReadAllBytes(file), $"{run.Arm} vendor {vendor.Key} {rank}")}<span class=\"muted\">Dice {F(o.MeanDice, "F2")}, slice {o.Slice}</span></td>"
                            : "<td>–</td>");
                    }
                    sb.Append("</tr>");
                }
                page.Raw(sb.Append("</table>").ToString());
            }
        }

        if (x.Figures.Contains("trainingCurves") && arms.Count > 0)
        {
            page.Heading(2, "Training curves", "training");
            var histories = arms.Select(a => results.Arms.First(r => r.Arm == a.Arm).History).ToList();
            page.Figure(Figures.Curves("training loss", "loss (Dice + CE)", armNames, [.. histories.Select(h => (IReadOnlyList<double>)[.. h.Select(e => e.TrainLoss)])]), "Mean training loss per epoch (first seed)");
            page.Figure(Figures.Curves("validation Dice (seen vendors)", "mean Dice", armNames, [.. histories.Select(h => (IReadOnlyList<double>)[.. h.Select(e => e.ValidationMeanDice ?? double.NaN)])]), "Mean validation Dice per epoch on held-out subjects of the training vendors (slices)");
            page.Table(["arm", "epochs", "best epoch", "train min", "evaluate min", "training subjects"],
                arms.Select(a => { var r = results.Arms.First(y => y.Arm == a.Arm); return (IReadOnlyList<string>)[a.Arm, r.History.Count.ToString(Inv), (r.BestEpoch + 1).ToString(Inv), F(a.TrainSeconds / 60, "F1"), F(a.EvaluationSeconds / 60, "F1"), r.TrainSubjects.ToString(Inv)]; }),
                "Timings (this machine)");
        }

        var crossValidated = arms.Where(a => a.Folds.Count > 0).ToList();
        if (crossValidated.Count > 0)
        {
            page.Heading(2, "Cross-validation and ensemble", "cross-validation");
            page.Paragraph(string.Create(Inv, $"Each arm trained {x.Folds} models on subject-grouped folds of its training subjects (stratified by vendor); each fold validated once, so every training case has an out-of-fold prediction. The arm's results above are the ensemble of its fold models (softmax averaged, one model file), with the post-processing the pooled out-of-fold predictions chose."), "muted");
            page.Table(["arm", "fold", "train / validation subjects", "out-of-fold Dice", "alone on seen test", "alone on never-seen test", "best epoch", "converged"],
                crossValidated.SelectMany(a => a.Folds.Select(f => (IReadOnlyList<string>)[a.Arm, f.Fold.ToString(Inv), $"{f.TrainSubjects.ToString(Inv)} / {f.ValidationSubjects.ToString(Inv)}",
                    F(f.OutOfFoldDice), F(f.SeenDice), F(f.UnseenDice), (f.BestEpoch + 1).ToString(Inv), f.Converged ? "yes" : "no"])),
                "Per fold model: mean Dice of its out-of-fold cases, and alone on the study's held-out test cases");
            var oof = crossValidated.Where(a => a.OutOfFold is not null).ToList();
            if (oof.Count > 0)
                page.Table(["arm", "subjects", "cases", "LV Dice", "MYO Dice", "RV Dice", "mean Dice [95 % CI]"],
                    oof.Select(a => (IReadOnlyList<string>)[a.Arm, a.OutOfFold!.Subjects.ToString(Inv), a.OutOfFold.Cases.ToString(Inv), F(a.OutOfFold.Lv.Dice.Mean), F(a.OutOfFold.Myo.Dice.Mean), F(a.OutOfFold.Rv.Dice.Mean), Ci(a.OutOfFold.MeanDice)]),
                    "Out-of-fold predictions of every training case (each by the fold model that did not train on it)");
            var effects = crossValidated.Where(a => a.EnsembleEffects.Count > 0).ToList();
            if (effects.Count > 0)
                page.Table(["arm", "group", "subjects", "single model [95 % CI]", "ensemble [95 % CI]", "ensemble − single [95 % CI]", "ensemble − best fold"],
                    effects.SelectMany(a => a.EnsembleEffects.Select(e => (IReadOnlyList<string>)[a.Arm, e.Group, e.Subjects.ToString(Inv), Ci(e.SingleDice), Ci(e.EnsembleDice), Ci(e.DiceDelta), F(e.BestFoldDelta, "+0.0000;-0.0000")])),
                    "Mean Dice of the ensemble against a single fold model on the held-out test cases (single: the fold models' mean on each case; paired per case, subjects resampled). The best fold is picked after the fact on these very cases, so that column flatters the single model.");
        }

        var chosen = results.Arms.Where(r => r.PostProcessing is not null && arms.Any(a => a.Arm == r.Arm)).ToList();
        if (chosen.Count > 0)
        {
            page.Heading(2, "Post-processing chosen on validation", "postprocessing");
            static string Cell(Inference.StructurePostProcessing s) => string.Create(Inv, $"{(s.Applied ? "on" : "off")} ({s.DiceWithout:0.0000} → {s.DiceWith:0.0000})");
            page.Table(["arm", "seed", "LV", "MYO", "RV"],
                chosen.Select(r => (IReadOnlyList<string>)[r.Arm, r.Seed.ToString(Inv), .. r.PostProcessing!.Structures.Select(Cell)]),
                "Largest connected component per structure, kept or not as the validation subjects decided (nnU-Net's post-processing step; a tie keeps the filter): mean validation Dice without → with it");
            var effects = arms.Where(a => a.PostProcessingEffects.Count > 0).ToList();
            if (effects.Count > 0)
                page.Table(["arm", "group", "subjects", "cases changed", "mean Dice, chosen − always on [95 % CI]"],
                    effects.SelectMany(a => a.PostProcessingEffects.Select(e => (IReadOnlyList<string>)[a.Arm, e.Group, e.Subjects.ToString(Inv), $"{e.CasesChanged.ToString(Inv)} of {e.Cases.ToString(Inv)}", Ci(e.DiceDelta)])),
                    "The chosen post-processing against the filter on every structure, on the held-out subjects (paired per case, subjects resampled)");
        }

        var judged = arms.Where(a => a.Reliability is not null).ToList();
        if (judged.Count > 0)
        {
            page.Heading(2, "When not to trust a segmentation", "reliability");
            page.Paragraph(string.Create(Inv, $"Each arm's pipeline ends in a quality-control stage fitted on its training and validation data only: a shift score (Mahalanobis distance of the network's features to the training scans', threshold calibrated for {new Inference.QualityControlOptions().FalseAlarmRate:P0} false alarms on held-out training-vendor scans), a predicted Dice per structure without ground truth, and anatomical rules. Measured here against the true Dice of the held-out cases."), "muted");
            string[] others = [.. judged.SelectMany(a => a.Reliability!.ShiftAuroc.Keys).Distinct().Order(StringComparer.Ordinal)];
            page.Table(["arm", .. others.Select(v => $"AUROC vendor {v}"), .. others.Select(v => $"flagged shifted, vendor {v}"), "false alarms (seen)", "Spearman predicted vs true Dice", "interval coverage", "cases with Dice < 0.80", "QC caught", "seen cases flagged"],
                judged.Select(a =>
                {
                    var r = a.Reliability!;
                    return (IReadOnlyList<string>)[a.Arm,
                        .. others.Select(v => r.ShiftAuroc.TryGetValue(v, out double auc) ? F(auc) : "–"),
                        .. others.Select(v => r.ShiftDetected.TryGetValue(v, out double d) ? d.ToString("P0", Inv) : "–"),
                        F(r.ShiftFalseAlarms, "P0"), F(r.Spearman), F(r.IntervalCoverage, "P0"), r.FailedCases.ToString(Inv), F(r.CatchRate, "P0"), F(r.SeenFlagRate, "P0")];
                }),
                (results.VendorClassifier is { } classifier && !double.IsNaN(classifier.UnseenAuroc)
                    ? string.Create(Inv, $"For comparison, the {classifier.TypeTitle} vendor classifier's max-probability score separates never-seen vendor(s) {string.Join(", ", classifier.UnseenVendors)} from held-out known-vendor volumes with AUROC {classifier.UnseenAuroc:F3}. ")
                    : "") + "Shift score: AUROC of each non-training vendor's cases against the held-out training-vendor cases, and the share above the threshold; predicted Dice: rank correlation with the true mean Dice, and the share of structures whose true Dice fell inside the predicted interval; QC flag (shift, predicted mean Dice < 0.80, or a broken anatomical rule): share of failed cases (true mean Dice < 0.80) caught, and share of seen-vendor cases flagged");
            foreach (ArmMetrics a in judged)
                page.Figure(Figures.PredictedDice($"{a.Arm}: predicted against true Dice", a.Reliability!.Points, new Inference.QualityControlOptions().MinPredictedDice, ReliabilityMetrics.FailedDice),
                    string.Create(Inv, $"{a.Arm}: every held-out case (Spearman {F(a.Reliability.Spearman)}); left of the dashed vertical line the QC flags on predicted quality, below the dashed horizontal line a case failed (true mean Dice < {ReliabilityMetrics.FailedDice:F2})."));
        }

        if (results.VendorClassifier is { } first && results.ClassifierComparisons.Count > 0)
        {
            page.Heading(2, "Vendor classifiers compared", "classifiers");
            page.Table(["network", "volume accuracy", "slice accuracy", "known volumes flagged", "unseen-vendor volumes flagged", "AUROC unseen vs known", "train + evaluate s"],
                new[] { first }.Concat(results.ClassifierComparisons).Select(c => (IReadOnlyList<string>)[c.TypeTitle, F(c.VolumeAccuracy, "P1"), F(c.SliceAccuracy, "P1"),
                    F(c.FlaggedKnown, "P0"), F(c.FlaggedUnseen, "P0"), F(c.UnseenAuroc), F(c.Seconds, "F0")]),
                string.Create(Inv, $"Every architecture trained on the same volumes of the known vendors with the same budget and its default width, calibrated for {x.VendorClassifier!.FalseAlarmRate:P0} false alarms on held-out known volumes, and tested on the same held-out volumes{(first.UnseenVendors.Count > 0 ? $" and on never-seen vendor(s) {string.Join(", ", first.UnseenVendors)}" : "")}."));
        }

        if (results.VendorClassifier is { } vc && x.Figures.Contains("confusion"))
        {
            page.Heading(2, "Vendor classifier", "classifier");
            page.Figure(Figures.Confusion("held-out volumes", vc.Vendors, vc.Confusion),
                string.Create(Inv, $"{vc.TypeTitle} vendor classifier (vendorClassifier.type {vc.Type}). Confusion matrix (rows: true vendor): volume accuracy {vc.VolumeAccuracy:P1}, slice accuracy {vc.SliceAccuracy:P1}; unfamiliar-scanner threshold {vc.Threshold:F3} flags {vc.FlaggedKnown:P0} of known-vendor volumes{(double.IsNaN(vc.FlaggedUnseen) ? "" : $" and {vc.FlaggedUnseen:P0} of unseen-vendor ({string.Join(", ", vc.UnseenVendors)}) volumes")}."));
        }

        page.Heading(2, "Method", "method");
        page.List([
            "Dice, Hausdorff distance (maximum, as M&Ms reports), HD95 and ASSD per structure in 3D with the voxel spacing (mm), on each image's own grid after inverting the preprocessing.",
            "Empty masks: both empty → Dice 1, distances 0; exactly one empty → Dice 0 and distances undefined (left out of the distance means, counted as 'undefined').",
            "Confidence intervals: percentile bootstrap (bootstrapResamples, default 2000; seeded) that resamples subjects — a subject's ED and ES cases and all its training seeds move together (cluster bootstrap) — paired for arm comparisons, two-sample for the seen–unseen gap.",
            "Clinical indices: volumes from voxel counts × voxel volume; EF = (EDV − ESV)/EDV; LV mass = myocardial volume at ED × 1.05 g/ml; Bland–Altman limits = bias ± 1.96 SD.",
            $"Files: {MetricsFile} (all numbers), {CasesFile} (every case), arms/ARM/seed-N/ (results, training logs, overlays), {StudyResults.ExperimentFile} (the resolved experiment).",
        ]);
        return page.ToString();
    }
}
