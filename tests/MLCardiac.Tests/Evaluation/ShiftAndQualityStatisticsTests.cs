using MLCardiac.Evaluation;

namespace MLCardiac.Tests.Evaluation;

[TestClass]
public sealed class ShiftAndQualityStatisticsTests
{
    private static float[][] Gaussian(int n, int d, double shift, int seed, double correlation = 0.6)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return [.. Enumerable.Range(0, n).Select(_ =>
        {
            double common = Normal();
            // Correlated features with very different scales: what standardisation and the covariance are for. The shift
            // moves features in opposite directions (it breaks their correlation, as another scanner's contrast does).
            return Enumerable.Range(0, d).Select(j => (float)((correlation * common + Math.Sqrt(1 - correlation * correlation) * Normal() + (j % 2 == 0 ? shift : -shift)) * (1 + 10 * j))).ToArray();
        })];
    }

    [TestMethod]
    public void MahalanobisSeparatesAShiftedGroupAndCalibratesItsFalseAlarms()
    {
        // Fewer training cases than features: only a shrunk covariance can be inverted.
        var detector = ShiftDetector.Fit(Gaussian(40, 60, 0, 1));
        Assert.IsTrue(detector.Shrinkage is > 0 and < 1, $"shrinkage {detector.Shrinkage}");
        double[] heldOut = [.. Gaussian(200, 60, 0, 2).Select(f => detector.Score(f))];
        double[] shifted = [.. Gaussian(50, 60, 1.0, 3).Select(f => detector.Score(f))];
        Assert.IsGreaterThan(0.95, Ranking.Auroc(shifted, heldOut), $"AUROC {Ranking.Auroc(shifted, heldOut):F3}, held-out mean {heldOut.Average():F1}, shifted mean {shifted.Average():F1}");
        double threshold = ShiftDetector.Calibrate(heldOut[..100], 0.05);
        double alarms = heldOut[100..].Count(s => s > threshold) / 100.0;
        Assert.IsLessThanOrEqualTo(0.12, alarms, $"false alarms on new in-distribution cases {alarms:P0}");
        Assert.IsGreaterThan(0.8, shifted.Count(s => s > threshold) / (double)shifted.Length);
    }

    [TestMethod]
    public void CalibrationLetsExactlyTheRequestedShareAbove()
    {
        double[] scores = [.. Enumerable.Range(1, 100).Select(i => (double)i)];
        double t = ShiftDetector.Calibrate(scores, 0.05);
        Assert.AreEqual(95, t);
        Assert.AreEqual(5, scores.Count(s => s > t));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ShiftDetector.Calibrate(scores, 0));
    }

    [TestMethod]
    public void ExportedStatisticsScoreAlikeAndDamagedOnesAreRefused()
    {
        var detector = ShiftDetector.Fit(Gaussian(20, 8, 0, 4));
        var (mean, scale, precision) = detector.Export();
        var back = ShiftDetector.Import(mean, scale, precision, detector.Shrinkage, detector.Cases);
        float[] probe = Gaussian(1, 8, 0.5, 5)[0];
        Assert.AreEqual(detector.Score(probe), back.Score(probe), 1e-12);
        double[] asymmetric = (double[])precision.Clone();
        asymmetric[1] += 1;
        Assert.ThrowsExactly<ArgumentException>(() => ShiftDetector.Import(mean, scale, asymmetric, 0.1, 20));
        precision[0] = double.NaN;
        Assert.ThrowsExactly<ArgumentException>(() => ShiftDetector.Import(mean, scale, precision, 0.1, 20));
        Assert.ThrowsExactly<ArgumentException>(() => ShiftDetector.Import(mean, scale[..7], precision, 0.1, 20));
    }

    [TestMethod]
    public void TheDicePredictorRecoversALineAndItsIntervalCoversTheStatedShare()
    {
        var random = new Random(7);
        var cases = Enumerable.Range(0, 400).Select(_ =>
        {
            double a = random.NextDouble(), s = random.NextDouble();
            return (a, s, 0.1 + 0.5 * a + 0.3 * s + 0.05 * (random.NextDouble() - 0.5));
        }).ToList();
        var p = DicePredictor.Fit(cases, coverage: 0.8);
        Assert.AreEqual(0.1, p.Intercept, 0.01);
        Assert.AreEqual(0.5, p.AgreementWeight, 0.01);
        Assert.AreEqual(0.3, p.SoftDiceWeight, 0.01);
        Assert.AreEqual(0.8, p.Coverage, 0.01);
        var (low, high) = p.Interval(0.5, 0.5);
        Assert.AreEqual(0.04, high - low, 0.008); // 80 % of a uniform ±0.025 spread
        Assert.AreEqual(1.0, p.Predict(5, 5)); // clipped
        Assert.ThrowsExactly<ArgumentException>(() => DicePredictor.Fit([(1, 1, 1), (1, 1, 1)]));
    }

    [TestMethod]
    public void RankStatisticsMatchHandComputedValues()
    {
        Assert.AreEqual(1.0, Ranking.Auroc([3, 4], [1, 2]));
        Assert.AreEqual(0.0, Ranking.Auroc([1, 2], [3, 4]));
        Assert.AreEqual(0.5, Ranking.Auroc([1, 1], [1, 1]));
        Assert.AreEqual(0.75, Ranking.Auroc([2, 4], [1, 3])); // pairs won: (2>1), (4>1), (4>3) of 4
        Assert.IsTrue(double.IsNaN(Ranking.Auroc([], [1])));
        CollectionAssert.AreEqual(new[] { 1.5, 1.5, 3, 4 }, Ranking.MidRanks([5, 5, 6, 9]));
        Assert.AreEqual(1.0, Ranking.Spearman([1, 2, 3, 4], [10, 20, 30, 400]), 1e-12);
        Assert.AreEqual(-1.0, Ranking.Spearman([1, 2, 3], [3, 2, 1]), 1e-12);
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) = 0.8
        Assert.AreEqual(0.8, Ranking.Spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 1e-12);
    }
}
