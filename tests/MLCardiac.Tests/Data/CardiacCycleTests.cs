using MLCardiac.Data.Synthetic;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class CardiacCycleTests
{
    [TestMethod]
    [DataRow(0.35)]
    [DataRow(0.45)]
    public void Contraction_OverOneCycle_ZeroAtEdOneAtEsSmoothAndPeriodic(double esPhase)
    {
        Assert.AreEqual(0, CardiacCycle.Contraction(0, esPhase), 1e-12);
        Assert.AreEqual(1, CardiacCycle.Contraction(esPhase, esPhase), 1e-12);
        Assert.AreEqual(CardiacCycle.Contraction(0.2, esPhase), CardiacCycle.Contraction(1.2, esPhase), 1e-12);
        double previous = 0;
        const int steps = 1000;
        for (int i = 1; i <= steps; i++)
        {
            double phase = (double)i / steps;
            double c = CardiacCycle.Contraction(phase, esPhase);
            Assert.IsTrue(c is >= 0 and <= 1);
            if (phase <= esPhase)
            {
                Assert.IsGreaterThanOrEqualTo(previous, c, "contracting through systole");
            }
            else
            {
                Assert.IsLessThanOrEqualTo(previous, c, "relaxing through diastole");
            }
            Assert.IsLessThan(0.05, Math.Abs(c - previous), "no jumps");
            previous = c;
        }
        Assert.AreEqual(0, previous, 1e-9);
    }
}
