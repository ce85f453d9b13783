using MLCardiac.Evaluation;
using MLCardiac.Experiments;
using MLCardiac.Reports;
using MLCardiac.Training;

namespace MLCardiac.Tests.Experiments;

/// <summary>
/// The convergence check of a study: a run whose validation Dice is still rising is not converged, and a comparison with
/// such an arm never becomes a verdict ("helped", "hurt") in the findings, the ranking or the report's tables.
/// </summary>
[TestClass]
public sealed class TrainingConvergenceTests
{
    private static List<EpochRecord> Curve(params double[] dice) =>
        [.. dice.Select((d, i) => new EpochRecord(i, 1.0 / (i + 1), null, null, null, 0.002, [d, d, d], d, 1, 100))];

    [TestMethod]
    public void Of_StillRising_NotConverged()
    {
        var c = TrainingConvergence.Of(Curve(0.30, 0.55, 0.70, 0.78, 0.83), stoppedEarly: false);

        Assert.IsFalse(c.Converged, c.Reason);
        Assert.AreEqual(0.83 - 0.70, c.LastGain, 1e-9);
        StringAssert.Contains(c.Reason, "still rising");
    }

    [TestMethod]
    public void Of_Plateau_Converged()
    {
        var c = TrainingConvergence.Of(Curve(0.30, 0.70, 0.85, 0.88, 0.881, 0.879, 0.882, 0.880, 0.883), stoppedEarly: false);

        Assert.IsTrue(c.Converged, c.Reason);
        Assert.IsLessThan(TrainingConvergence.Tolerance, c.LastGain);
    }

    [TestMethod]
    public void Of_GainJustAtTheTolerance_NotConverged()
    {
        Assert.IsFalse(TrainingConvergence.Of(Curve(0.5, 0.8, 0.8, 0.8, 0.8 + TrainingConvergence.Tolerance, 0.8), stoppedEarly: false).Converged);
        Assert.IsTrue(TrainingConvergence.Of(Curve(0.5, 0.8, 0.8, 0.8, 0.8 + TrainingConvergence.Tolerance * 0.9, 0.8), stoppedEarly: false).Converged);
    }

    [TestMethod]
    public void Of_StoppedEarlyOrWithoutValidation_AsDocumented()
    {
        Assert.IsTrue(TrainingConvergence.Of(Curve(0.3, 0.6, 0.9), stoppedEarly: true).Converged);
        var none = TrainingConvergence.Of([.. Curve(0.3, 0.6, 0.9, 0.9).Select(e => e with { ValidationDice = null, ValidationMeanDice = null })], stoppedEarly: false);
        Assert.IsFalse(none.Converged);
        StringAssert.Contains(none.Reason, "no validation");
        Assert.IsFalse(TrainingConvergence.Of(Curve(0.9, 0.9), stoppedEarly: false).Converged, "two epochs cannot show a plateau");
    }

    /// <summary>
    /// A gain just past the tolerance reads as past it (4 decimals: +0.0053, not a rounded +0.005 ≥ 0.005), and an arm
    /// names every seed that had not converged, not only the first.
    /// </summary>
    [TestMethod]
    public void OfSeeds_NamesEveryUnconvergedSeed_WithTheGainPastTheTolerance()
    {
        var rising = TrainingConvergence.Of(Curve(0.5, 0.8, 0.8, 0.8, 0.8053, 0.8), stoppedEarly: false);
        var flat = TrainingConvergence.Of(Curve(0.5, 0.8, 0.8, 0.8, 0.8, 0.8), stoppedEarly: false);
        var alsoRising = TrainingConvergence.Of(Curve(0.5, 0.8, 0.8, 0.8, 0.81, 0.8), stoppedEarly: false);

        StringAssert.Contains(rising.Reason, "+0.0053 ≥ 0.005");
        var arm = TrainingConvergence.OfSeeds([(1, flat), (2, rising), (3, alsoRising)]);

        Assert.IsFalse(arm.Converged);
        StringAssert.Contains(arm.Reason, "seed 2: ");
        StringAssert.Contains(arm.Reason, "seed 3: ");
        Assert.IsFalse(arm.Reason.Contains("seed 1", StringComparison.Ordinal), arm.Reason);
        Assert.AreEqual(0.01, arm.LastGain, 1e-9);
    }

