using MLCardiac.Models;
using MLCardiac.Training;

namespace MLCardiac.Tests.Training;

[TestClass]
public sealed class VendorClassifierTests
{
    private static readonly string[] Vendors = { "A", "B" };

    /// <summary>Slices of <paramref name="subjects"/> volumes (4 slices each) of one vendor.</summary>
    private static List<TrainingSlice> Volumes(int subjects, int seed, int domain)
    {
        var all = new List<TrainingSlice>();
        for (int s = 0; s < subjects; s++)
            all.AddRange(SegmentationTrainerTests.Slices(4, seed * 100 + s, domain)
                .Select(x => new TrainingSlice(x.Image, x.Label, x.Height, x.Width, x.Domain, $"V{domain}-{seed}-{s}")));
        return all;
    }

    [TestMethod]
    public void Fit_TwoVendors_ClassifiesHeldOutVolumesAndCalibratesTheFalseAlarmRate()
    {
        var train = new SliceDataset(Volumes(6, 1, 0).Concat(Volumes(6, 2, 1)).ToList(), Vendors);
        var calibration = new SliceDataset(Volumes(10, 3, 0).Concat(Volumes(10, 4, 1)).ToList(), Vendors);
        var test = new SliceDataset(Volumes(4, 5, 0).Concat(Volumes(4, 6, 1)).ToList(), Vendors);
        var options = new VendorClassifierOptions
        {
            Network = new ResNetOptions { BaseWidth = 8, BlocksPerStage = new[] { 1, 1, 1 } },
            Epochs = 4, IterationsPerEpoch = 12, BatchSize = 8, LearningRate = 3e-3, FalseAlarmRate = 0.1, Seed = 3,
        };

        using VendorClassifier classifier = new VendorClassifierTrainer(options).Fit(train, calibration);
        VendorClassifierEvaluation onTest = classifier.Evaluate(test);
        VendorClassifierEvaluation onCalibration = classifier.Evaluate(calibration);

        Assert.AreEqual(1.0, onTest.VolumeAccuracy, $"confusion {string.Join(" | ", onTest.Confusion.Select(r => string.Join(",", r)))}");
        Assert.AreEqual(4, onTest.Confusion[0][0]);
        Assert.AreEqual(4, onTest.Confusion[1][1]);
        Assert.IsLessThanOrEqualTo(0.1, onCalibration.FlaggedUnfamiliar, "calibration keeps false alarms at or under the rate");
    }

    [TestMethod]
    [DataRow(0.05, 20, 1)]
    [DataRow(0.10, 20, 2)]
    [DataRow(0.0, 5, 0)]
    public void CalibrateThreshold_SortedScores_FlagsAtMostTheRate(double rate, int n, int expectedFlagged)
    {
        double[] scores = Enumerable.Range(0, n).Select(i => 0.5 + i / (2.0 * n)).Reverse().ToArray();
        double threshold = VendorClassifier.CalibrateThreshold(scores, rate);
        Assert.AreEqual(expectedFlagged, scores.Count(s => s < threshold));
    }
}
