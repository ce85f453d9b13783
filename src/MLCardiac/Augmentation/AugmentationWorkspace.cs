using System.Numerics;

namespace MLCardiac.Augmentation;

/// <summary>
/// Scratch memory and FFT plans reused across samples, so that augmenting a slice allocates nothing once the
/// buffers have grown to the slice size. Not thread-safe: one per thread (see <see cref="ForCurrentThread"/>).
/// </summary>
public sealed class AugmentationWorkspace
{
    private const int FloatSlots = 8;
    private const int ComplexSlots = 3;

    [ThreadStatic]
    private static AugmentationWorkspace? s_current;

    private readonly float[][] _floats = new float[FloatSlots][];
    private readonly Complex[][] _complex = new Complex[ComplexSlots][];
    private byte[] _bytes = [];
    private RealFft2D? _fft;

    /// <summary>Creates an empty workspace; buffers grow on first use.</summary>
    public AugmentationWorkspace()
    {
        for (int i = 0; i < FloatSlots; i++)
        {
            _floats[i] = [];
        }

        for (int i = 0; i < ComplexSlots; i++)
        {
            _complex[i] = [];
        }
    }

    /// <summary>The workspace owned by the calling thread (created on first use).</summary>
    public static AugmentationWorkspace ForCurrentThread => s_current ??= new AugmentationWorkspace();

    /// <summary>Float scratch <paramref name="slot"/> of at least <paramref name="length"/> values (contents undefined).</summary>
    internal Span<float> Floats(int slot, int length)
    {
        if (_floats[slot].Length < length)
        {
            _floats[slot] = new float[length];
        }

        return _floats[slot].AsSpan(0, length);
    }

    /// <summary>Complex scratch <paramref name="slot"/> of at least <paramref name="length"/> values (contents undefined).</summary>
    internal Span<Complex> Complex(int slot, int length)
    {
        if (_complex[slot].Length < length)
        {
            _complex[slot] = new Complex[length];
        }

        return _complex[slot].AsSpan(0, length);
    }

    /// <summary>Byte scratch of at least <paramref name="length"/> values (contents undefined).</summary>
    internal Span<byte> Bytes(int length)
    {
        if (_bytes.Length < length)
        {
            _bytes = new byte[length];
        }

        return _bytes.AsSpan(0, length);
    }

    /// <summary>A real 2D FFT plan for [<paramref name="height"/>, <paramref name="width"/>] (kept for the next call of the same size).</summary>
    internal RealFft2D RealFft(int height, int width)
    {
        if (_fft is null || _fft.Height != height || _fft.Width != width)
        {
            _fft = new RealFft2D(height, width);
        }

        return _fft;
    }
}
