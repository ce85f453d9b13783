using System.Numerics;

namespace MLCardiac.Data.Synthetic;

/// <summary>
/// A small discrete Fourier transform for any length: iterative radix-2 Cooley–Tukey for powers of two,
/// Bluestein's chirp-z algorithm (via a power-of-two convolution) for every other length.
/// Convention: forward X[k] = Σ x[n]·e^(−2πi·kn/N); inverse divides by N, so Inverse(Forward(x)) = x.
/// </summary>
public static class Fft
{
    /// <summary>Forward transform of <paramref name="data"/> in place.</summary>
    public static void Forward(Span<Complex> data) => Transform(data, inverse: false);

    /// <summary>Inverse transform of <paramref name="data"/> in place, including the 1/N scaling.</summary>
    public static void Inverse(Span<Complex> data)
    {
        Transform(data, inverse: true);
        double scale = 1.0 / data.Length;
        for (int i = 0; i < data.Length; i++)
        {
            data[i] *= scale;
        }
    }

    /// <summary>True when <paramref name="n"/> is a positive power of two.</summary>
    public static bool IsPowerOfTwo(int n) => n > 0 && (n & (n - 1)) == 0;

    private static void Transform(Span<Complex> data, bool inverse)
    {
        int n = data.Length;
        if (n <= 1)
        {
            return;
        }
        if (IsPowerOfTwo(n))
        {
            Radix2(data, inverse);
        }
        else
        {
            Bluestein(data, inverse);
        }
    }

    private static void Radix2(Span<Complex> a, bool inverse)
    {
        int n = a.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }
            j ^= bit;
            if (i < j)
            {
                (a[i], a[j]) = (a[j], a[i]);
            }
        }
        double sign = inverse ? 1.0 : -1.0;
        for (int len = 2; len <= n; len <<= 1)
        {
            double angle = sign * 2.0 * Math.PI / len;
            int half = len >> 1;
            for (int k = 0; k < half; k++)
            {
                // Twiddles computed directly (not by repeated multiplication) to keep round-off at machine precision.
                Complex w = Complex.FromPolarCoordinates(1.0, angle * k);
                for (int start = 0; start < n; start += len)
                {
                    Complex u = a[start + k];
                    Complex v = a[start + k + half] * w;
                    a[start + k] = u + v;
                    a[start + k + half] = u - v;
                }
            }
        }
    }

    private static void Bluestein(Span<Complex> a, bool inverse)
    {
        int n = a.Length;
        int m = (int)BitOperations.RoundUpToPowerOf2((uint)((2 * n) - 1));
        double sign = inverse ? 1.0 : -1.0;
        var chirp = new Complex[n];
        for (int k = 0; k < n; k++)
        {
            // k² mod 2n keeps the angle small and exact for large k.
            long k2 = (long)k * k % (2L * n);
            chirp[k] = Complex.FromPolarCoordinates(1.0, sign * Math.PI * k2 / n);
        }
        var x = new Complex[m];
        var y = new Complex[m];
        for (int k = 0; k < n; k++)
        {
            x[k] = a[k] * chirp[k];
        }
        y[0] = Complex.Conjugate(chirp[0]);
        for (int k = 1; k < n; k++)
        {
            y[k] = y[m - k] = Complex.Conjugate(chirp[k]);
        }
        Radix2(x, inverse: false);
        Radix2(y, inverse: false);
        for (int i = 0; i < m; i++)
        {
            x[i] *= y[i];
        }
        Radix2(x, inverse: true);
        for (int k = 0; k < n; k++)
        {
            a[k] = x[k] / m * chirp[k];
        }
    }
}
