using MLCardiac.Evaluation;
using MLCardiac.Experiments;
using MLCardiac.Reports;
using MLCardiac.Training;

namespace MLCardiac.Tests.Experiments;

/// <summary>
/// The study's measurement of quality control against the true Dice: AUROC of the shift score per non-training vendor,
/// false alarms, Spearman of predicted against true Dice, what the flag catches — computed right, and present in
/// metrics.json, the report (table and scatter) and the CLI summary.
/// </summary>
[TestClass]
public sealed class ReliabilityReportTests
{
    private static OverlapMetrics O(double dice) => new(dice, 5, 3, 1, 100, 100);

    /// <summary>
    /// 10 seen subjects (A), 10 of vendor C whose shift scores all lie above A's, 10 of vendor D mixed in with A's; true Dice
    /// falls with the subject index and the predicted Dice follows it exactly, so Spearman is 1.
    /// </summary>
    private static List<CaseMetrics> Cases()
    {
        var cases = new List<CaseMetrics>();
        foreach (var (vendor, role) in new[] { ("A", "seen"), ("C", "unseen"), ("D", "unseen") })
            for (int s = 0; s < 10; s++)
            {
                double truth = 0.95 - 0.02 * s - (vendor == "C" ? 0.1 : 0);
                double shift = vendor switch { "A" => s, "C" => 20 + s, _ => s + 0.5 };
                bool shifted = shift > 9;
                bool lowPredicted = truth < 0.80;
                var quality = new CaseQuality(shift, shifted, [truth, truth, truth], [truth - 0.05, truth - 0.05, truth - 0.05], [truth + 0.05, truth + 0.05, truth + 0.05],
                    shifted || lowPredicted, shifted || lowPredicted ? ["reason"] : []);
                cases.Add(new CaseMetrics($"{vendor}{s}", vendor, null, "ED", role, O(truth), O(truth), O(truth)) { Quality = quality });
            }
        return cases;
    }

    [TestMethod]
    public void From_ComputesTheSeparationCorrelationAndCatchRateOfKnownCases()
    {
        ReliabilityMetrics r = ReliabilityMetrics.From(Cases())!;
        Assert.AreEqual(1.0, r.ShiftAuroc["C"], 1e-12);
        // D's scores s + 0.5 against A's s: D wins s + 1 of the 10 pairs for each s, 55 of 100.
        Assert.AreEqual(0.55, r.ShiftAuroc["D"], 1e-12);
        Assert.AreEqual(0.0, r.ShiftFalseAlarms);
        Assert.AreEqual(1.0, r.ShiftDetected["C"]);
        Assert.AreEqual(0.1, r.ShiftDetected["D"], 1e-12);
        Assert.AreEqual(1.0, r.Spearman, 1e-12);
        Assert.AreEqual(1.0, r.IntervalCoverage);
        // Failed (true < 0.80): A s ≥ 8 (2), D s ≥ 8 (2), C s ≥ 3 (7): 11, all flagged by the predicted Dice.
        Assert.AreEqual(11, r.FailedCases);
        Assert.AreEqual(1.0, r.CatchRate);
        Assert.AreEqual(0.2, r.SeenFlagRate, 1e-12);
        Assert.HasCount(30, r.Points);
        Assert.IsNull(ReliabilityMetrics.From([new CaseMetrics("x", "A", null, "ED", "seen", O(1), O(1), O(1))]), "no QC verdicts: no reliability metrics");
    }

    [TestMethod]
    public void ReportMetricsAndCliSummary_CarryTheQualityControlMeasurement()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-reliability-" + Guid.NewGuid().ToString("N"));
        try
        {
            var arm = new ArmDefinition { Name = "baseline", Augmentation = "none", Model = new ModelDefinition(), Training = new TrainingBudget(), TrainVendors = ["A"], TargetVendors = [] };
            var results = new StudyResults
            {
                Experiment = new ExperimentDefinition { Id = "reliability", Arms = [arm], BootstrapResamples = 200 },
                Arms = [new ArmRunResult { Arm = "baseline", Seed = 1, Definition = arm, Fingerprint = "x", History = [new EpochRecord(0, 1, null, null, null, 0.002, [0.9, 0.9, 0.9], 0.9, 1, 100)], BestEpoch = 0, Cases = Cases() }],
            };
            StudyMetrics metrics = ExperimentReport.Write(results, dir);

            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            StringAssert.Contains(html, "When not to trust a segmentation");
            StringAssert.Contains(html, "AUROC vendor C");
            StringAssert.Contains(html, "baseline: every held-out case (Spearman 1.000)");
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            Assert.AreEqual(8, json.RootElement.GetProperty("schemaVersion").GetInt32());
            var reliability = json.RootElement.GetProperty("arms")[0].GetProperty("reliability");
            Assert.AreEqual(1.0, reliability.GetProperty("shiftAuroc").GetProperty("C").GetDouble(), 1e-12);
            Assert.AreEqual(1.0, reliability.GetProperty("spearman").GetDouble(), 1e-12);

            using var writer = new StringWriter();
            var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
            {
                Ansi = Spectre.Console.AnsiSupport.No, ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
                Out = new Spectre.Console.AnsiConsoleOutput(writer), Interactive = Spectre.Console.InteractionSupport.No,
            });
            console.Profile.Width = 400;
            MLCardiac.Cli.Commands.RunCommand.Render(console, metrics);
            string text = writer.ToString();
            StringAssert.Contains(text, "When not to trust a segmentation");
            StringAssert.Contains(text, "shift AUROC D");
            StringAssert.Contains(text, "0.550");
            StringAssert.Contains(text, "100 % of 11");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
