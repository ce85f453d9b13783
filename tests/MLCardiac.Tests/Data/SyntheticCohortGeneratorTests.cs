using MLCardiac.Data.Synthetic;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class SyntheticCohortGeneratorTests
{
    private static IEnumerable<SyntheticSubject> Subjects() =>
        VendorProfiles.All.SelectMany(v => Enumerable.Range(0, 2).Select(i => SyntheticTestCohort.Get(v, i)));

    [TestMethod]
    public void Generate_SameSeed_BitIdenticalAlsoInParallel()
    {
        SyntheticSubject first = SyntheticTestCohort.Get(VendorProfiles.B, 0);
        var again = new SyntheticSubject[2];
        Parallel.For(0, 2, k => again[k] = new SyntheticCohortGenerator(SyntheticTestCohort.Options).Generate(VendorProfiles.B, k));
        Assert.IsTrue(first.Image.SequenceEqual(again[0].Image));
        Assert.IsTrue(first.Labels.SequenceEqual(again[0].Labels));
        Assert.AreEqual(first.Info, again[0].Info);
        Assert.IsTrue(SyntheticTestCohort.Get(VendorProfiles.B, 1).Image.SequenceEqual(again[1].Image));
        SyntheticSubjectInfo described = SyntheticTestCohort.Generator.DescribeSubject(VendorProfiles.B, 0);
        Assert.AreEqual(first.Info, described with { WallThicknessMm = first.Info.WallThicknessMm }, "metadata without rendering (the wall thickness is calibrated when rendering)");
    }

    [TestMethod]
    public void Generate_DifferentSeedOrIndex_Differs()
    {
        SyntheticSubject a = SyntheticTestCohort.Get(VendorProfiles.A, 0);
        SyntheticSubject otherSeed = new SyntheticCohortGenerator(SyntheticTestCohort.Options with { Seed = 99 }).Generate(VendorProfiles.A, 0);
        SyntheticSubject otherIndex = SyntheticTestCohort.Get(VendorProfiles.A, 1);
        Assert.AreNotEqual(a.Info.Code, otherSeed.Info.Code);
        Assert.IsFalse(a.Image.Length == otherSeed.Image.Length && a.Image.SequenceEqual(otherSeed.Image));
        Assert.IsFalse(a.Image.Length == otherIndex.Image.Length && a.Image.SequenceEqual(otherIndex.Image));
    }

    [TestMethod]
    public void Generate_EveryVendor_RespectsMatrixSpacingAndRanges()
    {
        foreach (SyntheticSubject s in Subjects())
        {
            CineProtocol protocol = VendorProfiles.Get(s.Info.VendorCode).Centre(s.Info.Centre).Protocol;
            Assert.AreEqual(protocol.ReconMatrixRead, s.SizeX);
            Assert.AreEqual(protocol.ReconMatrixRead * protocol.FovPhaseFraction, s.SizeY, 1.0);
            // The operator may widen the FOV for a large patient, never narrow it.
            Assert.IsGreaterThanOrEqualTo(protocol.FovReadMm - 1e-9, s.PixelSpacingMm * s.SizeX);
            Assert.AreEqual(protocol.SliceThicknessMm, s.SliceThicknessMm);
            Assert.AreEqual(protocol.SliceThicknessMm + protocol.SliceGapMm, s.SliceSpacingMm);
            Assert.IsTrue(s.SliceCount is >= 8 and <= 14, $"{s.SliceCount} slices");
            Assert.IsTrue(s.FrameCount is >= 4 and <= 6);
            Assert.AreNotEqual(s.Info.EdFrame, s.Info.EsFrame);
            Assert.IsTrue(s.Info.TargetEjectionFraction is >= 0.12 and <= 0.85);
        }
    }

    [TestMethod]
    public void Generate_Labels_OnlyFourClassesAndAllStructuresMidVentricular()
    {
        foreach (SyntheticSubject s in Subjects())
        {
            foreach (byte l in s.Labels)
            {
                Assert.IsLessThanOrEqualTo((byte)3, l);
            }
            int[] mid = [.. SyntheticTestCohort.MidVentricularSlices(s)];
            Assert.IsNotEmpty(mid, s.Info.Code);
            foreach (int frame in (int[])[s.Info.EdFrame, s.Info.EsFrame])
            {
                foreach (int z in mid)
                {
                    ReadOnlySpan<byte> labels = s.LabelSlice(z, frame);
                    Assert.IsTrue(labels.Contains((byte)1) && labels.Contains((byte)2) && labels.Contains((byte)3), $"{s.Info.Code} slice {z} frame {frame}");
                }
            }
        }
    }

    [TestMethod]
    public void Generate_LvVolumes_EjectionFractionMatchesTargetAndEdvPlausible()
    {
        foreach (SyntheticSubject s in Subjects())
        {
            double edv = s.LabelVolumeMl(1, s.Info.EdFrame);
            double esv = s.LabelVolumeMl(1, s.Info.EsFrame);
            Assert.IsLessThan(edv, esv);
            Assert.AreEqual(s.Info.TargetEjectionFraction, (edv - esv) / edv, 0.03, s.Info.Code);
            Assert.IsTrue(edv is > 60 and < 420, $"{s.Info.Code}: EDV {edv:F0} ml");
            Assert.AreEqual(s.Info.TargetEdvMl, edv, 0.05 * s.Info.TargetEdvMl, s.Info.Code);
        }
    }

    [TestMethod]
    public void Generate_Myocardium_VolumeConservedFromEdToEs()
    {
        foreach (SyntheticSubject s in Subjects())
        {
            double ed = s.LabelVolumeMl(2, s.Info.EdFrame);
            double es = s.LabelVolumeMl(2, s.Info.EsFrame);
            Assert.AreEqual(ed, es, 0.1 * ed, s.Info.Code);
        }
    }

    [TestMethod]
    public void Generate_RightVentricle_SmallerAtEsAndOnTheSeptalSide()
    {
        foreach (SyntheticSubject s in Subjects())
        {
            Assert.IsLessThan(s.LabelVolumeMl(3, s.Info.EdFrame), s.LabelVolumeMl(3, s.Info.EsFrame));
            foreach (int z in SyntheticTestCohort.MidVentricularSlices(s))
            {
                ReadOnlySpan<byte> labels = s.LabelSlice(z, s.Info.EdFrame);
                var lv = SyntheticTestCohort.Centroid(labels, s.SizeX, 1);
                var rv = SyntheticTestCohort.Centroid(labels, s.SizeX, 3);
                Assert.IsLessThan(lv.X, rv.X, $"{s.Info.Code}: RV is to the image left of the LV");
                // The RV touches the myocardium (the septum), not the LV blood pool.
                int touching = 0;
                for (int i = s.SizeX; i < labels.Length - s.SizeX; i++)
                {
                    if (labels[i] == 3)
                    {
                        Assert.IsFalse(labels[i - 1] == 1 || labels[i + 1] == 1 || labels[i - s.SizeX] == 1 || labels[i + s.SizeX] == 1);
                        touching += labels[i - 1] == 2 || labels[i + 1] == 2 ? 1 : 0;
                    }
                }
                Assert.IsGreaterThan(5, touching);
            }
        }
    }

    [TestMethod]
    public void Generate_AutoScalingVendors_StoreTheirSeries995thPercentileAtTheTarget()
    {
        // Vendors B and C scale each series so its 99.5th percentile lands on a target; B also stores with a rescale slope.
        foreach (VendorProfile v in new[] { VendorProfiles.B, VendorProfiles.C })
        {
            SyntheticSubject s = SyntheticTestCohort.Get(v, 0);
            float[] values = [.. s.Image.ToArray().Select(x => x * (float)s.ScaleSlope)];
            Array.Sort(values);
            Assert.AreEqual(v.Storage.Scale, values[(int)(0.995 * (values.Length - 1))], 0.02 * v.Storage.Scale, v.Code);
            Assert.AreEqual(v.Storage.RescaleSlope, s.ScaleSlope);
            Assert.IsTrue(s.Image.ToArray().All(x => x == MathF.Round(x) && x >= 0 && x <= short.MaxValue), "stored as whole int16 numbers");
        }
    }

    [TestMethod]
    public void Constructor_TooFewFrames_ThrowsOurException()
    {
        Assert.ThrowsExactly<MLCardiacException>(() => new SyntheticCohortGenerator(new SyntheticCohortOptions { MinFrames = 2, MaxFrames = 3 }));
        Assert.ThrowsExactly<MLCardiacException>(() => VendorProfiles.Get("Z"));
    }
}
