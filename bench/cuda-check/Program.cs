using System.Diagnostics;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Preprocessing;
using MLCardiac.Training;
using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

// CUDA check (see README.md): the product's trainer — U-Net, then DANN with unlabeled vendor-D slices — on CUDA and on
// the CPU with the same data and options, then U-Net inference time on the GPU.
Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}; cuda available: {torch.cuda.is_available()}; devices: {(torch.cuda.is_available() ? torch.cuda.device_count() : 0)}; cpu threads {torch.get_num_threads()}");
string root = Path.Combine(Path.GetTempPath(), "mlcardiac-cuda-check-data");
var clock = Stopwatch.StartNew();
new SyntheticDatasetWriter(new SyntheticCohortGenerator(new SyntheticCohortOptions { Seed = 3, MinFrames = 12, MaxFrames = 12 }))
    .Write(root, new SyntheticDatasetRequest { Vendors = [VendorProfiles.A, VendorProfiles.B, VendorProfiles.D], SubjectsPerVendor = 6 });
var index = DatasetLayouts.Load(root);
var prep = new CasePreparation(new Preprocessor(new PreprocessingOptions { Size = 128, SpacingMm = 1.25 }));
var cases = prep.Prepare(index.Records.Where(r => r.IsLabeled).ToList());
string[] domains = ["A", "B", "D"];
var train = CasePreparation.ToSlices(cases.Where(c => c.Record.Vendor != "D"), domains);
var testD = CasePreparation.ToSlices(cases.Where(c => c.Record.Vendor == "D"), domains);
var unlabeledD = new SliceDataset(testD.Slices.Select(s => new TrainingSlice(s.Image, null, s.Height, s.Width, s.Domain, s.Subject)).ToList(), domains);
Console.WriteLine($"data: {train.Slices.Count} training slices (A, B), {testD.Slices.Count} of vendor D, {clock.Elapsed.TotalSeconds:F1} s");
foreach (string device in args.Length > 0 ? args : ["cuda", "cpu"])
{
    foreach (var (dann, augmentation) in new[] { (false, MLCardiac.Augmentation.AugmentationPreset.Standard), (true, MLCardiac.Augmentation.AugmentationPreset.Standard), (false, MLCardiac.Augmentation.AugmentationPreset.None) })
    {
        if (device != "cuda" && augmentation == MLCardiac.Augmentation.AugmentationPreset.None) continue;
        int iterations = device == "cuda" ? 60 : 15;
        var options = new SegmentationTrainerOptions
        {
            Network = new UNetOptions { BaseFilters = 16, Depth = 4 }, Epochs = device == "cuda" ? 8 : 1, IterationsPerEpoch = iterations, BatchSize = 8,
            LearningRate = 2e-3, Augmentation = augmentation, Device = device, Seed = 1,
            Dann = dann ? new DannOptions() : null,
        };
        var data = dann ? new SliceDataset(train.Slices.Concat(unlabeledD.Slices).ToList(), domains) : train;
        var t = Stopwatch.StartNew();
        try
        {
            using var result = new SegmentationTrainer(options).Fit(data, testD);
            double seconds = t.Elapsed.TotalSeconds;
            var last = result.History[^1];
            Console.WriteLine($"{device,-4} {(dann ? "DANN " : "U-Net")}, augmentation {augmentation}: {options.Epochs} epochs × {iterations} iterations × batch 8 in {seconds:F1} s wall "
                + $"({options.Epochs * iterations * 8 / seconds:F1} slices/s incl. validation); vendor D slice Dice (best epoch) {result.History[result.BestEpoch].ValidationMeanDice:F3}, last {last.ValidationMeanDice:F3}");
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
