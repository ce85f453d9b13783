using System.Numerics;
using MLCardiac.Data.Synthetic;
using MLCardiac.Numerics;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class KSpaceTruncationTests
{
    private static float[] RandomImage(int n, ulong seed)
    {
        var r = new SeededRandom(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (float)r.Normal())];
    }

    [TestMethod]
    public void Apply_FullKSpaceNoBlur_IsIdentity()
    {
        var op = new KSpaceTruncation(50, 1.0, 0, 0);
        float[] x = RandomImage(50, 1);
        var y = new float[50];
        op.Apply(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.AreEqual(x[i], y[i], 1e-5);
        }
    }

    [TestMethod]
    [DataRow(64, 0.6, 0.0, 0.0)]
    [DataRow(75, 0.5, 0.1, 0.8)]
    public void Apply_Line_EqualsTruncatingTheSpectrum(int n, double fraction, double rolloff, double blur)
    {
        var op = new KSpaceTruncation(n, fraction, rolloff, blur);
        float[] x = RandomImage(n, 2);
        var actual = new float[n];
        op.Apply(x, actual);

        Complex[] spectrum = [.. x.Select(v => new Complex(v, 0))];
        var fft = new ComplexFft(n);
        fft.Forward(spectrum);
        double[] window = KSpaceTruncation.Window(n, fraction, rolloff, blur);
        for (int k = 0; k < n; k++)
        {
            spectrum[k] *= window[k];
        }
        fft.Inverse(spectrum);
        for (int i = 0; i < n; i++)
        {
            Assert.AreEqual(spectrum[i].Real, actual[i], 1e-4);
        }
    }

    [TestMethod]
    public void AddFilteredPatch_BackgroundPlusChange_EqualsFilteringTheWholeImage()
    {
        const int w = 40, h = 30;
        var fx = new KSpaceTruncation(w, 0.6, 0, 0.3);
        var fy = new KSpaceTruncation(h, 0.7, 0.05, 0);
        float[] background = RandomImage(w * h, 3);
        float[] changed = (float[])background.Clone();
        float[] patch = RandomImage(9 * 7, 4);
        for (int r = 0; r < 7; r++)
        {
            for (int c = 0; c < 9; c++)
            {
                changed[((r + 5) * w) + c + 11] += patch[(r * 9) + c];
            }
        }
        var scratch = new float[w * h];
        var expected = new float[w * h];
        KSpaceTruncation.FilterImage(fx, fy, changed, expected, scratch);
        var actual = new float[w * h];
        KSpaceTruncation.FilterImage(fx, fy, background, actual, scratch);
        KSpaceTruncation.AddFilteredPatch(fx, fy, patch, 11, 5, 9, 7, actual, scratch);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], 1e-4);
        }
    }

    [TestMethod]
    public void AddFilteredWindow_WindowOfLargerPatch_EqualsCopiedSubPatch()
    {
        const int w = 33, h = 27, pw = 12, ph = 10;
        var fx = new KSpaceTruncation(w, 0.55, 0, 0);
        var fy = new KSpaceTruncation(h, 0.65, 0.1, 0.5);
        float[] big = RandomImage(pw * ph, 8);
        // Window rows 2..7, columns 3..10 of the 12×10 patch placed at (4, 6).
        var sub = new float[6 * 8];
        for (int r = 0; r < 6; r++)
        {
            big.AsSpan(((r + 2) * pw) + 3, 8).CopyTo(sub.AsSpan(r * 8, 8));
        }
        var expected = new float[w * h];
        var actual = new float[w * h];
        var scratch = new float[w * h];
        KSpaceTruncation.AddFilteredPatch(fx, fy, sub, 4 + 3, 6 + 2, 8, 6, expected, scratch);
        KSpaceTruncation.AddFilteredWindow(fx, fy, big.AsSpan((2 * pw) + 3), pw, 4 + 3, 6 + 2, 8, 6, actual, scratch);
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void FilterImage_EqualsRowsThenColumns()
    {
        const int w = 21, h = 18;
        var fx = new KSpaceTruncation(w, 0.5, 0, 0);
        var fy = new KSpaceTruncation(h, 0.8, 0, 0);
        float[] image = RandomImage(w * h, 6);
        var actual = new float[w * h];
        KSpaceTruncation.FilterImage(fx, fy, image, actual, new float[w * h]);
        var rows = new float[w * h];
        for (int j = 0; j < h; j++)
        {
            fx.Apply(image.AsSpan(j * w, w), rows.AsSpan(j * w, w));
        }
        var column = new float[h];
        var filtered = new float[h];
        for (int i = 0; i < w; i++)
        {
            for (int j = 0; j < h; j++)
            {
                column[j] = rows[(j * w) + i];
            }
            fy.Apply(column, filtered);
            for (int j = 0; j < h; j++)
            {
                Assert.AreEqual(filtered[j], actual[(j * w) + i], 1e-4);
            }
        }
    }

    [TestMethod]
    public void Apply_StepWithHardTruncation_RingsMoreThanWithRolloff()
    {
        const int n = 128;
        var step = new float[n];
        for (int i = 32; i < 96; i++)
        {
            step[i] = 1;
        }
        var hard = new float[n];
        var soft = new float[n];
        new KSpaceTruncation(n, 0.4, 0, 0).Apply(step, hard);
        new KSpaceTruncation(n, 0.4, 0.15, 0).Apply(step, soft);
        Assert.IsGreaterThan(1.06f, hard.Max(), "Gibbs overshoot ≈ 9 % at a hard k-space edge");
        Assert.IsLessThan(hard.Max(), soft.Max());
    }
}
