using MLCardiac.Data.Synthetic;

namespace MLCardiac.Tests.Data;

/// <summary>The phantom's anatomy: sizes and function per pathology, shape changes, RV, base, papillary muscles, tilt and breath holds.</summary>
[TestClass]
public sealed class PhantomAnatomyTests
{
    private static SyntheticCohortGenerator Only(Pathology pathology) =>
        new(SyntheticTestCohort.Options, VendorProfileSet.Parse($"{{ \"pathologyMix\": {{ \"{PathologyCodes.Code(pathology)}\": 1 }} }}", "test"));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Pathology, int), SyntheticSubject> Cache = new();

    private static SyntheticSubject Subject(Pathology pathology, int index) =>
        Cache.GetOrAdd((pathology, index), key => Only(key.Item1).Generate(VendorProfiles.All[key.Item2 % 4], key.Item2));

    [TestMethod]
    [DataRow(Pathology.Normal)]
    [DataRow(Pathology.DilatedCardiomyopathy)]
    [DataRow(Pathology.HypertrophicCardiomyopathy)]
    [DataRow(Pathology.HypertensiveHeartDisease)]
    [DataRow(Pathology.AbnormalRightVentricle)]
    [DataRow(Pathology.AthleteHeart)]
    [DataRow(Pathology.IschemicHeartDisease)]
    [DataRow(Pathology.LeftVentricularNonCompaction)]
    public void Generate_EveryPathology_LabelsMeasureEdvEfMassAndRvInsideItsSampledRange(Pathology pathology)
    {
        for (int i = 0; i < 2; i++)
        {
            SyntheticSubject s = Subject(pathology, i);
            SyntheticSubjectInfo info = s.Info;
            Assert.AreEqual(pathology, info.Pathology);
            double bsa = PopulationReference.BodySurfaceArea(info.HeightCm, info.WeightKg);
            double edv = s.LabelVolumeMl(1, info.EdFrame), esv = s.LabelVolumeMl(1, info.EsFrame);
            double rvEdv = s.LabelVolumeMl(3, info.EdFrame), rvEsv = s.LabelVolumeMl(3, info.EsFrame);
            var measured = new Dictionary<PopulationReference.Index, double>
            {
                [PopulationReference.Index.LvEdv] = edv,
                [PopulationReference.Index.LvEf] = 100 * (edv - esv) / edv,
                [PopulationReference.Index.LvMass] = s.LabelVolumeMl(2, info.EdFrame) * 1.05,
                [PopulationReference.Index.RvEdv] = rvEdv,
                [PopulationReference.Index.RvEf] = 100 * (rvEdv - rvEsv) / rvEdv,
            };
            foreach (var (index, value) in measured)
            {
                var (lower, upper) = PathologyModel.Range(pathology, index, info.Sex, info.AgeYears, bsa);
                // 2 % (or 1 EF point) for the calibration's tolerance and the voxel grid.
                double slack = index is PopulationReference.Index.LvEf or PopulationReference.Index.RvEf ? 1 : 0.02 * upper;
                Assert.IsTrue(value >= lower - slack && value <= upper + slack, $"{info.Code} {pathology} {index}: measured {value:F1}, sampled range {lower:F1}–{upper:F1}");
            }
            Assert.AreEqual(100 * info.TargetEjectionFraction, measured[PopulationReference.Index.LvEf], 1.0, "the label EF is the drawn one");
        }
    }

    [TestMethod]
    public void Generate_Hcm_SeptumThickerThanTheLateralWall()
    {
        for (int i = 0; i < 2; i++)
        {
            SyntheticSubject s = Subject(Pathology.HypertrophicCardiomyopathy, i);
            double septal = 0, lateral = 0;
            foreach (int z in SyntheticTestCohort.MidVentricularSlices(s))
            {
                ReadOnlySpan<byte> labels = s.LabelSlice(z, s.Info.EdFrame);
                var lv = SyntheticTestCohort.Centroid(labels, s.SizeX, 1);
                var rv = SyntheticTestCohort.Centroid(labels, s.SizeX, 3);
                double dx = rv.X - lv.X, dy = rv.Y - lv.Y, n = Math.Sqrt((dx * dx) + (dy * dy));
                septal += WallAlong(labels, s.SizeX, lv, dx / n, dy / n);
                lateral += WallAlong(labels, s.SizeX, lv, -dx / n, -dy / n);
            }
            Assert.IsGreaterThan(1.2 * lateral, septal, $"{s.Info.Code}: septal {septal:F0} px against lateral {lateral:F0} px (summed over mid slices)");
        }
    }

    /// <summary>Myocardium pixels met walking from the LV centre along (dx, dy).</summary>
    private static int WallAlong(ReadOnlySpan<byte> labels, int width, (double X, double Y) from, double dx, double dy)
    {
        int count = 0, height = labels.Length / width;
        for (double t = 0; t < 200; t += 0.25)
        {
            int x = (int)Math.Round(from.X + (t * dx)), y = (int)Math.Round(from.Y + (t * dy));
            if (x < 0 || y < 0 || x >= width || y >= height) break;
            count += labels[(y * width) + x] == 2 ? 1 : 0;
        }
        return count;
    }

    [TestMethod]
    public void Generate_PapillaryMusclesAndTrabeculae_InsideTheBloodPoolLabelWithMyocardialSignal()
    {
        int found = 0;
        foreach (SyntheticSubject s in new[] { Subject(Pathology.Normal, 0), Subject(Pathology.Normal, 1), Subject(Pathology.LeftVentricularNonCompaction, 0) })
        {
            int z = PreviewMontage.MidVentricularSlice(s);
            ReadOnlySpan<float> img = s.ImageSlice(z, s.Info.EdFrame);
            ReadOnlySpan<byte> lab = s.LabelSlice(z, s.Info.EdFrame);
            var blood = new List<float>();
            var myo = new List<float>();
            for (int i = 0; i < lab.Length; i++) (lab[i] == 1 ? blood : lab[i] == 2 ? myo : null)?.Add(img[i]);
            blood.Sort();
            myo.Sort();
            float threshold = 0.5f * (blood[blood.Count / 2] + myo[myo.Count / 2]);
            // Dark pixels well inside the LV label (all 4 neighbours LV): muscle in the cavity, labelled as blood pool.
            for (int i = s.SizeX; i < lab.Length - s.SizeX; i++)
                if (lab[i] == 1 && lab[i - 1] == 1 && lab[i + 1] == 1 && lab[i - s.SizeX] == 1 && lab[i + s.SizeX] == 1 && img[i] < threshold) found++;
        }
        Assert.IsGreaterThan(10, found);
    }

    [TestMethod]
    public void Generate_RightVentricle_EndsBeforeTheLvApex()
    {
        foreach (SyntheticSubject s in VendorProfiles.All.SelectMany(v => Enumerable.Range(0, 2).Select(i => SyntheticTestCohort.Get(v, i))))
        {
            int lastLv = -1, lastRv = -1;
            for (int z = 0; z < s.SliceCount; z++)
            {
                ReadOnlySpan<byte> l = s.LabelSlice(z, s.Info.EdFrame);
                if (l.Contains((byte)1) || l.Contains((byte)2)) lastLv = z;
                if (l.Contains((byte)3)) lastRv = z;
            }
            Assert.IsLessThan(lastLv, lastRv, $"{s.Info.Code}: last RV slice {lastRv}, last LV slice {lastLv}");
        }
    }

    [TestMethod]
    public void Generate_BaseDescendsInSystole_BasalSlicesLoseTheirLvLabelAtEs()
    {
        // Through-plane motion: the mitral annulus moves towards the apex, so the first slice with LV at ES is never more
        // basal than at ED, and for some subjects it is more apical.
        int later = 0;
        foreach (SyntheticSubject s in VendorProfiles.All.SelectMany(v => Enumerable.Range(0, 2).Select(i => SyntheticTestCohort.Get(v, i))))
        {
            int First(int frame)
            {
                for (int z = 0; z < s.SliceCount; z++) if (s.LabelSlice(z, frame).Contains((byte)1)) return z;
                return -1;
            }
            int ed = First(s.Info.EdFrame), es = First(s.Info.EsFrame);
            Assert.IsGreaterThanOrEqualTo(ed, es, s.Info.Code);
            later += es > ed ? 1 : 0;
        }
        Assert.IsGreaterThan(0, later);
    }

    [TestMethod]
    public void Render_TiltedLongAxis_LvCentreDriftsAcrossSlicesAsTheTiltSays()
    {
        PhantomParameters p = PhantomParameterSampler.Sample(VendorProfiles.A, 5, SyntheticTestCohort.Options, PathologyModel.DefaultMix);
        p = p with { SliceShiftMm = [.. p.SliceShiftMm.Select(_ => new Vec3(0, 0, 0))] };
        SyntheticSubject s = PhantomRenderer.Render(p);
        var points = LvSlices(s).Select(z => (Z: z, C: SyntheticTestCohort.Centroid(s.LabelSlice(z, s.Info.EdFrame), s.SizeX, 1))).ToList();
        double driftPerSlice = Math.Sqrt(Math.Pow(Slope(points.Select(q => ((double)q.Z, q.C.X))), 2) + Math.Pow(Slope(points.Select(q => ((double)q.Z, q.C.Y))), 2)) * s.PixelSpacingMm;
        Vec3 axis = p.Heart.Axis;
        double expected = Math.Sqrt((axis.X * axis.X) + (axis.Y * axis.Y)) / axis.Z * s.SliceSpacingMm;

        Assert.AreEqual(expected, driftPerSlice, (0.35 * expected) + 0.4, $"tilt {Math.Acos(axis.Z) * 180 / Math.PI:F1}°");
    }

    [TestMethod]
    public void Render_BreathHoldShifts_MoveTheLvOffItsLine()
    {
        PhantomParameters p = PhantomParameterSampler.Sample(VendorProfiles.B, 2, SyntheticTestCohort.Options, PathologyModel.DefaultMix);
        var shifted = new Vec3[p.SliceCount];
        for (int z = 0; z < shifted.Length; z++) shifted[z] = new Vec3(z % 2 == 0 ? 4 : -4, 0, 0);
        double still = Residual(PhantomRenderer.Render(p with { SliceShiftMm = new Vec3[p.SliceCount] }));
        double moved = Residual(PhantomRenderer.Render(p with { SliceShiftMm = shifted }));

        // The shifts add in quadrature to the shape's own scatter about the line: √(moved² − still²) ≈ 4 mm.
        double added = Math.Sqrt(Math.Max(0, (moved * moved) - (still * still))) * p.PixelSpacingMm;
        Assert.AreEqual(4.0, added, 1.5, $"residual from a straight line: {still:F2} px still, {moved:F2} px with ±4 mm shifts");
    }

    /// <summary>RMS distance (px) of the LV centroids of the mid slices from their best straight line along x.</summary>
    private static double Residual(SyntheticSubject s)
    {
        var pts = LvSlices(s).Select(z => ((double)z, SyntheticTestCohort.Centroid(s.LabelSlice(z, s.Info.EdFrame), s.SizeX, 1).X)).ToList();
        double slope = Slope(pts), mz = pts.Average(q => q.Item1), mx = pts.Average(q => q.Item2);
        return Math.Sqrt(pts.Average(q => Math.Pow(q.Item2 - (mx + (slope * (q.Item1 - mz))), 2)));
    }

    /// <summary>Slices whose ED label has at least 40 LV blood-pool pixels.</summary>
    private static IEnumerable<int> LvSlices(SyntheticSubject s) =>
        Enumerable.Range(0, s.SliceCount).Where(z => s.LabelSlice(z, s.Info.EdFrame).Count((byte)1) >= 40);

    private static double Slope(IEnumerable<(double X, double Y)> points)
    {
        var p = points.ToList();
        double mx = p.Average(q => q.X), my = p.Average(q => q.Y);
        return p.Sum(q => (q.X - mx) * (q.Y - my)) / p.Sum(q => (q.X - mx) * (q.X - mx));
    }
}
