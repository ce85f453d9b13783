using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

using MLCardiac.Numerics;

namespace MLCardiac.Augmentation;

/// <summary>
/// 2D FFT of a real [H, W] image into its half spectrum [H, W/2 + 1] (columns k_x = 0..W/2; the others follow
/// from Hermitian symmetry X[−k] = conj X[k]) and back. About twice as fast as the complex transform: two
/// image rows share one complex row FFT, and only W/2 + 1 columns are transformed, with the butterflies run
/// along whole rows (contiguous memory) when H is a power of two. Allocation-free after construction; not
/// thread-safe (holds scratch).
/// </summary>
/// <remarks>
/// <see cref="Inverse"/> returns Re(IFFT2(S)) of the full spectrum S whose columns k_x ≤ W/2 are the half
/// spectrum given and whose other columns are the Hermitian mirror: for a half spectrum that came from a
/// real image the round trip is exact up to rounding.
/// </remarks>
public sealed class RealFft2D
{
    private readonly ComplexFft _rows;
    private readonly ComplexFft _columns;
    private readonly Complex[] _row;
    private readonly Complex[] _column;
    private readonly int[]? _bitReverse;
    private readonly Complex[]? _twiddles;

    /// <summary>Creates the plans for [<paramref name="height"/>, <paramref name="width"/>] images.</summary>
    public RealFft2D(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Height = height;
        Width = width;
        HalfWidth = (width / 2) + 1;
        _rows = new ComplexFft(width);
        _columns = height == width ? _rows : new ComplexFft(height);
        _row = new Complex[width];
        _column = new Complex[height];
        if (BitOperations.IsPow2(height) && height > 1)
        {
            int bits = BitOperations.Log2((uint)height);
            _bitReverse = new int[height];
            for (int i = 0; i < height; i++)
            {
                int r = 0;
                for (int b = 0; b < bits; b++)
                {
                    r |= ((i >> b) & 1) << (bits - 1 - b);
                }

                _bitReverse[i] = r;
            }

            _twiddles = new Complex[height / 2];
            for (int k = 0; k < _twiddles.Length; k++)
            {
                double angle = -2 * Math.PI * k / height;
                _twiddles[k] = new Complex(Math.Cos(angle), Math.Sin(angle));
            }
        }
    }

    /// <summary>Number of rows (H).</summary>
    public int Height { get; }

    /// <summary>Number of columns (W).</summary>
    public int Width { get; }

    /// <summary>Columns of the half spectrum: W/2 + 1.</summary>
    public int HalfWidth { get; }

    /// <summary>Forward transform of <paramref name="image"/> [H, W] into <paramref name="spectrum"/> [H, W/2 + 1].</summary>
    public void Forward(ReadOnlySpan<float> image, Span<Complex> spectrum)
    {
        int h = Height, w = Width, wh = HalfWidth;
        if (image.Length != h * w || spectrum.Length != h * wh)
        {
            throw new ArgumentException($"Expected an image of {h}×{w} and a spectrum of {h}×{wh}.");
        }

        Span<Complex> z = _row;
        for (int y = 0; y < h; y += 2)
        {
            bool pair = y + 1 < h;
            ReadOnlySpan<float> a = image.Slice(y * w, w);
            ReadOnlySpan<float> b = pair ? image.Slice((y + 1) * w, w) : default;
            for (int x = 0; x < w; x++)
            {
                z[x] = new Complex(a[x], pair ? b[x] : 0);
            }

            _rows.Forward(z);
            Span<Complex> outA = spectrum.Slice(y * wh, wh);
            Span<Complex> outB = pair ? spectrum.Slice((y + 1) * wh, wh) : default;
            for (int k = 0; k < wh; k++)
            {
                Complex zk = z[k], zm = z[(w - k) % w];
                outA[k] = new Complex((zk.Real + zm.Real) * 0.5, (zk.Imaginary - zm.Imaginary) * 0.5);
                if (pair)
                {
                    // (Z[k] − conj Z[−k]) / 2i
                    outB[k] = new Complex((zk.Imaginary + zm.Imaginary) * 0.5, (zm.Real - zk.Real) * 0.5);
                }
            }
        }

        TransformColumns(spectrum, inverse: false);
    }

    /// <summary>
    /// Inverse transform of the half spectrum <paramref name="spectrum"/> (overwritten as scratch) into
    /// <paramref name="image"/>: Re(IFFT2) of its Hermitian extension, scaled by 1/(H·W).
    /// </summary>
    public void Inverse(Span<Complex> spectrum, Span<float> image)
    {
        int h = Height, w = Width, wh = HalfWidth;
        if (image.Length != h * w || spectrum.Length != h * wh)
        {
            throw new ArgumentException($"Expected an image of {h}×{w} and a spectrum of {h}×{wh}.");
        }

        double columnScale = TransformColumns(spectrum, inverse: true);
        bool even = (w & 1) == 0;
        Span<Complex> z = _row;
        float scale = (float)columnScale;
        for (int y = 0; y < h; y += 2)
        {
            bool pair = y + 1 < h;
            ReadOnlySpan<Complex> a = spectrum.Slice(y * wh, wh);
            ReadOnlySpan<Complex> b = pair ? spectrum.Slice((y + 1) * wh, wh) : default;
            for (int k = 0; k < w; k++)
            {
                Complex ak, bk;
                if (k < wh)
                {
                    ak = a[k];
                    bk = pair ? b[k] : Complex.Zero;
                    if (k == 0 || (even && k == w / 2))
                    {
                        // Self-mirrored bins: only their real part survives Re(IFFT).
                        ak = new Complex(ak.Real, 0);
                        bk = new Complex(bk.Real, 0);
                    }
                }
                else
                {
                    ak = Complex.Conjugate(a[w - k]);
                    bk = pair ? Complex.Conjugate(b[w - k]) : Complex.Zero;
                }

                // Z = A + iB
                z[k] = new Complex(ak.Real - bk.Imaginary, ak.Imaginary + bk.Real);
            }

            _rows.Inverse(z);
            Span<float> outA = image.Slice(y * w, w);
            Span<float> outB = pair ? image.Slice((y + 1) * w, w) : default;
            for (int x = 0; x < w; x++)
            {
                outA[x] = (float)z[x].Real * scale;
                if (pair)
                {
                    outB[x] = (float)z[x].Imaginary * scale;
                }
            }
        }
    }