    /// <summary>
    /// A DANN arm's never-seen vendors are fewer than the baseline's (its target vendor is not never-seen for it), so its
    /// never-seen mean Dice is left out of the findings' best/worst ranking even when it is the highest number.
    /// </summary>
    [TestMethod]
    public void Compute_ArmWithOtherNeverSeenVendors_LeftOutOfTheBestOnNeverSeenRanking()
    {
        var study = Study(baselineCurve: [0.5, 0.8, 0.85, 0.86, 0.861, 0.86]);
        // A third arm whose vendor D is its DANN target and E its only never-seen vendor, scored far above the others.
        ArmDefinition dann = study.Experiment.Arms[0] with { Name = "dann", TargetVendors = ["D"] };
        static OverlapMetrics O(double dice) => new(dice, 5, 3, 1, 100, 100);
        var cases = study.Arms[0].Cases.Select(c => c.Role == "unseen" ? c with { Role = "target" } : c).ToList();
        for (int s = 0; s < 12; s++)
            foreach (string frame in new[] { "ED", "ES" })
                cases.Add(new CaseMetrics($"E{s:00}", "E", null, frame, "unseen", O(0.99), O(0.99), O(0.99)));
        study = study with
        {
            Experiment = study.Experiment with { Arms = [.. study.Experiment.Arms, dann] },
            Arms = [.. study.Arms, study.Arms[0] with { Arm = "dann", Definition = dann, Fingerprint = "dann", Cases = cases }],
        };

        var metrics = StudyMetrics.Compute(study);

        string best = metrics.Findings.Single(f => f.StartsWith("Best on never-seen vendors", StringComparison.Ordinal));
        StringAssert.StartsWith(best, "Best on never-seen vendors (D): better");
        Assert.IsFalse(best.Contains("dann", StringComparison.Ordinal), best);
        Assert.IsTrue(metrics.Findings.Any(f => f.StartsWith("dann is left out of the ranking below: its never-seen vendors (E) are not the baseline's (D)", StringComparison.Ordinal)),
            string.Join("\n", metrics.Findings));

        // With the baseline the only comparable arm there is no ranking, so nothing refers to one.
        var alone = StudyMetrics.Compute(study with
        {
            Experiment = study.Experiment with { Arms = [study.Experiment.Arms[0], dann] },
            Arms = [study.Arms[0], study.Arms[2]],
        });
        Assert.IsFalse(alone.Findings.Any(f => f.Contains("ranking below", StringComparison.Ordinal) || f.StartsWith("Best on", StringComparison.Ordinal)),
            string.Join("\n", alone.Findings));
    }

    /// <summary>
    /// A study whose second arm beats the baseline by 0.05 on every never-seen case: with converged training the findings
    /// say "helped"; with the baseline still rising they withhold the verdict everywhere.
    /// </summary>
    [TestMethod]
    public void Compute_UnconvergedBaseline_NoStrategyVerdictAnywhere_ConvergedGivesOne()
    {
        double[] plateau = [0.5, 0.8, 0.85, 0.86, 0.861, 0.86];
        double[] rising = [0.2, 0.4, 0.55, 0.65, 0.72, 0.78];

        var converged = StudyMetrics.Compute(Study(baselineCurve: plateau));
        var comparison = converged.Comparisons.Single(c => c.Group == "unseen");
        Assert.IsTrue(comparison.Converged);
        Assert.AreEqual("helped", comparison.Verdict);
        Assert.IsTrue(converged.Findings.Any(f => f.Contains("on never-seen vendors helped", StringComparison.Ordinal)), string.Join("\n", converged.Findings));

        var unconverged = StudyMetrics.Compute(Study(baselineCurve: rising));
        Assert.IsFalse(unconverged.Arms[0].Convergence.Converged);
        Assert.IsTrue(unconverged.Arms[1].Convergence.Converged);
        Assert.IsTrue(unconverged.Comparisons.All(c => !c.Converged && c.Verdict == ArmComparison.NoVerdict));
        string all = string.Join("\n", unconverged.Findings);
        Assert.IsFalse(all.Contains("helped", StringComparison.Ordinal) || all.Contains("hurt", StringComparison.Ordinal) || all.Contains("Ranked by effect", StringComparison.Ordinal), all);
        StringAssert.Contains(all, "not converged: no verdict on this strategy");
        StringAssert.Contains(all, "baseline: training not converged");
    }

