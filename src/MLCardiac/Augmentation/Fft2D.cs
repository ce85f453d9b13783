using System.Numerics;

using MLCardiac.Numerics;

namespace MLCardiac.Augmentation;

/// <summary>
/// In-place 2D complex FFT of an [H, W] row-major grid: row transforms, then column transforms through a
/// column scratch buffer. Allocation-free after construction; not thread-safe (one per thread).
/// </summary>
/// <remarks>Same conventions as <see cref="ComplexFft"/>: the inverse is scaled by 1/(H·W).</remarks>
public sealed class Fft2D
{
    private readonly ComplexFft _rows;
    private readonly ComplexFft _columns;
    private readonly Complex[] _column;

    /// <summary>Creates the plans for [<paramref name="height"/>, <paramref name="width"/>] grids.</summary>
    public Fft2D(int height, int width)
    {
        Height = height;
        Width = width;
        _rows = new ComplexFft(width);
        _columns = height == width ? _rows : new ComplexFft(height);
        _column = new Complex[height];
    }

    /// <summary>Number of rows (H).</summary>
    public int Height { get; }

    /// <summary>Number of columns (W).</summary>
    public int Width { get; }

    /// <summary>Forward 2D transform in place.</summary>
    public void Forward(Span<Complex> data) => Transform(data, inverse: false);

    /// <summary>Inverse 2D transform in place, scaled by 1/(H·W).</summary>
    public void Inverse(Span<Complex> data) => Transform(data, inverse: true);

    /// <summary>Copies a real image into a complex grid (imaginary parts 0).</summary>
    public static void FromReal(ReadOnlySpan<float> source, Span<Complex> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = new Complex(source[i], 0);
        }
    }

    /// <summary>Writes the real parts of a complex grid into an image.</summary>
    public static void ToReal(ReadOnlySpan<Complex> source, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)source[i].Real;
        }
    }

    private void Transform(Span<Complex> data, bool inverse)
    {
        if (data.Length != Height * Width)
        {
            throw new ArgumentException($"Expected {Height}×{Width} values, got {data.Length}.", nameof(data));
        }

        for (int y = 0; y < Height; y++)
        {
            Span<Complex> row = data.Slice(y * Width, Width);
            if (inverse)
            {
                _rows.Inverse(row);
            }
            else
            {
                _rows.Forward(row);
            }
        }

        Span<Complex> column = _column;
        for (int x = 0; x < Width; x++)
        {
            for (int y = 0; y < Height; y++)
            {
                column[y] = data[(y * Width) + x];
            }

            if (inverse)
            {
                _columns.Inverse(column);
            }
            else
            {
                _columns.Forward(column);
            }

            for (int y = 0; y < Height; y++)
            {
                data[(y * Width) + x] = column[y];
            }
        }
    }
}