    /// <summary>Column transforms of the half spectrum; returns the scale still to apply (1/H for the batched inverse, else 1).</summary>
    private double TransformColumns(Span<Complex> spectrum, bool inverse)
    {
        int h = Height, wh = HalfWidth;
        if (_bitReverse is not null)
        {
            BatchedRadix2(spectrum, h, wh, inverse);
            return inverse ? 1.0 / h : 1.0;
        }

        if (h == 1)
        {
            return 1.0;
        }

        Span<Complex> column = _column;
        for (int x = 0; x < wh; x++)
        {
            for (int y = 0; y < h; y++)
            {
                column[y] = spectrum[(y * wh) + x];
            }

            if (inverse)
            {
                _columns.Inverse(column);
            }
            else
            {
                _columns.Forward(column);
            }

            for (int y = 0; y < h; y++)
            {
                spectrum[(y * wh) + x] = column[y];
            }
        }

        return 1.0;
    }

    /// <summary>Radix-2 FFT along the rows axis, butterflies over whole rows of <paramref name="count"/> contiguous values.</summary>
    private void BatchedRadix2(Span<Complex> data, int n, int count, bool inverse)
    {
        int[] rev = _bitReverse!;
        for (int i = 0; i < n; i++)
        {
            int j = rev[i];
            if (j > i)
            {
                Span<Complex> a = data.Slice(i * count, count), b = data.Slice(j * count, count);
                for (int x = 0; x < count; x++)
                {
                    (a[x], b[x]) = (b[x], a[x]);
                }
            }
        }

        Complex[] tw = _twiddles!;
        ref Complex d = ref MemoryMarshal.GetReference(data);
        for (int size = 2; size <= n; size <<= 1)
        {
            int half = size >> 1;
            int step = n / size;
            for (int start = 0; start < n; start += size)
            {
                for (int k = 0; k < half; k++)
                {
                    Complex w = tw[k * step];
                    double wr = w.Real, wi = inverse ? -w.Imaginary : w.Imaginary;
                    ref Complex r1 = ref Unsafe.Add(ref d, (start + k) * count);
                    ref Complex r2 = ref Unsafe.Add(ref d, (start + k + half) * count);
                    if (k == 0)
                    {
                        for (int x = 0; x < count; x++)
                        {
                            Complex a = Unsafe.Add(ref r1, x), b = Unsafe.Add(ref r2, x);
                            Unsafe.Add(ref r1, x) = new Complex(a.Real + b.Real, a.Imaginary + b.Imaginary);
                            Unsafe.Add(ref r2, x) = new Complex(a.Real - b.Real, a.Imaginary - b.Imaginary);
                        }

                        continue;
                    }

                    int x0 = 0;
                    if (Vector256.IsHardwareAccelerated)
                    {
                        // Two complex values per vector: t = b·w = b·wr + swap(b)·(−wi, wi).
                        var wRe = Vector256.Create(wr);
                        var wIm = Vector256.Create(-wi, wi, -wi, wi);
                        ref double p1 = ref Unsafe.As<Complex, double>(ref r1);
                        ref double p2 = ref Unsafe.As<Complex, double>(ref r2);
                        for (; x0 + 2 <= count; x0 += 2)
                        {
                            Vector256<double> a = Vector256.LoadUnsafe(ref p1, (nuint)(2 * x0));
                            Vector256<double> b = Vector256.LoadUnsafe(ref p2, (nuint)(2 * x0));
                            Vector256<double> swapped = Vector256.Shuffle(b, Vector256.Create(1L, 0L, 3L, 2L));
                            Vector256<double> t = (b * wRe) + (swapped * wIm);
                            (a + t).StoreUnsafe(ref p1, (nuint)(2 * x0));
                            (a - t).StoreUnsafe(ref p2, (nuint)(2 * x0));
                        }
                    }

                    for (int x = x0; x < count; x++)
                    {
                        Complex b = Unsafe.Add(ref r2, x);
                        double br = (b.Real * wr) - (b.Imaginary * wi);
                        double bi = (b.Real * wi) + (b.Imaginary * wr);
                        Complex a = Unsafe.Add(ref r1, x);
                        Unsafe.Add(ref r1, x) = new Complex(a.Real + br, a.Imaginary + bi);
                        Unsafe.Add(ref r2, x) = new Complex(a.Real - br, a.Imaginary - bi);
                    }
                }
            }
        }
    }
}
