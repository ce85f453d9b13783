using System.Numerics;

using MLCardiac.Numerics;

namespace MLCardiac.Data.Synthetic;

/// <summary>
/// The effective resolution of one image axis as a scanner produces it: only the central
/// <c>AcquiredFraction</c> of k-space is measured (the rest is zero-filled, which causes Gibbs ringing
/// at sharp edges), optionally rolled off by a Fermi filter (vendors' reconstruction filters soften the
/// ringing), and multiplied by a Gaussian (extra blur). Applied per row/column, this is a circular
/// convolution with the real, even kernel h = IDFT(window), computed once with <see cref="Numerics.ComplexFft"/>.
/// The convolution is evaluated exactly as a dense circulant matrix, which lets the renderer filter only
/// the part of an image that changed (linearity), see <see cref="AddFilteredPatch"/>.
/// </summary>
public sealed class KSpaceTruncation
{
    private readonly float[] _kernel;
    private readonly float[] _matrix;
    private readonly float[] _transpose;

    /// <summary>Builds the operator of one axis.</summary>
    /// <param name="length">Number of pixels along the axis (the reconstructed matrix size), ≥ 2.</param>
    /// <param name="acquiredFraction">Fraction of the reconstructed k-space extent that was acquired, (0, 1].</param>
    /// <param name="rolloffFraction">Width of the Fermi roll-off as a fraction of the k-space half-width; 0 = hard truncation.</param>
    /// <param name="blurSigmaPixels">Standard deviation of an additional Gaussian blur, in pixels (≥ 0).</param>
    public KSpaceTruncation(int length, double acquiredFraction, double rolloffFraction, double blurSigmaPixels)
        : this(length, acquiredFraction, rolloffFraction, blurSigmaPixels, 1.0, imaginary: false)
    {
    }

