using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML;
using MLCardiac.Data;
using MLCardiac.Experiments;
using MLCardiac.ML;
using MLCardiac.Tests.Cli;
using MLCardiac.Tests.Reports;

namespace MLCardiac.Tests.Experiments;

/// <summary>
/// <c>mlcardiac run</c> on a tiny synthetic study (three vendors, 64×64 slices, two arms of a few steps, the vendor
/// classifier), run once for the class: outputs, resume, the report in a real browser, regeneration, tracking.
/// </summary>
[TestClass]
public sealed class StudyRunTests
{
    private static string _root = "";
    private static string _experiment = "";
    private static (int Code, string Output) _first;

    private static string Reports => Path.Combine(_root, "reports");
    private static string Models => Path.Combine(_root, "models");
    private static string ReportDir => Path.Combine(Reports, "tiny");
    private static string Db => Path.Combine(Reports, "mlcardiac.db");

    internal const string TinyStudy = """
        {
          "schemaVersion": 1, "id": "tiny", "description": "tiny test study",
          "data": { "synthetic": { "seed": 1234, "subjectsPerVendor": 3, "vendors": ["A", "B", "C"], "unlabeledVendors": ["C"], "unlabeledPerVendor": 2, "minFrames": 4, "maxFrames": 6 } },
          "split": { "trainVendors": ["A"], "targetVendors": ["C"], "testFraction": 0.34, "validationFraction": 0.34 },
          "preprocessing": { "size": 64, "spacingMm": 2.5 },
          "model": { "baseFilters": 4, "depth": 3 },
          "training": { "epochs": 2, "iterationsPerEpoch": 3, "batchSize": 2 },
          "arms": [ { "name": "noaug", "augmentation": "none" }, { "name": "dann", "augmentation": "artefacts", "model": { "type": "dann" } } ],
          "vendorClassifier": { "epochs": 1, "iterationsPerEpoch": 2, "width": 4, "unseenVendors": ["C"], "compare": ["densenet"] }
        }
        """;

    private static string[] RunArgs => ["run", _experiment, "--data", Path.Combine(_root, "data"), "--out-models", Models, "--out-reports", Reports];

