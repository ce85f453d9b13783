using System.Numerics.Tensors;

namespace MLCardiac.Augmentation;

/// <summary>
/// A smooth displacement field given by a coarse grid of control-point displacements (in mm) spread evenly
/// over the slice and interpolated with a uniform cubic B-spline, as TorchIO's <c>RandomElasticDeformation</c>
/// does. The field is evaluated at output pixels and added to the affine source position.
/// </summary>
public sealed class ElasticField
{
    private readonly float[] _dx;
    private readonly float[] _dy;

    /// <summary>Creates a field from control-point displacements, each row-major [<paramref name="rows"/>, <paramref name="columns"/>] in mm.</summary>
    /// <exception cref="MLCardiacException">Fewer than 4 control points along an axis, or array sizes that do not match.</exception>
    public ElasticField(int rows, int columns, float[] displacementXMm, float[] displacementYMm)
    {
        ArgumentNullException.ThrowIfNull(displacementXMm);
        ArgumentNullException.ThrowIfNull(displacementYMm);
        if (rows < 4 || columns < 4)
        {
            throw new MLCardiacException($"An elastic field needs at least 4 × 4 control points, got {rows} × {columns}.");
        }

        if (displacementXMm.Length != rows * columns || displacementYMm.Length != rows * columns)
        {
            throw new MLCardiacException($"Elastic displacements must hold {rows} × {columns} values per axis.");
        }

        if (displacementXMm.Any(v => !float.IsFinite(v)) || displacementYMm.Any(v => !float.IsFinite(v)))
        {
            throw new MLCardiacException("Elastic displacements must be finite.");
        }

        Rows = rows;
        Columns = columns;
        _dx = (float[])displacementXMm.Clone();
        _dy = (float[])displacementYMm.Clone();
    }

    /// <summary>Number of control-point rows.</summary>
    public int Rows { get; }

    /// <summary>Number of control-point columns.</summary>
    public int Columns { get; }

    /// <summary>Displacement along x (columns) of each control point in mm, row-major [Rows, Columns].</summary>
    public IReadOnlyList<float> DisplacementXMm => _dx;

    /// <summary>Displacement along y (rows) of each control point in mm, row-major [Rows, Columns].</summary>
    public IReadOnlyList<float> DisplacementYMm => _dy;

    /// <summary>Whether every control point has zero displacement.</summary>
    public bool IsZero
    {
        get
        {
            for (int i = 0; i < DisplacementXMm.Count; i++)
            {
                if (DisplacementXMm[i] != 0 || DisplacementYMm[i] != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Largest control-point displacement magnitude in mm (an upper bound of the field).</summary>
    public double MaxDisplacementMm
    {
        get
        {
            double max = 0;
            for (int i = 0; i < DisplacementXMm.Count; i++)
            {
                max = Math.Max(max, Math.Sqrt((DisplacementXMm[i] * DisplacementXMm[i]) + (DisplacementYMm[i] * DisplacementYMm[i])));
            }

            return max;
        }
    }

    /// <summary>Evaluates the field at every pixel into pixel-unit displacements <paramref name="dx"/>, <paramref name="dy"/> [H, W].</summary>
    internal void Evaluate(Span<float> dx, Span<float> dy, int height, int width, double spacingYMm, double spacingXMm)
    {
        // Dense B-spline weights of each control column along x: row = Σ_c weight_c[x]·column value_c,
        // a few vectorised multiply-adds per row instead of a 4-tap gather per pixel.
        int columns = Columns;
        Span<float> dense = columns * width <= 16384 ? stackalloc float[columns * width] : new float[columns * width];
        dense.Clear();
        Span<float> w4 = stackalloc float[4];
        for (int x = 0; x < width; x++)
        {
            Weights(x, width, columns, out int b, w4);
            for (int k = 0; k < 4; k++)
            {
                int c = Math.Clamp(b + k - 1, 0, columns - 1);
                dense[(c * width) + x] += w4[k];
            }
        }

        Span<float> columnX = stackalloc float[columns];
        Span<float> columnY = stackalloc float[columns];
        Span<float> yWeights = stackalloc float[4];
        float toPxX = (float)(1 / spacingXMm), toPxY = (float)(1 / spacingYMm);
        for (int y = 0; y < height; y++)
        {
            Weights(y, height, Rows, out int yb, yWeights);
            for (int c = 0; c < columns; c++)
            {
                float sx = 0, sy = 0;
                for (int k = 0; k < 4; k++)
                {
                    int r = Math.Clamp(yb + k - 1, 0, Rows - 1);
                    sx += yWeights[k] * _dx[(r * columns) + c];
                    sy += yWeights[k] * _dy[(r * columns) + c];
                }

                columnX[c] = sx * toPxX;
                columnY[c] = sy * toPxY;
            }

            Span<float> rowX = dx.Slice(y * width, width);
            Span<float> rowY = dy.Slice(y * width, width);
            rowX.Clear();
            rowY.Clear();
            for (int c = 0; c < columns; c++)
            {
                ReadOnlySpan<float> weights = dense.Slice(c * width, width);
                if (columnX[c] != 0)
                {
                    TensorPrimitives.MultiplyAdd(weights, columnX[c], rowX, rowX);
                }

                if (columnY[c] != 0)
                {
                    TensorPrimitives.MultiplyAdd(weights, columnY[c], rowY, rowY);
                }
            }
        }
    }

    /// <summary>Uniform cubic B-spline weights of control points base−1..base+2 at pixel <paramref name="p"/> of <paramref name="n"/>.</summary>
    private static void Weights(int p, int n, int points, out int baseIndex, Span<float> w)
    {
        double u = n == 1 ? 0 : (double)p / (n - 1) * (points - 1);
        int i = Math.Min((int)Math.Floor(u), points - 1);
        double f = u - i;
        double f2 = f * f, f3 = f2 * f;
        baseIndex = i;
        w[0] = (float)((1 - (3 * f) + (3 * f2) - f3) / 6);
        w[1] = (float)(((3 * f3) - (6 * f2) + 4) / 6);
        w[2] = (float)(((-3 * f3) + (3 * f2) + (3 * f) + 1) / 6);
        w[3] = (float)(f3 / 6);
    }
}