    /// <summary>
    /// Builds the real or the imaginary part of the operator of an axis with partial Fourier: only the fraction
    /// <paramref name="partialFourier"/> of the acquired band's full extent is measured (one side cut at
    /// −(2·pf − 1)·cutoff), the rest zero-filled. The window is then not symmetric, so the kernel h = IDFT(W) is complex:
    /// its real part (from the window's even part) is even, its imaginary part (from the odd part) is odd. A real object m
    /// becomes h_re∗m + i·h_im∗m, whose magnitude is the zero-filled partial-Fourier image. With pf = 1 the imaginary part is 0.
    /// </summary>
    /// <param name="length">Number of pixels along the axis, ≥ 2.</param>
    /// <param name="acquiredFraction">Fraction of the reconstructed k-space extent acquired (both sides before partial Fourier), (0, 1].</param>
    /// <param name="rolloffFraction">Fermi roll-off width (fraction of the half-width); 0 = hard truncation.</param>
    /// <param name="blurSigmaPixels">Additional Gaussian blur σ, pixels.</param>
    /// <param name="partialFourier">Partial Fourier fraction, [0.5, 1].</param>
    /// <param name="imaginary">Build the imaginary (odd) part instead of the real (even) part.</param>
    public KSpaceTruncation(int length, double acquiredFraction, double rolloffFraction, double blurSigmaPixels, double partialFourier, bool imaginary)
    {
        if (length < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"length must be at least 2, was {length}.");
        }
        if (!(acquiredFraction > 0 && acquiredFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(acquiredFraction), $"acquiredFraction must be in (0, 1], was {acquiredFraction}.");
        }
        if (!(partialFourier >= 0.5 && partialFourier <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(partialFourier), $"partialFourier must be in [0.5, 1], was {partialFourier}.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(rolloffFraction);
        ArgumentOutOfRangeException.ThrowIfNegative(blurSigmaPixels);
        Length = length;
        double[] window = Window(length, acquiredFraction, rolloffFraction, blurSigmaPixels, partialFourier);
        var spectrum = new Complex[length];
        for (int k = 0; k < length; k++)
        {
            int mirror = (length - k) % length;
            spectrum[k] = imaginary ? 0.5 * (window[k] - window[mirror]) : 0.5 * (window[k] + window[mirror]);
        }
        new ComplexFft(length).Inverse(spectrum);
        _kernel = new float[length];
        for (int d = 0; d < length; d++)
        {
            _kernel[d] = (float)(imaginary ? spectrum[d].Imaginary : spectrum[d].Real);
        }
        _matrix = new float[length * length];
        _transpose = new float[length * length];
        for (int i = 0; i < length; i++)
        {
            for (int j = 0; j < length; j++)
            {
                float v = _kernel[(((i - j) % length) + length) % length];
                _matrix[(i * length) + j] = v;
                _transpose[(j * length) + i] = v;
            }
        }
        IsZero = _kernel.All(v => Math.Abs(v) < 1e-9f);
    }

    /// <summary>True when every kernel value is 0 (the imaginary part of a symmetric window).</summary>
    public bool IsZero { get; }

    /// <summary>This operator times −1 (for the real part of a product of two imaginary parts).</summary>
    internal KSpaceTruncation Negated() => new(this);

    private KSpaceTruncation(KSpaceTruncation source)
    {
        Length = source.Length;
        _kernel = [.. source._kernel.Select(v => -v)];
        _matrix = [.. source._matrix.Select(v => -v)];
        _transpose = [.. source._transpose.Select(v => -v)];
        IsZero = source.IsZero;
    }

    /// <summary>Number of pixels along the axis.</summary>
    public int Length { get; }

    /// <summary>The circular convolution kernel h[d], d = 0..Length−1 (h[d] = h[Length−d]).</summary>
    public ReadOnlySpan<float> Kernel => _kernel;

    /// <summary>
    /// The k-space window W[k] (k in FFT order: 0, 1, …, N/2, …, −1): 1 inside the acquired band,
    /// 0 outside, with the optional Fermi roll-off and Gaussian blur.
    /// </summary>
    public static double[] Window(int length, double acquiredFraction, double rolloffFraction, double blurSigmaPixels) =>
        Window(length, acquiredFraction, rolloffFraction, blurSigmaPixels, 1.0);

    /// <summary>
    /// As <see cref="Window(int, double, double, double)"/> with partial Fourier: frequencies below −(2·pf − 1)·cutoff
    /// (the unacquired side) are 0.
    /// </summary>
    public static double[] Window(int length, double acquiredFraction, double rolloffFraction, double blurSigmaPixels, double partialFourier)
    {
        var w = new double[length];
        double half = length / 2.0;
        double cutoff = acquiredFraction * half;
        double width = rolloffFraction * half;
        double low = -((2 * partialFourier) - 1) * cutoff;
        for (int k = 0; k < length; k++)
        {
            int kf = k <= length / 2 ? k : k - length;
            double a = Math.Abs(kf);
            double value = width > 0 ? 1.0 / (1.0 + Math.Exp((a - cutoff) / width)) : (a <= cutoff ? 1.0 : 0.0);
            if (partialFourier < 1 && kf < low)
            {
                value = 0;
            }
            double nu = kf / (double)length;
            value *= Math.Exp(-2.0 * Math.PI * Math.PI * blurSigmaPixels * blurSigmaPixels * nu * nu);
            w[k] = value;
        }
        return w;
    }

    /// <summary>Filters one line: <paramref name="output"/>[i] = Σ_j h[(i−j) mod N]·<paramref name="input"/>[j].</summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        CheckLength(input.Length, nameof(input));
        CheckLength(output.Length, nameof(output));
        output.Clear();
        for (int j = 0; j < Length; j++)
        {
            if (input[j] != 0)
            {
                Axpy(input[j], Row(j), output);
            }
        }
    }

    /// <summary>
    /// Filters a whole image, rows with <paramref name="x"/> and columns with <paramref name="y"/>:
    /// output = A_y · image · A_xᵀ. Images are row-major [y, x] (x fastest).
    /// </summary>
    /// <param name="x">Operator along x (length = image width).</param>
    /// <param name="y">Operator along y (length = image height).</param>
    /// <param name="image">Input, width·height values.</param>
    /// <param name="output">Result, width·height values (overwritten).</param>
    /// <param name="scratch">Work space of width·height values.</param>
    public static void FilterImage(KSpaceTruncation x, KSpaceTruncation y, ReadOnlySpan<float> image, Span<float> output, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        output.Clear();
        AddFilteredPatch(x, y, image, 0, 0, x.Length, y.Length, output, scratch);
    }