    [ClassInitialize]
    public static void RunTinyStudy(TestContext context)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-study-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _experiment = Path.Combine(_root, "tiny.json");
        File.WriteAllText(_experiment, TinyStudy);
        _first = CliRunner.Run(RunArgs);
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_root, recursive: true);

    [TestMethod]
    public void Run_TinyStudy_ChoosesPostProcessingOnValidation_AndPutsItAgainstAlwaysOn()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        foreach (string arm in new[] { "noaug", "dann" })
        {
            var result = StudyResults.Read<ArmRunResult>(Path.Combine(ReportDir, "arms", arm, "seed-1", StudyResults.ResultFile));
            Assert.IsNotNull(result.PostProcessing, $"{arm}: the fit had validation subjects, so it chose");
            CollectionAssert.AreEqual(new[] { 1, 2, 3 }, result.PostProcessing!.Structures.Select(s => s.Label).ToArray());
            using var loaded = CardiacModel.Load(Path.Combine(Models, "tiny", arm, "seed-1", ExperimentRunner.ModelFile));
            CollectionAssert.AreEqual(result.PostProcessing.LargestComponentLabels.ToArray(), loaded.Segmentation!.Model.Description.LargestComponentLabels!.ToArray(), $"{arm}: the model file carries the choice");
        }
        using JsonDocument metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReportDir, "metrics.json")));
        var groups = metrics.RootElement.GetProperty("arms")[1].GetProperty("postProcessingEffects").EnumerateArray().Select(e => e.GetProperty("group").GetString()).ToList();
        CollectionAssert.AreEquivalent(new[] { "seen", "unseen", "target" }, groups);
        StringAssert.Contains(File.ReadAllText(Path.Combine(ReportDir, "report.html")), "Post-processing chosen on validation");
    }

    [TestMethod]
    public void Run_TinyStudy_WritesModelsMetricsCasesAndTheStore()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        foreach (string arm in new[] { "noaug", "dann" })
        {
            string model = Path.Combine(Models, "tiny", arm, "seed-1");
            Assert.IsTrue(File.Exists(Path.Combine(model, ExperimentRunner.ModelFile)), arm);
            Assert.IsFalse(File.Exists(Path.Combine(model, "model.json")), "one model file: no model folder beside it");
            Assert.HasCount(2, File.ReadAllLines(Path.Combine(ReportDir, "arms", arm, "seed-1", "training-log.jsonl")));
        }
        Assert.IsTrue(File.Exists(Path.Combine(Models, "tiny", "vendor-classifier", "model.zip")));

        // cases.csv: one row per arm × case × structure; roles from each arm's point of view.
        var rows = File.ReadAllLines(Path.Combine(ReportDir, "cases.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.IsNotEmpty(rows);
        var roles = rows.Where(r => r[0] == "dann").Select(r => (Vendor: r[3], Role: r[5])).Distinct().ToDictionary(p => p.Vendor, p => p.Role);
        Assert.AreEqual("seen", roles["A"]);
        Assert.AreEqual("unseen", roles["B"]);
        Assert.AreEqual("target", roles["C"], "the DANN arm saw vendor C's unlabeled scans");
        Assert.AreEqual("unseen", rows.First(r => r[0] == "noaug" && r[3] == "C")[5]);
        Assert.AreEqual(rows.Count(r => r[0] == "noaug"), rows.Count(r => r[0] == "dann"), "every arm is tested on the same cases");

        // metrics.json agrees with the cases: the seen-vendor mean Dice is the mean over the seen rows' case means.
        using JsonDocument metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReportDir, "metrics.json")));
        JsonElement noaug = metrics.RootElement.GetProperty("arms")[0];
        Assert.AreEqual("noaug", noaug.GetProperty("arm").GetString());
        JsonElement seen = noaug.GetProperty("byRole").EnumerateArray().First(g => g.GetProperty("group").GetString() == "seen");
        double expected = rows.Where(r => r[0] == "noaug" && r[5] == "seen").GroupBy(r => (r[2], r[6]))
            .Select(g => g.Average(r => double.Parse(r[8], CultureInfo.InvariantCulture))).Average();
        Assert.AreEqual(expected, seen.GetProperty("meanDice").GetProperty("mean").GetDouble(), 1e-12);
        Assert.IsGreaterThan(0, metrics.RootElement.GetProperty("findings").GetArrayLength());
        Assert.AreEqual("resnet", metrics.RootElement.GetProperty("vendorClassifier").GetProperty("type").GetString(), "the classifier's type, the default");
        Assert.IsTrue(metrics.RootElement.GetProperty("findings").EnumerateArray().Any(f => f.GetString()!.StartsWith("The ResNet vendor classifier names", StringComparison.Ordinal)));
        // Where along the heart: per arm and role, base/mid/apex Dice; the second arm against the first per structure × part,
        // with no verdict while the tiny study's arms have not converged.
        Assert.AreEqual(3, noaug.GetProperty("slicePositions").EnumerateArray().Count(p => p.GetProperty("group").GetString() == "seen"), "base, mid, apex");
        JsonElement[] contrasts = [.. metrics.RootElement.GetProperty("structureComparisons").EnumerateArray().Where(c => c.GetProperty("group").GetString() == "seen")];
        Assert.HasCount(12, contrasts, "3 structures × (all, base, mid, apex)");
        Assert.IsTrue(contrasts.All(c => c.GetProperty("arm").GetString() == "dann" && c.GetProperty("baseline").GetString() == "noaug"));
        JsonElement lvAll = contrasts.Single(c => c.GetProperty("structure").GetString() == "LV" && c.GetProperty("position").GetString() == "all");
        double lvDelta = rows.Where(r => r[0] == "dann" && r[5] == "seen" && r[7] == "LV").Sum(r => double.Parse(r[8], CultureInfo.InvariantCulture))
            - rows.Where(r => r[0] == "noaug" && r[5] == "seen" && r[7] == "LV").Sum(r => double.Parse(r[8], CultureInfo.InvariantCulture));
        Assert.AreEqual(lvDelta / rows.Count(r => r[0] == "dann" && r[5] == "seen" && r[7] == "LV"), lvAll.GetProperty("diceDelta").GetProperty("mean").GetDouble(), 1e-9, "the paired mean of the cases' LV Dice differences");
        if (!lvAll.GetProperty("converged").GetBoolean()) Assert.AreEqual("not converged", lvAll.GetProperty("verdict").GetString());

        // vendorClassifier.compare: a DenseNet trained on the same volumes, its own model file, compared in the report.
        JsonElement compared = metrics.RootElement.GetProperty("classifierComparisons").EnumerateArray().Single();
        Assert.AreEqual("densenet", compared.GetProperty("type").GetString());
        CollectionAssert.AreEqual(
            metrics.RootElement.GetProperty("vendorClassifier").GetProperty("vendors").EnumerateArray().Select(v => v.GetString()).ToArray(),
            compared.GetProperty("vendors").EnumerateArray().Select(v => v.GetString()).ToArray(), "the same known vendors");
        Assert.AreEqual(
            metrics.RootElement.GetProperty("vendorClassifier").GetProperty("confusion").EnumerateArray().Sum(r => r.EnumerateArray().Sum(v => v.GetInt32())),
            compared.GetProperty("confusion").EnumerateArray().Sum(r => r.EnumerateArray().Sum(v => v.GetInt32())), "tested on the same held-out volumes");
        Assert.IsTrue(File.Exists(Path.Combine(Models, "tiny", "vendor-classifier-densenet", "model.zip")), "the comparison classifier has its own model file");
        StringAssert.Contains(File.ReadAllText(Path.Combine(ReportDir, "report.html")), "Vendor classifiers compared");
        StringAssert.Contains(_first.Output, "noaug");

        (int code, string list) = CliRunner.Run("runs", "list", "--db", Db);
        Assert.AreEqual(0, code, list);
        StringAssert.Contains(list, "tiny");
        (code, string show) = CliRunner.Run("runs", "show", "1", "--db", Db);
        Assert.AreEqual(0, code, show);
        StringAssert.Contains(show, "noaug.seen.dice");
        StringAssert.Contains(show, "arms.dann.model.type");
    }

    [TestMethod]
    public void Run_Again_SkipsFinishedArmsAndResumesAnInterruptedOne()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        string noaug = Path.Combine(ReportDir, "arms", "noaug", "seed-1", "result.json");
        string dann = Path.Combine(ReportDir, "arms", "dann", "seed-1", "result.json");
        string noaugBefore = File.ReadAllText(noaug);
        DateTime noaugWritten = File.GetLastWriteTimeUtc(noaug);
        using JsonDocument dannBefore = JsonDocument.Parse(File.ReadAllText(dann));
        // As if the run had been stopped after dann's training but before its completed marker.
        File.Delete(Path.Combine(ReportDir, "arms", "dann", "seed-1", "done.json"));

        (int code, string output) = CliRunner.Run(RunArgs);

        Assert.AreEqual(0, code, output);
        Assert.AreEqual(noaugWritten, File.GetLastWriteTimeUtc(noaug), "a finished arm is not run again");
        Assert.AreEqual(noaugBefore, File.ReadAllText(noaug));
        Assert.IsTrue(File.Exists(Path.Combine(ReportDir, "arms", "dann", "seed-1", "done.json")));
        using JsonDocument dannAfter = JsonDocument.Parse(File.ReadAllText(dann));
        // Resumed from its last checkpoint: same weights, so the same metrics on every case.
        Assert.AreEqual(dannBefore.RootElement.GetProperty("cases").GetRawText(), dannAfter.RootElement.GetProperty("cases").GetRawText());
        Assert.AreEqual(dannBefore.RootElement.GetProperty("history").GetArrayLength(), dannAfter.RootElement.GetProperty("history").GetArrayLength());

        (code, string compare) = CliRunner.Run("runs", "compare", "1", "2", "--db", Db);
        Assert.AreEqual(0, code, compare);
        StringAssert.Contains(compare, "noaug.unseen.dice");
    }

    [TestMethod]
    public void ArmModel_ReadByPredictAndExport_AsTheFolderOrTheZip()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        string folder = Path.Combine(Models, "tiny", "noaug", "seed-1");
        string image = Directory.GetFiles(Path.Combine(_root, "data"), "*_sa.nii.gz", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        string viaFolder = Path.Combine(_root, "via-folder.nii.gz"), viaZip = Path.Combine(_root, "via-zip.nii.gz");

        var (c1, t1) = CliRunner.Run("predict", image, "--model", folder, "--out", viaFolder);
        var (c2, t2) = CliRunner.Run("predict", image, "--model", Path.Combine(folder, ExperimentRunner.ModelFile), "--out", viaZip, "--backend", "torchsharp");
        var (c3, t3) = CliRunner.Run("export", "--model", Path.Combine(folder, ExperimentRunner.ModelFile), "--onnx", Path.Combine(_root, "noaug.onnx"));

        Assert.AreEqual(0, c1, t1);
        Assert.AreEqual(0, c2, t2);
        Assert.AreEqual(0, c3, t3);
        CollectionAssert.AreEqual(MLCardiac.Imaging.NiftiReader.Read(viaFolder).Voxels.ToArray(), MLCardiac.Imaging.NiftiReader.Read(viaZip).Voxels.ToArray());
        Assert.IsTrue(File.Exists(Path.Combine(_root, "noaug.onnx")));
    }

    [TestMethod]
    public void ModelZip_LoadedWithLoadModel_GivesThePerCaseDiceTheRunnerRecorded()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        foreach (string arm in new[] { "noaug", "dann" })
        {
            var result = StudyResults.Read<ArmRunResult>(Path.Combine(ReportDir, "arms", arm, "seed-1", StudyResults.ResultFile));
            var cardiac = new MLContext(seed: 1).CardiacSegmentation();
            var model = cardiac.LoadModel(Path.Combine(Models, "tiny", arm, "seed-1", ExperimentRunner.ModelFile), out _);
            var evaluated = result.Cases.Select(c => (c.Subject, c.Frame)).ToHashSet();
            var records = DatasetLayouts.Load(Path.Combine(_root, "data")).Records
                .Where(r => r.IsLabeled && evaluated.Contains((r.Subject, r.Role.ToString()))).ToList();
            Assert.HasCount(result.Cases.Count, records, arm);

            // The whole pipeline, loader included, on the case files: independent of the segmenter the runner used.
            var measured = cardiac.Evaluate(model.Transform(cardiac.Data.FromRecords(records))).Cases
                .ToDictionary(c => (c.Record.Subject, c.Record.Role.ToString()));
            foreach (CaseMetrics recorded in result.Cases)
            {
                var again = measured[(recorded.Subject, recorded.Frame)];
                Assert.AreEqual(recorded.Lv.Dice, again.Lv.Dice, 1e-12, $"{arm} {recorded.Subject} {recorded.Frame} LV");
                Assert.AreEqual(recorded.Myo.Dice, again.Myo.Dice, 1e-12, $"{arm} {recorded.Subject} {recorded.Frame} MYO");
                Assert.AreEqual(recorded.Rv.Dice, again.Rv.Dice, 1e-12, $"{arm} {recorded.Subject} {recorded.Frame} RV");
            }
            foreach (var stage in model.OfType<IDisposable>()) stage.Dispose();
        }
    }

    [TestMethod]
    public void Report_InHeadlessChromium_EveryFigureLoads()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        string browser = HeadlessChromium.Require();
        string html = Path.Combine(ReportDir, "report.html");
        string text = File.ReadAllText(html);
        Assert.DoesNotContain("http://", text, "self-contained: no external resource");
        Assert.DoesNotContain("https://", text);
        int images = Regex.Count(text, "<img ");
        Assert.IsGreaterThanOrEqualTo(12, images, "box plots, Bland–Altman, overlays, curves, confusion matrix");

        string dom = HeadlessChromium.DumpDom(browser, html);

        Match m = Regex.Match(dom, "data-figures=\"(\\d+)/(\\d+)\"");
        Assert.IsTrue(m.Success, "the page's load script ran");
        Assert.AreEqual(images.ToString(CultureInfo.InvariantCulture), m.Groups[2].Value);
        Assert.AreEqual(m.Groups[2].Value, m.Groups[1].Value, "every <img> decoded");
        string shot = Path.Combine(_root, "report.png");
        HeadlessChromium.Screenshot(browser, html, shot);
        byte[] png = File.ReadAllBytes(shot);
        Assert.IsGreaterThan(10_000, png.Length);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [TestMethod]
    public void ReportCommand_RegeneratesTheSameMetricsFromSavedResults()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        string metricsPath = Path.Combine(ReportDir, "metrics.json");
        using JsonDocument before = JsonDocument.Parse(File.ReadAllText(metricsPath));
        File.Delete(Path.Combine(ReportDir, "report.html"));

        (int code, string output) = CliRunner.Run("report", ReportDir);

        Assert.AreEqual(0, code, output);
        Assert.IsTrue(File.Exists(Path.Combine(ReportDir, "report.html")));
        using JsonDocument after = JsonDocument.Parse(File.ReadAllText(metricsPath));
        Assert.AreEqual(before.RootElement.GetProperty("arms").GetRawText(), after.RootElement.GetProperty("arms").GetRawText());
        (code, output) = CliRunner.Run("report", Path.Combine(_root, "nowhere"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(output, "not a study report folder");
    }

    [TestMethod]
    public void Run_VendorNotInData_NamesTheJsonPath()
    {
        string bad = Path.Combine(_root, "bad.json");
        File.WriteAllText(bad, TinyStudy.Replace("\"id\": \"tiny\"", "\"id\": \"bad\"", StringComparison.Ordinal)
            .Replace("\"trainVendors\": [\"A\"]", "\"trainVendors\": [\"A\", \"D\"]", StringComparison.Ordinal));

        (int code, string output) = CliRunner.Run("run", bad, "--out-reports", Reports);

        Assert.AreEqual(1, code);
        StringAssert.Contains(output, "$.split.trainVendors[1]");
        StringAssert.Contains(output, "vendor \"D\"");
    }
}
