using MLCardiac.Models;
using MLCardiac.Tests.Models;
using MLCardiac.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Training;

[TestClass]
public sealed class SegmentationTrainerTests
{
    private string? _dir;

    [TestCleanup]
    public void Cleanup()
    {
        if (_dir is not null && Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string TempDir(string name)
    {
        _dir ??= Path.Combine(Path.GetTempPath(), "mlcardiac-train-" + Guid.NewGuid().ToString("N"));
        string d = Path.Combine(_dir, name);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Ring phantoms as slices; <paramref name="domain"/> 1 is darker and noisier ("another vendor").</summary>
    internal static List<TrainingSlice> Slices(int n, int seed, int domain, bool labeled = true, int size = 32)
    {
        var (images, labels) = UNet2dTests.RingPhantoms(n, size, seed);
        float[] img = images.data<float>().ToArray();
        long[] lab = labels.data<long>().ToArray();
        var list = new List<TrainingSlice>();
        int px = size * size;
        for (int i = 0; i < n; i++)
        {
            float[] slice = img.AsSpan(i * px, px).ToArray();
            if (domain == 1) for (int k = 0; k < px; k++) slice[k] = 0.6f * slice[k] + 0.1f * MathF.Sin(k * 12.9898f);
            byte[]? label = labeled ? lab.AsSpan(i * px, px).ToArray().Select(v => (byte)v).ToArray() : null;
            list.Add(new TrainingSlice(slice, label, size, size, domain, $"S{seed}-{i}"));
        }
        return list;
    }

    private static readonly string[] TwoVendors = { "A", "B" };

    private static SegmentationTrainerOptions Small(int epochs) => new()
    {
        Network = new UNetOptions { BaseFilters = 8, Depth = 3 },
        Epochs = epochs,
        IterationsPerEpoch = 10,
        BatchSize = 4,
        LearningRate = 3e-3,
        Seed = 17,
    };

    [TestMethod]
    public void Fit_RingPhantoms_ReachesHighValidationDiceAndKeepsTheBestEpoch()
    {
        var train = new SliceDataset(Slices(16, 1, 0), TwoVendors);
        var val = new SliceDataset(Slices(6, 2, 0), TwoVendors);

        using TrainingResult r = new SegmentationTrainer(Small(6)).Fit(train, val);

        Assert.HasCount(6, r.History);
        double best = r.History.Max(h => h.ValidationMeanDice!.Value);
        Assert.AreEqual(best, r.History[r.BestEpoch].ValidationMeanDice!.Value);
        Assert.IsGreaterThan(0.8, best, $"best validation Dice {best:F3}");
        double again = SegmentationTrainer.Validate(r.Model, val).Average();
        Assert.AreEqual(best, again, 1e-9, "the returned model holds the best epoch's weights");
        Assert.IsLessThan(r.History[0].TrainLoss, r.History[^1].TrainLoss);
    }

    [TestMethod]
    public void Fit_BatchesPreparedInTheBackgroundOnAnyNumberOfThreads_GiveBitwiseTheSameWeights()
    {
        // Heavy augmentation and DANN (unlabeled target rows in every batch): every part of a batch's preparation.
        var train = new SliceDataset([.. Slices(10, 5, 0), .. Slices(6, 6, 1, labeled: false)], TwoVendors);
        var options = Small(2) with
        {
            Network = new UNetOptions { BaseFilters = 4, Depth = 2, Dropout = 0.1 },
            IterationsPerEpoch = 6,
            Dann = new DannOptions { TargetVendors = ["B"], HiddenFeatures = 8 },
        };
        SliceAugmenter heavy = MLCardiac.Augmentation.AugmentationPipeline.FromPreset(MLCardiac.Augmentation.AugmentationPreset.Heavy).ToSliceAugmenter(1.25);
        byte[] Weights(int workers)
        {
            using TrainingResult r = new SegmentationTrainer(options, heavy, "heavy") { InputWorkers = workers }.Fit(train);
            using var ms = new MemoryStream();
            SegmentationTrainer.SaveWeights(r.Model, ms);
            return ms.ToArray();
        }

        byte[] inline = Weights(0);
        CollectionAssert.AreEqual(inline, Weights(1), "one background thread");
        CollectionAssert.AreEqual(inline, Weights(3), "three threads augmenting a batch's rows");
    }

    [TestMethod]
    public void Fit_CancelledThenResumed_EndsWithTheUninterruptedWeights()
    {
        var train = new SliceDataset(Slices(12, 3, 0), TwoVendors);
        var val = new SliceDataset(Slices(4, 4, 0), TwoVendors);
        var options = Small(4) with
        {
            Network = new UNetOptions { BaseFilters = 4, Depth = 2, Dropout = 0.1 },
        };
        SliceAugmenter heavy = MLCardiac.Augmentation.AugmentationPipeline.FromPreset(MLCardiac.Augmentation.AugmentationPreset.Heavy).ToSliceAugmenter(1.25);
        using var probe = randn(2, 1, 32, 32);

        using TrainingResult straight = new SegmentationTrainer(options, heavy, "heavy").Fit(train, val, TempDir("straight"));

        string dir = TempDir("interrupted");
        using var cts = new CancellationTokenSource();
        var cancelInEpoch2 = new SyncProgress(p => { if (p.Epoch == 2 && p.Step == 3) cts.Cancel(); });
        Assert.ThrowsExactly<OperationCanceledException>(() => new SegmentationTrainer(options, heavy, "heavy").Fit(train, val, dir, progress: cancelInEpoch2, cancellationToken: cts.Token));
        Assert.HasCount(2, File.ReadAllLines(Path.Combine(dir, SegmentationTrainer.LogFile)), "two finished epochs were logged");
        using TrainingResult resumed = new SegmentationTrainer(options, heavy, "heavy").Fit(train, val, dir, resume: true);

        Assert.IsTrue(resumed.Resumed);
        Assert.HasCount(4, resumed.History);
        Assert.AreEqual(straight.BestEpoch, resumed.BestEpoch);
        using (torch.no_grad())
            Assert.IsTrue(straight.Model.call(probe).eq(resumed.Model.call(probe)).all().item<bool>(), "resumed weights differ from the uninterrupted run");
        CollectionAssert.AreEqual(straight.History.Select(h => h.TrainLoss).ToArray(), resumed.History.Select(h => h.TrainLoss).ToArray());
        Assert.HasCount(4, File.ReadAllLines(Path.Combine(dir, SegmentationTrainer.LogFile)));
    }

    [TestMethod]
    public void Fit_ResumeWithOtherOptions_ThrowsNamingTheCheckpoint()
    {
        var train = new SliceDataset(Slices(4, 5, 0), TwoVendors);
        string dir = TempDir("other");
        using (new SegmentationTrainer(Small(1)).Fit(train, null, dir)) { }

        var e = Assert.ThrowsExactly<MLCardiacException>(() => new SegmentationTrainer(Small(1) with { LearningRate = 1e-2 }).Fit(train, null, dir, resume: true));
        StringAssert.Contains(e.Message, SegmentationTrainer.LastCheckpointFile);
    }

    [TestMethod]
    public void Fit_DamagedCheckpoint_ThrowsNamingTheFile()
    {
        var train = new SliceDataset(Slices(4, 5, 0), TwoVendors);
        string dir = TempDir("damaged");
        using (new SegmentationTrainer(Small(1)).Fit(train, null, dir)) { }
        string last = Path.Combine(dir, SegmentationTrainer.LastCheckpointFile);
        byte[] bytes = File.ReadAllBytes(last);
        File.WriteAllBytes(last, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        var e = Assert.ThrowsExactly<MLCardiacException>(() => new SegmentationTrainer(Small(2)).Fit(train, null, dir, resume: true));
        StringAssert.Contains(e.Message, last);
    }

    [TestMethod]
    public void Fit_DannWithUnlabeledTargetRows_LearnsSegmentationAndLogsTheDomainTerms()
    {
        var slices = Slices(12, 6, 0).Concat(Slices(8, 7, 1, labeled: false)).ToList();
        var train = new SliceDataset(slices, TwoVendors);
        var val = new SliceDataset(Slices(4, 8, 0), TwoVendors);
        var options = Small(4) with { Dann = new DannOptions { MaxLambda = 0.3, HiddenFeatures = 8 } };

        using TrainingResult r = new SegmentationTrainer(options).Fit(train, val);

        Assert.IsTrue(r.History.All(h => h.DomainLoss is > 0 && h.DomainAccuracy is >= 0 and <= 1));
        Assert.IsLessThan(r.History[^1].Lambda!.Value, r.History[0].Lambda!.Value, "λ rises over training");
        Assert.IsLessThanOrEqualTo(0.3, r.History[^1].Lambda!.Value);
        Assert.IsGreaterThan(0.6, r.History.Max(h => h.ValidationMeanDice!.Value));
    }

    /// <summary>Ring-phantom slices numbered into volumes of <paramref name="perVolume"/> consecutive slices (stacks for 3D networks).</summary>
    private static List<TrainingSlice> Stacks(List<TrainingSlice> slices, int perVolume, int firstVolume) =>
        [.. slices.Select((s, i) => new TrainingSlice(s.Image, s.Label, s.Height, s.Width, s.Domain, s.Subject) { Volume = firstVolume + i / perVolume })];

    [TestMethod]
    public void Fit_3dDannWithUnlabeledTargetStacks_LearnsSegmentationAndTheDomainHeadSeesTheStacks()
    {
        var slices = Stacks(Slices(18, 6, 0), 6, 0).Concat(Stacks(Slices(12, 7, 1, labeled: false), 6, 3)).ToList();
        var train = new SliceDataset(slices, TwoVendors);
        var val = new SliceDataset(Stacks(Slices(6, 8, 0), 6, 0), TwoVendors);
        var network = new UNetOptions { Kind = NetworkKind.UNet3d, BaseFilters = 8, Depth = 3, PatchDepth = 4 };
        var options = Small(4) with { Network = network, BatchSize = 2, Dann = new DannOptions { MaxLambda = 0.3, HiddenFeatures = 8 } };
        var stacks = MLCardiac.Augmentation.AugmentationPipeline.FromPreset(MLCardiac.Augmentation.AugmentationPreset.Standard).ToStackAugmenter(1);

        using TrainingResult r = new SegmentationTrainer(options, null, "standard", stacks).Fit(train, val);

        Assert.IsInstanceOfType<UNet3d>(r.Model);
        Assert.IsTrue(r.History.All(h => h.DomainLoss is > 0 && h.DomainAccuracy is >= 0 and <= 1));
        Assert.IsGreaterThan(0.5, r.History.Max(h => h.ValidationMeanDice!.Value), $"validation Dice per epoch: {string.Join(", ", r.History.Select(h => h.ValidationMeanDice!.Value.ToString("F3")))}");
    }

    [TestMethod]
    public void Fit_3dInterruptedAndResumed_EndsWithTheSameWeightsAsUninterrupted()
    {
        var train = new SliceDataset(Stacks(Slices(16, 3, 0), 8, 0), TwoVendors);
        var options = Small(3) with { Network = new UNetOptions { Kind = NetworkKind.VNet, BaseFilters = 4, Depth = 3, PatchDepth = 4 }, BatchSize = 2, IterationsPerEpoch = 3 };
        var stacks = MLCardiac.Augmentation.AugmentationPipeline.FromPreset(MLCardiac.Augmentation.AugmentationPreset.Heavy).ToStackAugmenter(1);
        using var probe = randn([1, 1, 4, 32, 32]);

        using TrainingResult straight = new SegmentationTrainer(options, null, "heavy", stacks).Fit(train, null, TempDir("straight3d"));
        string dir = TempDir("resumed3d");
        using var cts = new CancellationTokenSource();
        var cancelInEpoch1 = new SyncProgress(p => { if (p.Epoch == 1 && p.Step == 2) cts.Cancel(); });
        Assert.ThrowsExactly<OperationCanceledException>(() => new SegmentationTrainer(options, null, "heavy", stacks).Fit(train, null, dir, progress: cancelInEpoch1, cancellationToken: cts.Token));
        using TrainingResult resumed = new SegmentationTrainer(options, null, "heavy", stacks).Fit(train, null, dir, resume: true);

        Assert.IsTrue(resumed.Resumed);
        using (torch.no_grad())
            Assert.IsTrue(straight.Model.call(probe).eq(resumed.Model.call(probe)).all().item<bool>(), "resumed weights differ from the uninterrupted run");
        CollectionAssert.AreEqual(straight.History.Select(h => h.TrainLoss).ToArray(), resumed.History.Select(h => h.TrainLoss).ToArray());
    }

    [TestMethod]
    public void Fit_NoImprovementForPatienceEpochs_StopsEarly()
    {
        var train = new SliceDataset(Slices(4, 9, 0), TwoVendors);
        var options = Small(10) with { LearningRate = 1e-12, EarlyStoppingPatience = 2, IterationsPerEpoch = 1 };

        using TrainingResult r = new SegmentationTrainer(options).Fit(train, train);

        Assert.IsTrue(r.StoppedEarly);
        Assert.HasCount(3, r.History);
    }

    [TestMethod]
    public void Fit_CudaOnCpuBuild_ThrowsAClearError()
    {
        if (torch.cuda.is_available()) Assert.Inconclusive("this machine has CUDA");
        var train = new SliceDataset(Slices(2, 1, 0), TwoVendors);
        var e = Assert.ThrowsExactly<MLCardiacException>(() => new SegmentationTrainer(Small(1) with { Device = "cuda" }).Fit(train));
        StringAssert.Contains(e.Message, "TorchBackend=cuda");
    }

    /// <summary>IProgress that calls back on the reporting thread (Progress&lt;T&gt; posts asynchronously).</summary>
    private sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
