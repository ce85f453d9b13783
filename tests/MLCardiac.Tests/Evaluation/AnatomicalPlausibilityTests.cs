using MLCardiac.Data.Synthetic;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.Tests.Data;

namespace MLCardiac.Tests.Evaluation;

[TestClass]
public sealed class AnatomicalPlausibilityTests
{
    private const int N = 64, Z = 8;
    private static readonly Spacing Mm = new(1.5, 1.5, 8);

    /// <summary>A short-axis stack no rule objects to: from base (z = 0) to apex, concentric LV and MYO rings narrowing, an RV crescent against the septum that ends first.</summary>
    private static byte[] Heart()
    {
        var labels = new byte[N * N * Z];
        for (int z = 0; z < Z; z++)
        {
            double lv = 12 - z, wall = lv + 4, rv = z < Z - 2 ? 11 - z : 0;
            for (int y = 0; y < N; y++)
                for (int x = 0; x < N; x++)
                {
                    double r = Math.Sqrt((x - 36) * (x - 36) + (y - 32) * (y - 32));
                    double rRv = Math.Sqrt((x - (36 - wall - rv + 1)) * (x - (36 - wall - rv + 1)) + (y - 32) * (y - 32));
                    byte l = r < lv ? (byte)1 : r < wall ? (byte)2 : rRv < rv ? (byte)3 : (byte)0;
                    labels[(z * N + y) * N + x] = l;
                }
        }
        return labels;
    }

    private static IReadOnlyList<PlausibilityFinding> Check(byte[] labels) => AnatomicalPlausibility.Check(labels, N, N, Z, Mm);

    private static void Set(byte[] labels, int z, Func<int, int, byte, byte> f)
    {
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++)
            {
                int i = (z * N + y) * N + x;
                labels[i] = f(x, y, labels[i]);
            }
    }

    [TestMethod]
    public void TheCraftedHeartKeepsEveryRule() => Assert.IsEmpty(Check(Heart()), string.Join("\n", Check(Heart()).Select(f => f.Message)));

    [TestMethod]
    public void AnLvWithoutItsMyocardiumIsNamedWithItsSlice()
    {
        byte[] labels = Heart();
        Set(labels, 3, (_, _, l) => l == 2 ? (byte)0 : l);
        var f = Check(labels).Single(x => x.Rule == "myo-encloses-lv");
        Assert.AreEqual(("LV", 3), (f.Structure, f.Slice));
        StringAssert.Contains(f.Message, "Slice 3");
    }

    [TestMethod]
    public void AnRvAwayFromTheSeptumIsNamed()
    {
        byte[] labels = Heart();
        Set(labels, 2, (x, y, l) => l == 3 ? (byte)0 : l);
        Set(labels, 2, (x, y, l) => x is >= 2 and < 8 && y is >= 28 and < 36 ? (byte)3 : l);
        var f = Check(labels).Single(x => x.Rule == "rv-touches-septum");
        Assert.AreEqual(("RV", 2), (f.Structure, f.Slice));
    }

    [TestMethod]
    public void AHoleInTheBloodPoolIsNamed()
    {
        byte[] labels = Heart();
        Set(labels, 1, (x, y, l) => x is >= 35 and < 38 && y is >= 31 and < 34 ? (byte)0 : l);
        var f = Check(labels).Single(x => x.Rule == "no-holes");
        Assert.AreEqual(("LV", 1), (f.Structure, f.Slice));
        StringAssert.Contains(f.Message, "9 pixel");
    }

    [TestMethod]
    public void AStructureMissingFromAMiddleSliceBreaksContinuity()
    {
        byte[] labels = Heart();
        Set(labels, 3, (_, _, l) => l == 3 ? (byte)0 : l);
        var f = Check(labels).Single(x => x.Rule == "continuity");
        Assert.AreEqual(("RV", 3), (f.Structure, f.Slice));
    }

    [TestMethod]
    public void AnLvWideningTowardsTheApexAndAnRvBeyondItBreakTheOrder()
    {
        byte[] labels = Heart();
        // Slice 6 gets the cross-section of slice 1 (wider than slice 5 before it).
        Array.Copy(labels, 1 * N * N, labels, 6 * N * N, N * N);
        var widening = Check(labels).Where(x => x.Rule == "base-to-apex").ToList();
        Assert.IsTrue(widening.Any(f => f.Structure == "LV" && f.Slice == 6), string.Join("\n", widening.Select(f => f.Message)));

        byte[] rvBeyond = Heart();
        Set(rvBeyond, 7, (_, _, _) => 0);
        Set(rvBeyond, 6, (_, _, _) => 0);
        Set(rvBeyond, 6, (_, _, _) => 0);
        // LV ends at slice 5; an RV blob two slices further (slice 7) lies beyond the apex.
        Set(rvBeyond, 7, (x, y, l) => x is >= 10 and < 20 && y is >= 28 and < 38 ? (byte)3 : l);
        var beyond = Check(rvBeyond).Where(x => x.Rule == "base-to-apex" && x.Structure == "RV").ToList();
        Assert.AreEqual(7, beyond.Single().Slice);
    }

    /// <summary>The rules are for segmentations no annotator would draw: the phantom's reference labels of every vendor, ED and ES, pass them.</summary>
    [TestMethod]
    public void ThePhantomsReferenceLabelsPassEveryRule()
    {
        var broken = new List<string>();
        int frames = 0;
        foreach (VendorProfile vendor in VendorProfiles.All)
            for (int i = 0; i < 6; i++)
            {
                SyntheticSubject s = SyntheticTestCohort.Get(vendor, i);
                foreach (int frame in new[] { s.Info.EdFrame, s.Info.EsFrame })
                {
                    var labels = new byte[s.SizeX * s.SizeY * s.SliceCount];
                    for (int z = 0; z < s.SliceCount; z++) s.LabelSlice(z, frame).CopyTo(labels.AsSpan(z * s.SizeX * s.SizeY));
                    frames++;
                    broken.AddRange(AnatomicalPlausibility.Check(labels, s.SizeX, s.SizeY, s.SliceCount, new Spacing(s.PixelSpacingMm, s.PixelSpacingMm, s.SliceSpacingMm))
                        .Select(f => $"{vendor.Code}{i} frame {frame} ({s.Info.Pathology}): {f.Message}"));
                }
            }
        Assert.AreEqual(48, frames);
        Assert.IsEmpty(broken, string.Join("\n", broken));
    }
}
