using MLCardiac.Imaging;
using MLCardiac.Preprocessing;

namespace MLCardiac.Tests.Preprocessing;

[TestClass]
public sealed class PreprocessorTests
{
    /// <summary>Label volume: an LV disc (1) in a myocardial ring (2) beside an RV blob (3), radii in mm.</summary>
    private static Volume Phantom(int nx, int ny, int nz, double spacing, double radiusMm = 18)
    {
        var data = new float[nx * ny * nz];
        double cx = nx * spacing / 2, cy = ny * spacing / 2;
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                {
                    double px = (x + 0.5) * spacing - cx, py = (y + 0.5) * spacing - cy;
                    double r = Math.Sqrt(px * px + py * py) * (1 + 0.05 * z);
                    double rv = Math.Sqrt((px + 2.2 * radiusMm) * (px + 2.2 * radiusMm) + py * py);
                    data[(z * ny + y) * nx + x] = r < radiusMm ? 1 : r < radiusMm + 8 ? 2 : rv < radiusMm ? 3 : 0;
                }
        var affine = new Affine([0, -spacing, 0, 40, spacing, 0, 0, -20, 0, 0, 8, 5, 0, 0, 0, 1]);
        return new Volume(data, [nx, ny, nz], new Spacing(spacing, spacing, 8), affine);
    }

    [TestMethod]
    public void Restore_NoResamplingAndCropHoldsTheVolume_GivesBackTheLabelsExactly()
    {
        Volume labels = Phantom(100, 90, 3, 1.25);
        var pre = new Preprocessor(new PreprocessingOptions { SpacingMm = 1.25, Size = 128 });

        SliceGeometry g = pre.Plan(labels);
        Volume back = Preprocessor.Restore(Preprocessor.Label(labels, 0, g), g);

        CollectionAssert.AreEqual(labels.Shape, back.Shape);
        CollectionAssert.AreEqual(labels.Data, back.Data);
        Assert.IsTrue(back.VoxelToWorld.ApproximatelyEquals(labels.VoxelToWorld, 0));
        Assert.AreEqual(labels.SpacingMm, back.SpacingMm);
    }

    [TestMethod]
    [DataRow(1.6, 160)]
    [DataRow(0.9, 220)]
    public void Restore_AfterResampling_KeepsEveryStructure(double spacing, int n)
    {
        Volume labels = Phantom(n, n, 2, spacing);
        var pre = new Preprocessor();
        SliceGeometry g = pre.Plan(labels);

        Volume back = Preprocessor.Restore(Preprocessor.Label(labels, 0, g), g);

        for (int c = 1; c <= 3; c++)
        {
            double dice = Dice(labels.Data, back.Data, c);
            Assert.IsGreaterThan(0.95, dice, $"class {c}: Dice {dice:F3} after the round trip");
        }
    }

    [TestMethod]
    public void Label_ResampledToTargetSpacing_KeepsPhysicalArea()
    {
        Volume labels = Phantom(150, 150, 1, 1.6, radiusMm: 20);
        var pre = new Preprocessor(new PreprocessingOptions { SpacingMm = 1.0, Size = 256 });
        SliceGeometry g = pre.Plan(labels);

        byte[] slices = Preprocessor.Label(labels, 0, g);

        var (sx, sy) = g.OutputSpacingMm;
        double areaMm2 = slices.Count(v => v == 1) * sx * sy;
        Assert.AreEqual(Math.PI * 20 * 20, areaMm2, 0.03 * Math.PI * 20 * 20);
        CollectionAssert.IsSubsetOf(slices.Distinct().ToArray(), new byte[] { 0, 1, 2, 3 });
    }

    [TestMethod]
    public void Image_PercentileClipAndZScore_GivesZeroMeanUnitStdInsideTheFieldOfView()
    {
        var rng = new Random(3);
        int n = 64;
        var data = new float[n * n * 2];
        for (int i = 0; i < data.Length; i++) data[i] = 300 + 80 * (float)(rng.NextDouble() - 0.5) + (i % 997 == 0 ? 1e5f : 0);
        var volume = new Volume(data, [n, n, 2], new Spacing(1.25, 1.25, 8));
        var pre = new Preprocessor(new PreprocessingOptions { Size = 64 });
        SliceGeometry g = pre.Plan(volume);

        IntensityNormalization norm = pre.MeasureIntensity(volume, 0);
        float[] image = Preprocessor.Image(volume, 0, g, norm);

        Assert.IsLessThan(400, norm.High, "the outliers were clipped away");
        Assert.AreEqual(0, image.Average(), 0.05);
        double std = Math.Sqrt(image.Select(v => (double)v * v).Average());
        Assert.AreEqual(1, std, 0.05);
    }

    [TestMethod]
    public void Label_ValueOutsideTheConvention_ThrowsNamingTheValue()
    {
        var volume = new Volume(new float[] { 0, 1, 7, 2, 0, 0, 0, 0 }, [2, 2, 2], new Spacing(1.25, 1.25, 8));
        var pre = new Preprocessor(new PreprocessingOptions { Size = 16 });
        var e = Assert.ThrowsExactly<MLCardiacException>(() => Preprocessor.Label(volume, 0, pre.Plan(volume)));
        StringAssert.Contains(e.Message, "7");
    }

    private static double Dice(float[] a, float[] b, int c)
    {
        long inter = 0, sa = 0, sb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            bool x = a[i] == c, y = b[i] == c;
            if (x) sa++;
            if (y) sb++;
            if (x && y) inter++;
        }
        return 2.0 * inter / (sa + sb);
    }

    [TestMethod]
    [DataRow(1, 0.5, 99.5)]
    [DataRow(7, 0.0, 100.0)]
    [DataRow(1000, 0.5, 99.5)]
    [DataRow(4099, 2.0, 98.0)]
    [DataRow(250_000, 0.5, 99.5)]
    public void IntensityNormalization_Percentiles_EqualTheSortedArraysInterpolation(int count, double low, double high)
    {
        var random = new Random(count);
        // Integer-valued intensities (as stored by most scanners): many ties, the hard case for a selection.
        float[] voxels = Enumerable.Range(0, count).Select(_ => (float)random.Next(0, 300)).ToArray();

        IntensityNormalization n = IntensityNormalization.Measure(voxels, low, high);

        float[] sorted = voxels.Order().ToArray();
        double Reference(double p)
        {
            double pos = p / 100 * (sorted.Length - 1);
            int i = (int)Math.Floor(pos), j = Math.Min(i + 1, sorted.Length - 1);
            return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
        }
        Assert.AreEqual(Reference(low), n.Low, 1e-9);
        Assert.AreEqual(Reference(high), n.High, 1e-9);
    }
}
