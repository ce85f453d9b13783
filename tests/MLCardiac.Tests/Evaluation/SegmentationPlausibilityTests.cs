using MLCardiac.Evaluation;

namespace MLCardiac.Tests.Evaluation;

[TestClass]
public sealed class SegmentationPlausibilityTests
{
    private static ClinicalIndices Frame(double lv, double myoMassG, double rv) => new(lv, lv, rv, rv, myoMassG);

    [TestMethod]
    public void Check_NormalHeart_NoFindings()
    {
        var frames = new Dictionary<int, ClinicalIndices> { [0] = Frame(140, 120, 150), [9] = Frame(60, 120, 70) };

        Assert.IsEmpty(SegmentationPlausibility.Check(frames, ed: 0, es: 9));
    }

    [TestMethod]
    public void Check_EjectionFractionBeyondAnyHeart_NamesVentricleAndFrames()
    {
        // LV 140 → 10 ml: EF 93 %; RV 150 → 70 ml: 53 %, plausible.
        var frames = new Dictionary<int, ClinicalIndices> { [0] = Frame(140, 120, 150), [9] = Frame(10, 120, 70) };

        var findings = SegmentationPlausibility.Check(frames, ed: 0, es: 9);

        Assert.HasCount(1, findings);
        StringAssert.Contains(findings[0], "LV ejection fraction of 93 %");
        StringAssert.Contains(findings[0], "frame 0");
    }

    [TestMethod]
    public void Check_AllBackground_OneFinding()
    {
        var frames = new Dictionary<int, ClinicalIndices> { [0] = Frame(0, 0, 0), [9] = Frame(0, 0, 0) };

        var findings = SegmentationPlausibility.Check(frames, 0, 9);

        Assert.HasCount(1, findings);
        StringAssert.Contains(findings[0], "everything is background");
    }

    [TestMethod]
    public void Check_NoLvInAFrame_NamesTheFrame()
    {
        var frames = new Dictionary<int, ClinicalIndices> { [0] = Frame(140, 120, 150), [3] = Frame(0, 0, 90) };

        var findings = SegmentationPlausibility.Check(frames);

        Assert.HasCount(1, findings);
        StringAssert.Contains(findings[0], "no LV blood pool");
        StringAssert.Contains(findings[0], "frame(s) 3");
    }

    [TestMethod]
    public void Check_VolumesBeyondAnyHeartAndNegativeEf_Flagged()
    {
        var frames = new Dictionary<int, ClinicalIndices> { [0] = Frame(900, 700, 150), [5] = Frame(950, 700, 800) };

        var findings = SegmentationPlausibility.Check(frames, ed: 0, es: 5);

        Assert.IsTrue(findings.Any(f => f.Contains("LV blood pool of 900 ml in frame 0", StringComparison.Ordinal)), string.Join(" | ", findings));
        Assert.IsTrue(findings.Any(f => f.Contains("RV blood pool of 800 ml in frame 5", StringComparison.Ordinal)), string.Join(" | ", findings));
        Assert.IsTrue(findings.Any(f => f.Contains("LV mass of 700 g", StringComparison.Ordinal)), string.Join(" | ", findings));
        Assert.IsTrue(findings.Any(f => f.Contains("negative ejection fraction", StringComparison.Ordinal)), string.Join(" | ", findings));
    }

    [TestMethod]
    public void Check_LvWithoutMyocardium_Flagged()
    {
        var findings = SegmentationPlausibility.Check(new Dictionary<int, ClinicalIndices> { [2] = Frame(120, 0, 100) });

        Assert.HasCount(1, findings);
        StringAssert.Contains(findings[0], "without myocardium in frame(s) 2");
    }
}
