using MLCardiac.Evaluation;

namespace MLCardiac.Tests.Evaluation;

[TestClass]
public sealed class ClinicalTests
{
    [TestMethod]
    public void FromLabels_KnownCounts_GivesVolumesEfAndMass()
    {
        var ed = new float[1000];
        var es = new float[1000];
        for (int i = 0; i < 100; i++) ed[i] = 1;         // LV EDV 100 voxels
        for (int i = 100; i < 180; i++) ed[i] = 2;       // MYO 80 voxels
        for (int i = 180; i < 300; i++) ed[i] = 3;       // RV EDV 120 voxels
        for (int i = 0; i < 40; i++) es[i] = 1;          // LV ESV 40
        for (int i = 40; i < 100; i++) es[i] = 3;        // RV ESV 60

        var c = ClinicalIndices.FromLabels(ed, es, voxelMl: 0.5);

        Assert.AreEqual(50, c.LvEdvMl, 1e-12);
        Assert.AreEqual(20, c.LvEsvMl, 1e-12);
        Assert.AreEqual(60, c.LvEfPercent, 1e-12);
        Assert.AreEqual(50, c.RvEfPercent, 1e-12);
        Assert.AreEqual(40 * 1.05, c.MyoMassG, 1e-12);
    }

    [TestMethod]
    public void Agreement_KnownPairs_MatchesHandComputedBlandAltman()
    {
        double[] reference = { 100, 120, 140, 160 };
        double[] predicted = { 102, 118, 146, 162 };   // differences 2, −2, 6, 2: mean 2, SD √(32/3)

        var a = Agreement.Compute(predicted, reference);

        double sd = Math.Sqrt(32.0 / 3);
        Assert.AreEqual(2, a.Bias, 1e-12);
        Assert.AreEqual(2 - 1.96 * sd, a.LowerLimit, 1e-12);
        Assert.AreEqual(2 + 1.96 * sd, a.UpperLimit, 1e-12);
        Assert.AreEqual(3, a.MeanAbsoluteError, 1e-12);
        Assert.IsGreaterThan(0.98, a.Correlation);
    }

    [TestMethod]
    public void MeanInterval_SameSeed_SameIntervalAroundTheMean()
    {
        double[] v = Enumerable.Range(0, 50).Select(i => 0.8 + 0.002 * i).ToArray();
        var a = Bootstrap.MeanInterval(v, seed: 3);
        var b = Bootstrap.MeanInterval(v, seed: 3);
        Assert.AreEqual(a, b);
        Assert.IsTrue(a.Lower < a.Mean && a.Mean < a.Upper);
        double se = 0.002 * Math.Sqrt((50.0 * 50 - 1) / 12) / Math.Sqrt(50);
        Assert.AreEqual(2 * 1.96 * se, a.Upper - a.Lower, 0.3 * 2 * 1.96 * se, "the width is about ±1.96 standard errors");
    }
}
