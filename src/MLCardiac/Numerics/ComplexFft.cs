using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLCardiac.Numerics;

/// <summary>
/// In-place complex FFT of one length: iterative radix-2 for powers of two, Bluestein's chirp-z algorithm
/// (through a power-of-two FFT) for every other length. Tables and scratch are allocated once in the
/// constructor; <see cref="Forward"/> and <see cref="Inverse"/> allocate nothing.
/// </summary>
/// <remarks>
/// Convention: forward X[k] = Σ x[n]·e^(−2πikn/N), inverse with e^(+2πikn/N) and a 1/N factor, so
/// Inverse(Forward(x)) = x. Written here rather than taken from MathNet.Numerics 5.0.0 (served): its managed
/// provider has no 2D transform (<c>Fourier.Forward2D</c> throws without the native MKL provider, which is not
/// served), and 128×128 forward + inverse through its 1D calls took 1.9–3.5 ms and allocated on every call,
/// against about 0.27 ms and no allocation for <see cref="Augmentation.RealFft2D"/> on the same machine. Not thread-safe (holds scratch): use one
/// instance per thread, as <see cref="Augmentation.AugmentationWorkspace"/> does. Shared by the augmentations and the synthetic data generator.
/// </remarks>
public sealed class ComplexFft
{
    private readonly int[] _bitReverse;
    private readonly Complex[] _twiddles;
    private readonly ComplexFft? _inner;
    private readonly Complex[]? _chirp;
    private readonly Complex[]? _chirpFilterSpectrum;
    private readonly Complex[]? _scratch;

    /// <summary>Creates the tables for transforms of <paramref name="length"/> points.</summary>
    public ComplexFft(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;
        if (BitOperations.IsPow2(length))
        {
            int bits = BitOperations.Log2((uint)length);
            _bitReverse = new int[length];
            for (int i = 0; i < length; i++)
            {
                _bitReverse[i] = bits == 0 ? 0 : (int)(ReverseBits((uint)i) >> (32 - bits));
            }

            _twiddles = new Complex[Math.Max(1, length / 2)];
            for (int k = 0; k < _twiddles.Length; k++)
            {
                double angle = -2 * Math.PI * k / length;
                _twiddles[k] = new Complex(Math.Cos(angle), Math.Sin(angle));
            }

            return;
        }

        int m = (int)BitOperations.RoundUpToPowerOf2((uint)((2 * length) - 1));
        _inner = new ComplexFft(m);
        _bitReverse = [];
        _twiddles = [];
        _chirp = new Complex[length];
        long twoN = 2L * length;
        for (int k = 0; k < length; k++)
        {
            // k² mod 2N keeps the angle small and exact for large k.
            long kk = (long)k * k % twoN;
            double angle = -Math.PI * kk / length;
            _chirp[k] = new Complex(Math.Cos(angle), Math.Sin(angle));
        }

        _chirpFilterSpectrum = new Complex[m];
        _chirpFilterSpectrum[0] = Complex.Conjugate(_chirp[0]);
        for (int k = 1; k < length; k++)
        {
            Complex c = Complex.Conjugate(_chirp[k]);
            _chirpFilterSpectrum[k] = c;
            _chirpFilterSpectrum[m - k] = c;
        }

        _inner.Forward(_chirpFilterSpectrum);
        _scratch = new Complex[m];
    }

    /// <summary>Number of points.</summary>
    public int Length { get; }

    /// <summary>Forward transform of <paramref name="data"/> in place (no normalisation).</summary>
    public void Forward(Span<Complex> data)
    {
        if (data.Length != Length)
        {
            throw new ArgumentException($"Expected {Length} points, got {data.Length}.", nameof(data));
        }

        if (_inner is null)
        {
            Radix2(data);
        }
        else
        {
            Bluestein(data);
        }
    }

    /// <summary>Inverse transform of <paramref name="data"/> in place, scaled by 1/N.</summary>
    public void Inverse(Span<Complex> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = Complex.Conjugate(data[i]);
        }

        Forward(data);
        double scale = 1.0 / Length;
        for (int i = 0; i < data.Length; i++)
        {
            Complex c = data[i];
            data[i] = new Complex(c.Real * scale, -c.Imaginary * scale);
        }
    }

    private void Radix2(Span<Complex> data)
    {
        int n = data.Length;
        int[] rev = _bitReverse;
        ref Complex d = ref MemoryMarshal.GetReference(data);
        for (int i = 0; i < n; i++)
        {
            int j = rev[i];
            if (j > i)
            {
                (Unsafe.Add(ref d, i), Unsafe.Add(ref d, j)) = (Unsafe.Add(ref d, j), Unsafe.Add(ref d, i));
            }
        }

        // First stage: no multiplications.
        for (int i = 0; i + 1 < n; i += 2)
        {
            Complex a = Unsafe.Add(ref d, i), b = Unsafe.Add(ref d, i + 1);
            Unsafe.Add(ref d, i) = a + b;
            Unsafe.Add(ref d, i + 1) = a - b;
        }

        ref Complex tw = ref MemoryMarshal.GetArrayDataReference(_twiddles);
        for (int size = 4; size <= n; size <<= 1)
        {
            int half = size >> 1;
            int step = n / size;
            for (int start = 0; start < n; start += size)
            {
                ref Complex lo = ref Unsafe.Add(ref d, start);
                ref Complex hi = ref Unsafe.Add(ref d, start + half);
                for (int k = 0; k < half; k++)
                {
                    Complex w = Unsafe.Add(ref tw, k * step);
                    Complex b = Unsafe.Add(ref hi, k);
                    double br = (b.Real * w.Real) - (b.Imaginary * w.Imaginary);
                    double bi = (b.Real * w.Imaginary) + (b.Imaginary * w.Real);
                    Complex a = Unsafe.Add(ref lo, k);
                    Unsafe.Add(ref lo, k) = new Complex(a.Real + br, a.Imaginary + bi);
                    Unsafe.Add(ref hi, k) = new Complex(a.Real - br, a.Imaginary - bi);
                }
            }
        }
    }

    private void Bluestein(Span<Complex> data)
    {
        Complex[] chirp = _chirp!;
        Span<Complex> a = _scratch!;
        a.Clear();
        for (int k = 0; k < Length; k++)
        {
            a[k] = data[k] * chirp[k];
        }

        _inner!.Forward(a);
        Complex[] filter = _chirpFilterSpectrum!;
        for (int k = 0; k < a.Length; k++)
        {
            a[k] *= filter[k];
        }

        _inner.Inverse(a);
        for (int k = 0; k < Length; k++)
        {
            data[k] = a[k] * chirp[k];
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}
