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
        Assert.AreEqual(first.Info, SyntheticTestCohort.Generator.DescribeSubject(VendorProfiles.B, 0), "metadata without rendering");
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
            Assert.IsTrue(s.Info.TargetEjectionFraction is >= 0.35 and <= 0.75);
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
            Assert.IsTrue(edv is > 70 and < 230, $"{s.Info.Code}: EDV {edv:F0} ml");
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
    public void Generate_DifferentVendors_ContrastNoiseAndScaleDiffer()
    {
        var stats = new Dictionary<string, (double Contrast, double Noise, double Blood)>();
        foreach (VendorProfile v in VendorProfiles.All)
        {
            double contrast = 0, noise = 0, blood = 0;
            const int n = 2;
            for (int i = 0; i < n; i++)
            {
                SyntheticSubject s = SyntheticTestCohort.Get(v, i);
                var (b, m, air) = Measure(s);
                contrast += b / m / n;
                noise += air / b / n;
                blood += b / n;
            }
            stats[v.Code] = (contrast, noise, blood);
        }
        string table = string.Join("; ", stats.Select(kv => $"{kv.Key}: blood/myo {kv.Value.Contrast:F2}, noise/blood {kv.Value.Noise:F4}, blood {kv.Value.Blood:F0}"));
        // Blood/myocardium contrast: C > A > B > D, each by at least 10 %.
        Assert.IsGreaterThan(1.1 * stats["A"].Contrast, stats["C"].Contrast, table);
        Assert.IsGreaterThan(1.1 * stats["B"].Contrast, stats["A"].Contrast, table);
        Assert.IsGreaterThan(1.1 * stats["D"].Contrast, stats["B"].Contrast, table);
        // Relative noise: A < D < B < C, each by at least 15 %.
        Assert.IsGreaterThan(1.15 * stats["A"].Noise, stats["D"].Noise, table);
        Assert.IsGreaterThan(1.15 * stats["D"].Noise, stats["B"].Noise, table);
        Assert.IsGreaterThan(1.15 * stats["B"].Noise, stats["C"].Noise, table);
        // Intensity scale: B > C > A > D.
        Assert.IsGreaterThan(stats["C"].Blood, stats["B"].Blood, table);
        Assert.IsGreaterThan(stats["A"].Blood, stats["C"].Blood, table);
        Assert.IsGreaterThan(stats["D"].Blood, stats["A"].Blood, table);
    }

    /// <summary>Median interior LV blood and myocardium intensity at ED mid-ventricular slices, and the standard deviation in the image corners (air).</summary>
    private static (double Blood, double Myo, double AirStd) Measure(SyntheticSubject s)
    {
        var blood = new List<float>();
        var myo = new List<float>();
        var air = new List<double>();
        foreach (int z in SyntheticTestCohort.MidVentricularSlices(s))
        {
            ReadOnlySpan<float> img = s.ImageSlice(z, s.Info.EdFrame);
            ReadOnlySpan<byte> lab = s.LabelSlice(z, s.Info.EdFrame);
            int w = s.SizeX;
            for (int i = w; i < img.Length - w; i++)
            {
                // Interior pixels only (all four neighbours share the label): tissue contrast without partial volume.
                byte l = lab[i];
                if (l != 0 && lab[i - 1] == l && lab[i + 1] == l && lab[i - w] == l && lab[i + w] == l)
                {
                    (l == 1 ? blood : l == 2 ? myo : null)?.Add(img[i]);
                }
            }
            for (int y = 0; y < 12; y++)
            {
                for (int x = 0; x < 12; x++)
                {
                    air.Add(img[(y * s.SizeX) + x]);
                }
            }
        }
        blood.Sort();
        myo.Sort();
        double mean = air.Average();
        double std = Math.Sqrt(air.Select(a => (a - mean) * (a - mean)).Average());
        return (blood[blood.Count / 2], myo[myo.Count / 2], std);
    }

    [TestMethod]
    public void Constructor_TooFewFrames_ThrowsOurException()
    {
        Assert.ThrowsExactly<MLCardiacException>(() => new SyntheticCohortGenerator(new SyntheticCohortOptions { MinFrames = 2, MaxFrames = 3 }));
        Assert.ThrowsExactly<MLCardiacException>(() => VendorProfiles.Get("Z"));
    }
}