    /// <summary>
    /// Adds the filtered image of a patch to <paramref name="output"/>: output += A_y[:, rows]·patch·A_x[cols, :].
    /// Because the operator is linear, filter(background + change) = filter(background) + filter(change):
    /// only the rectangle where the image changes has to be filtered again.
    /// </summary>
    /// <param name="x">Operator along x.</param>
    /// <param name="y">Operator along y.</param>
    /// <param name="patch">Row-major patch values, <paramref name="patchWidth"/>·<paramref name="patchHeight"/>.</param>
    /// <param name="x0">Column of the patch's first pixel in the image.</param>
    /// <param name="y0">Row of the patch's first pixel in the image.</param>
    /// <param name="patchWidth">Patch width in pixels.</param>
    /// <param name="patchHeight">Patch height in pixels.</param>
    /// <param name="output">Image to add to, row-major x.Length·y.Length.</param>
    /// <param name="scratch">Work space of at least patchHeight·x.Length values.</param>
    public static void AddFilteredPatch(
        KSpaceTruncation x, KSpaceTruncation y, ReadOnlySpan<float> patch, int x0, int y0, int patchWidth, int patchHeight,
        Span<float> output, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        AddFilteredWindow(x, y, patch, patchWidth, x0, y0, patchWidth, patchHeight, output, scratch);
    }

    /// <summary>As the public overload, with the patch's rows <paramref name="patchStride"/> values apart (a window of a larger array).</summary>
    internal static void AddFilteredWindow(
        KSpaceTruncation x, KSpaceTruncation y, ReadOnlySpan<float> patch, int patchStride, int x0, int y0, int patchWidth, int patchHeight,
        Span<float> output, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int w = x.Length;
        int h = y.Length;
        if (x0 < 0 || y0 < 0 || x0 + patchWidth > w || y0 + patchHeight > h || patchStride < patchWidth
            || (patchHeight > 0 && patch.Length < ((patchHeight - 1) * patchStride) + patchWidth))
        {
            throw new ArgumentException($"The patch {patchWidth}×{patchHeight} at ({x0}, {y0}) does not fit the {w}×{h} image.", nameof(patch));
        }
        if (output.Length != w * h || scratch.Length < patchHeight * w)
        {
            throw new ArgumentException("output or scratch has the wrong size.", nameof(output));
        }
        // Rows first: T[rows × w] = patch · A_xᵀ[cols, :] (rows x0…x0+patchWidth−1 of the transpose are contiguous).
        Span<float> t = scratch[..(patchHeight * w)];
        t.Clear();
        DenseKernels.MultiplyAdd(patch, patchStride, x._transpose.AsSpan(x0 * w), w, t, w, patchHeight, patchWidth, w);
        // Then columns: output += A_y[:, rows] · T (A_y[i, y0 + r] is row i, column y0 + r).
        DenseKernels.MultiplyAdd(y._matrix.AsSpan(y0), h, t, w, output, w, h, patchHeight, w);
    }

    private ReadOnlySpan<float> Row(int j) => _transpose.AsSpan(j * Length, Length);

    private void CheckLength(int length, string name)
    {
        if (length != Length)
        {
            throw new ArgumentException($"{name} must hold {Length} values, had {length}.", name);
        }
    }

    /// <summary>y += a·x over equal-length spans, vectorised.</summary>
    internal static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var va = new Vector<float>(a);
            int last = x.Length - Vector<float>.Count;
            for (; i <= last; i += Vector<float>.Count)
            {
                var vy = new Vector<float>(y[i..]);
                var vx = new Vector<float>(x[i..]);
                (vy + (va * vx)).CopyTo(y[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }
}
