using MLCardiac.Evaluation;

namespace MLCardiac.Tests.Evaluation;

/// <summary>The two-sample bootstrap interval of a difference of means.</summary>
[TestClass]
public sealed class BootstrapDifferenceTests
{
    [TestMethod]
    public void DifferenceInterval_SeparatedSamples_ExcludesZeroAndIsReproducible()
    {
        var rng = new Random(3);
        double[] a = [.. Enumerable.Range(0, 40).Select(_ => 0.85 + 0.05 * rng.NextDouble())];
        double[] b = [.. Enumerable.Range(0, 30).Select(_ => 0.70 + 0.05 * rng.NextDouble())];

        var d = Bootstrap.DifferenceInterval(a, b);

        Assert.AreEqual(a.Average() - b.Average(), d.Mean, 1e-12);
        Assert.IsTrue(d.Lower > 0.13 && d.Upper < 0.17 && d.Lower < d.Mean && d.Mean < d.Upper, $"{d}");
        Assert.AreEqual(d, Bootstrap.DifferenceInterval(a, b));
    }

    [TestMethod]
    public void DifferenceInterval_SameDistribution_ContainsZero_EmptyGivesNaN()
    {
        var rng = new Random(5);
        double[] a = [.. Enumerable.Range(0, 50).Select(_ => rng.NextDouble())];
        double[] b = [.. Enumerable.Range(0, 50).Select(_ => rng.NextDouble())];

        var d = Bootstrap.DifferenceInterval(a, b);

        Assert.IsTrue(d.Lower < 0 && d.Upper > 0, $"{d}");
        Assert.IsTrue(double.IsNaN(Bootstrap.DifferenceInterval([], b).Mean));
    }
}
