using System.Diagnostics;
using Microsoft.ML;
using MLCardiac.Augmentation;
using MLCardiac.Data.Synthetic;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Training;
using TorchSharp;
using static TorchSharp.torch;

// CUDA check (see README.md): the product's one path — the ML.NET chain LoadNifti → Preprocess → [Augment] → UNet | Dann,
// fitted with FitPipeline — on CUDA and on the CPU with the same data and options (DANN with unlabeled vendor-D scans),
// evaluated in 3D on vendor D through the fitted chain; then U-Net inference time on the GPU.
Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}; cuda available: {torch.cuda.is_available()}; devices: {(torch.cuda.is_available() ? torch.cuda.device_count() : 0)}; cpu threads {torch.get_num_threads()}");
string root = Path.Combine(Path.GetTempPath(), "mlcardiac-cuda-check-data");
var clock = Stopwatch.StartNew();
if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
new SyntheticDatasetWriter(new SyntheticCohortGenerator(new SyntheticCohortOptions { Seed = 3, MinFrames = 12, MaxFrames = 12 }))
    .Write(root, new SyntheticDatasetRequest { Vendors = [VendorProfiles.A, VendorProfiles.B, VendorProfiles.D], SubjectsPerVendor = 6 });
var cardiac = new MLContext(seed: 1).CardiacSegmentation();
IDataView cases = cardiac.Data.FromDirectory(root);
var (train, testD) = cardiac.Data.SplitByVendor(cases, ["A", "B"], heldOutFraction: 0);
var (dannTrain, _) = cardiac.Data.SplitByVendor(cases, ["A", "B"], targetVendors: ["D"], heldOutFraction: 0);
Console.WriteLine($"data written in {clock.Elapsed.TotalSeconds:F1} s");
foreach (string device in args.Length > 0 ? args : ["cuda", "cpu"])
{
    foreach (var (dann, augmentation) in new[] { (false, AugmentationPreset.Standard), (true, AugmentationPreset.Standard), (false, AugmentationPreset.None) })
    {
        if (device != "cuda" && augmentation == AugmentationPreset.None) continue;
        int iterations = device == "cuda" ? 60 : 15;
        var options = new SegmentationPipelineOptions
        {
            Preprocessing = new PreprocessingOptions { Size = 128, SpacingMm = 1.25 },
            Augmentation = AugmentationOptions.Of(augmentation),
            Trainer = new SegmentationTrainerOptions
            {
                Network = new UNetOptions { BaseFilters = 16, Depth = 4 }, Epochs = device == "cuda" ? 8 : 1, IterationsPerEpoch = iterations, BatchSize = 8,
                LearningRate = 2e-3, Device = device, Seed = 1, Dann = dann ? new DannOptions { TargetVendors = ["D"] } : null,
            },
        };
        var t = Stopwatch.StartNew();
        try
        {
            var model = cardiac.FitPipeline(options, dann ? dannTrain : train, testD);
            double seconds = t.Elapsed.TotalSeconds;
            var segmenter = model.OfType<SegmentationTransformer>().Single();
            var metrics = cardiac.Evaluate(model.Transform(testD));
            Console.WriteLine($"{device,-4} {(dann ? "DANN " : "U-Net")}, augmentation {augmentation}: {options.Trainer.Epochs} epochs × {iterations} iterations × batch 8 in {seconds:F1} s wall "
                + $"({options.Trainer.Epochs * iterations * 8 / seconds:F1} slices/s incl. validation); vendor D slice Dice (best epoch) {segmenter.History[segmenter.BestEpoch].ValidationMeanDice:F3}; "
                + $"3D mean Dice on vendor D {(metrics.Overall.Lv.Dice.Mean + metrics.Overall.Myo.Dice.Mean + metrics.Overall.Rv.Dice.Mean) / 3:F3}");
            foreach (var stage in model.OfType<IDisposable>()) stage.Dispose();
        }
        catch (Exception e)
        {
            Console.WriteLine($"{device} {(dann ? "DANN" : "U-Net")}: FAILED {e.GetType().Name}: {e.Message}");
        }
    }
}
// Inference timing on the device: 10-slice 128×128 stack.
if (torch.cuda.is_available())
{
    using var net = new UNet2d(new UNetOptions { BaseFilters = 16, Depth = 4 });
    net.to(torch.CUDA); net.eval();
    using var x = randn(10, 1, 128, 128, device: torch.CUDA);
    using (torch.inference_mode())
    {
        for (int i = 0; i < 5; i++) net.call(x).Dispose();
        torch.cuda.synchronize();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 50; i++) net.call(x).Dispose();
        torch.cuda.synchronize();
        Console.WriteLine($"cuda inference: {sw.Elapsed.TotalMilliseconds / 50:F2} ms per 10-slice 128×128 stack");
    }
}