    /// <summary>The same unconverged study as the report and the CLI summary show it: the convergence table and the withheld verdicts.</summary>
    [TestMethod]
    public void ReportAndCliSummary_UnconvergedBaseline_SayNotConvergedAndNoVerdict()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-convergence-" + Guid.NewGuid().ToString("N"));
        try
        {
            var results = Study(baselineCurve: [0.2, 0.4, 0.55, 0.65, 0.72, 0.78]);
            StudyMetrics metrics = ExperimentReport.Write(results, dir);

            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            StringAssert.Contains(html, "Did training converge?");
            StringAssert.Contains(html, "still rising");
            StringAssert.Contains(html, ArmComparison.NoVerdict);
            Assert.IsFalse(html.Contains(">helped<", StringComparison.Ordinal) || html.Contains(">hurt<", StringComparison.Ordinal));
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            var arms = json.RootElement.GetProperty("arms");
            Assert.IsFalse(arms[0].GetProperty("convergence").GetProperty("converged").GetBoolean());
            Assert.IsTrue(arms[1].GetProperty("convergence").GetProperty("converged").GetBoolean());
            Assert.AreEqual(ArmComparison.NoVerdict, json.RootElement.GetProperty("comparisons")[0].GetProperty("verdict").GetString());

            using var writer = new StringWriter();
            var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
            {
                Ansi = Spectre.Console.AnsiSupport.No, ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
                Out = new Spectre.Console.AnsiConsoleOutput(writer), Interactive = Spectre.Console.InteractionSupport.No,
            });
            console.Profile.Width = 400;
            MLCardiac.Cli.Commands.RunCommand.Render(console, metrics);
            string text = writer.ToString();
            StringAssert.Contains(text, "converged");
            StringAssert.Contains(text, "NO");
            StringAssert.Contains(text, "baseline: training not converged");
            StringAssert.Contains(text, ArmComparison.NoVerdict);
            Assert.IsFalse(text.Contains(" helped", StringComparison.Ordinal) || text.Contains(" hurt", StringComparison.Ordinal), text);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static StudyResults Study(double[] baselineCurve)
    {
        var budget = new TrainingBudget();
        ArmDefinition Arm(string name) => new() { Name = name, Augmentation = "none", Model = new ModelDefinition(), Training = budget, TrainVendors = ["A"], TargetVendors = [] };
        var arms = new[] { Arm("baseline"), Arm("better") };
        var experiment = new ExperimentDefinition { Id = "convergence", Arms = arms, BootstrapResamples = 500 };
        static OverlapMetrics O(double dice) => new(dice, 5, 3, 1, 100, 100);
        List<CaseMetrics> Cases(double shift)
        {
            var rng = new Random(3);
            var cases = new List<CaseMetrics>();
            foreach (var (vendor, role, level) in new[] { ("A", "seen", 0.90), ("D", "unseen", 0.80) })
                for (int s = 0; s < 12; s++)
                    foreach (string frame in new[] { "ED", "ES" })
                    {
                        double d = level + 0.04 * rng.NextDouble() + (role == "unseen" ? shift : 0);
                        cases.Add(new CaseMetrics($"{vendor}{s:00}", vendor, null, frame, role, O(d), O(d), O(d)));
                    }
            return cases;
        }
        ArmRunResult Run(ArmDefinition arm, double[] curve, double shift) => new()
        {
            Arm = arm.Name, Seed = 1, Definition = arm, Fingerprint = arm.Name, History = Curve(curve), BestEpoch = curve.Length - 1, Cases = Cases(shift),
        };
        return new StudyResults
        {
            Experiment = experiment,
            Arms = [Run(arms[0], baselineCurve, 0), Run(arms[1], [0.5, 0.8, 0.85, 0.86, 0.861, 0.86], 0.05)],
        };
    }
}
