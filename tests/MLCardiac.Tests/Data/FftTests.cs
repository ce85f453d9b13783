using System.Numerics;
using MLCardiac.Data.Synthetic;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class FftTests
{
    private static Complex[] RandomSignal(int n, ulong seed)
    {
        var r = new SeededRandom(seed);
        return [.. Enumerable.Range(0, n).Select(_ => new Complex(r.Normal(), r.Normal()))];
    }

    private static Complex[] NaiveDft(Complex[] x)
    {
        int n = x.Length;
        var result = new Complex[n];
        for (int k = 0; k < n; k++)
        {
            Complex sum = Complex.Zero;
            for (int j = 0; j < n; j++)
            {
                sum += x[j] * Complex.FromPolarCoordinates(1, -2 * Math.PI * ((long)k * j % n) / n);
            }
            result[k] = sum;
        }
        return result;
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(8)]
    [DataRow(64)]
    [DataRow(3)]
    [DataRow(12)]
    [DataRow(97)]
    [DataRow(176)]
    public void Forward_AnyLength_MatchesNaiveDft(int n)
    {
        Complex[] x = RandomSignal(n, 5);
        Complex[] expected = NaiveDft(x);
        Complex[] actual = (Complex[])x.Clone();
        Fft.Forward(actual);
        for (int k = 0; k < n; k++)
        {
            Assert.AreEqual(0, (actual[k] - expected[k]).Magnitude, 1e-9 * Math.Sqrt(n) * 10, $"bin {k} of {n}");
        }
    }

    [TestMethod]
    [DataRow(16)]
    [DataRow(208)]
    public void Inverse_OfForward_ReturnsInput(int n)
    {
        Complex[] x = RandomSignal(n, 9);
        Complex[] y = (Complex[])x.Clone();
        Fft.Forward(y);
        Fft.Inverse(y);
        for (int k = 0; k < n; k++)
        {
            Assert.AreEqual(0, (y[k] - x[k]).Magnitude, 1e-10);
        }
    }
}
