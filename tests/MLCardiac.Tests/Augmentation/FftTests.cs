using System.Numerics;
using MLCardiac.Augmentation;

using MLCardiac.Numerics;

namespace MLCardiac.Tests.Augmentation;

[TestClass]
public sealed class FftTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(8)]
    [DataRow(12)]
    [DataRow(97)]
    [DataRow(100)]
    [DataRow(128)]
    public void Forward_AnyLength_MatchesNaiveDft(int n)
    {
        var random = new AugmentationRandom((ulong)n);
        var data = new Complex[n];
        for (int i = 0; i < n; i++)
        {
            data[i] = new Complex(random.NextGaussian(), random.NextGaussian());
        }

        var expected = new Complex[n];
        for (int k = 0; k < n; k++)
        {
            for (int t = 0; t < n; t++)
            {
                double angle = -2 * Math.PI * k * t / n;
                expected[k] += data[t] * new Complex(Math.Cos(angle), Math.Sin(angle));
            }
        }

        new ComplexFft(n).Forward(data);

        for (int k = 0; k < n; k++)
        {
            Assert.IsLessThan(1e-9 * Math.Max(1, n), (data[k] - expected[k]).Magnitude, $"bin {k}");
        }
    }

    [TestMethod]
    [DataRow(64)]
    [DataRow(90)]
    [DataRow(128)]
    public void Inverse_AfterForward_GivesInputBack(int n)
    {
        var random = new AugmentationRandom(7);
        var original = new Complex[n];
        for (int i = 0; i < n; i++)
        {
            original[i] = new Complex(random.NextGaussian(), random.NextGaussian());
        }

        var data = (Complex[])original.Clone();
        var fft = new ComplexFft(n);
        fft.Forward(data);
        fft.Inverse(data);

        for (int i = 0; i < n; i++)
        {
            Assert.IsLessThan(1e-5, (data[i] - original[i]).Magnitude);
        }
    }

    [TestMethod]
    public void Fft2D_NonSquareGrid_MatchesNaiveDftAndRoundTrips()
    {
        const int h = 6, w = 10;
        var random = new AugmentationRandom(3);
        var image = new float[h * w];
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = (float)random.NextGaussian();
        }

        Complex[] expected = TestSlices.NaiveDft2D(image, h, w);
        var data = new Complex[h * w];
        Fft2D.FromReal(image, data);
        var fft = new Fft2D(h, w);
        fft.Forward(data);
        for (int i = 0; i < data.Length; i++)
        {
            Assert.IsLessThan(1e-9, (data[i] - expected[i]).Magnitude);
        }

        fft.Inverse(data);
        var back = new float[h * w];
        Fft2D.ToReal(data, back);
        for (int i = 0; i < back.Length; i++)
        {
            Assert.AreEqual(image[i], back[i], 1e-5f);
        }
    }

    [TestMethod]
    [DataRow(8, 8)]
    [DataRow(16, 6)]
    [DataRow(6, 10)]
    [DataRow(5, 7)]
    public void RealFft2D_Forward_MatchesComplexFftOnStoredColumnsAndRoundTrips(int h, int w)
    {
        var random = new AugmentationRandom((ulong)(h * 100 + w));
        var image = new float[h * w];
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = (float)random.NextGaussian();
        }

        Complex[] expected = TestSlices.NaiveDft2D(image, h, w);
        var fft = new RealFft2D(h, w);
        var half = new Complex[h * fft.HalfWidth];
        fft.Forward(image, half);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < fft.HalfWidth; x++)
            {
                Assert.IsLessThan(1e-9, (half[(y * fft.HalfWidth) + x] - expected[(y * w) + x]).Magnitude, $"({y}, {x})");
            }
        }

        var back = new float[h * w];
        fft.Inverse(half, back);
        for (int i = 0; i < back.Length; i++)
        {
            Assert.AreEqual(image[i], back[i], 1e-5f);
        }
    }
}
