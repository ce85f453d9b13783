// The issue's ML.NET pipeline end to end: load cases, split by vendor, fit LoadNifti → Preprocess → Augment → DANN →
// VendorClassifier, evaluate per vendor (seen vs unseen), save, reload, and run a PredictionEngine on one case.
//
//   dotnet run --project samples/SegmentationPipeline -c Release -- [DATA_DIR] [--out MODEL.zip] [--epochs N]
//
// Without DATA_DIR a small synthetic multi-vendor dataset (vendors A–D, unlabeled C) is written to a temp folder.
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Augmentation;
using MLCardiac.Data.Synthetic;
using MLCardiac.ML;
using MLCardiac.Training;
using MLCardiac.Models;
using SegmentationPipeline;

string? dataDir = null;
string modelPath = Path.Combine(Path.GetTempPath(), "mlcardiac-sample", "dann.zip");
int epochs = 6;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out": modelPath = args[++i]; break;
        case "--epochs": epochs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        default: dataDir = args[i]; break;
    }
}

string? synthetic = null;
if (dataDir is null)
{
    synthetic = dataDir = Path.Combine(Path.GetTempPath(), "mlcardiac-sample-data-" + Guid.NewGuid().ToString("N"));
    Console.WriteLine($"Writing a small synthetic dataset to {dataDir} ...");
    new SyntheticDatasetWriter(new SyntheticCohortGenerator(new SyntheticCohortOptions { MinFrames = 4, MaxFrames = 6 }))
        .Write(dataDir, new SyntheticDatasetRequest { SubjectsPerVendor = 5, UnlabeledVendors = [VendorProfiles.C], UnlabeledPerVendor = 3 });
}

try
{
    var clock = Stopwatch.StartNew();
    // --- the pipeline, as a user writes it -------------------------------------------------------------
    var ml = new MLContext(seed: 1);
    var cardiac = ml.CardiacSegmentation(new CardiacRunContext
    {
        Progress = new Progress<MLCardiac.Training.TrainingProgress>(p => { if (p.Step == p.Steps) Console.WriteLine($"  epoch {p.Epoch + 1}/{p.Epochs}: loss {p.Loss:F3}"); }),
    });
    IDataView cases = cardiac.Data.FromDirectory(dataDir);
    var (train, test) = cardiac.Data.SplitByVendor(cases, trainVendors: ["A", "B"], targetVendors: ["C"]);
    var pipeline = cardiac.Transforms.LoadNifti()
        .Append(cardiac.Transforms.Preprocess(spacingMm: 2.5, size: 64))
        .Append(cardiac.Transforms.Augment(AugmentationPreset.Standard))
        .Append(cardiac.Trainers.Dann(new DannOptions { TargetVendors = ["C"], MaxLambda = 0.3 }, new SegmentationTrainerOptions
        {
            Epochs = epochs, IterationsPerEpoch = 25, LearningRate = 3e-3, Network = new UNetOptions { BaseFilters = 8, Depth = 3 },
        }))
        .Append(cardiac.Trainers.VendorClassifier(new VendorClassifierOptions
        {
            Network = new ResNetOptions { BaseWidth = 8, BlocksPerStage = [1, 1, 1] }, Epochs = 3, IterationsPerEpoch = 15, LearningRate = 3e-3,
        }));
    Console.WriteLine("Fitting ...");
    var model = pipeline.Fit(train);
    SegmentationMetrics metrics = cardiac.Evaluate(model.Transform(test));
    cardiac.SaveModel(model, train.Schema, modelPath);
    ITransformer loaded = cardiac.LoadModel(modelPath, out DataViewSchema schema);
    // ------------------------------------------------------------------------------------------------------

    Console.WriteLine($"Fitted in {clock.Elapsed.TotalSeconds:F0} s; model saved to {modelPath} ({new FileInfo(modelPath).Length / 1024} KiB).");
    Console.WriteLine();
    Console.WriteLine("vendor  role     cases  Dice LV [95% CI]        Dice MYO  Dice RV  HD95 LV (mm)");
    foreach (var v in metrics.Vendors.Concat(new[] { metrics.Seen, metrics.Unseen }.OfType<MLCardiac.Evaluation.VendorSummary>()))
        Console.WriteLine($"{v.Vendor,-7} {v.Role,-8} {v.Cases,5}  {v.Lv.Dice.Mean:F3} [{v.Lv.Dice.Lower:F3}, {v.Lv.Dice.Upper:F3}]  {v.Myo.Dice.Mean,8:F3}  {v.Rv.Dice.Mean,7:F3}  {v.Lv.Hd95Mm,12:F1}");

    var first = cardiac.Data.Records(test)[0];
    using var engine = ml.Model.CreatePredictionEngine<CaseInput, CaseOutput>(loaded);
    CaseOutput output = engine.Predict(new CaseInput { ImagePath = first.ImagePath, ImageFrame = first.ImageFrame });
    Console.WriteLine();
    Console.WriteLine($"PredictionEngine on one {first.Vendor} case: {output.PredictedLabel.Count(l => l == 1)} LV voxels, " +
        $"vendor {output.PredictedVendor}{(output.UnfamiliarScanner ? " (unfamiliar scanner)" : "")}.");
    foreach (var stage in model.OfType<IDisposable>()) stage.Dispose(); // the engine owns (and disposed) the loaded model
}
finally
{
    if (synthetic is not null) Directory.Delete(synthetic, recursive: true);
}
