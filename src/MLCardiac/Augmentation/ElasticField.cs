namespace MLCardiac.Augmentation;

/// <summary>
/// A smooth displacement field given by a coarse grid of control-point displacements (in mm) spread evenly
/// over the slice and interpolated with a uniform cubic B-spline, as TorchIO's <c>RandomElasticDeformation</c>
/// does. The field is evaluated at output pixels and added to the affine source position.
/// </summary>
public sealed class ElasticField
{
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

        Rows = rows;
        Columns = columns;
        DisplacementXMm = displacementXMm;
        DisplacementYMm = displacementYMm;
    }

    /// <summary>Number of control-point rows.</summary>
    public int Rows { get; }

    /// <summary>Number of control-point columns.</summary>
    public int Columns { get; }

    /// <summary>Displacement along x (columns) of each control point in mm, row-major [Rows, Columns].</summary>
    public IReadOnlyList<float> DisplacementXMm { get; }

    /// <summary>Displacement along y (rows) of each control point in mm, row-major [Rows, Columns].</summary>
    public IReadOnlyList<float> DisplacementYMm { get; }

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
        Span<float> columnX = stackalloc float[Columns];
        Span<float> columnY = stackalloc float[Columns];
        Span<int> xBase = width <= 1024 ? stackalloc int[width] : new int[width];
        Span<float> xWeights = width <= 1024 ? stackalloc float[width * 4] : new float[width * 4];
        for (int x = 0; x < width; x++)
        {
            Weights(x, width, Columns, out xBase[x], xWeights.Slice(x * 4, 4));
        }

        Span<float> yWeights = stackalloc float[4];
        float toPxX = (float)(1 / spacingXMm), toPxY = (float)(1 / spacingYMm);
        for (int y = 0; y < height; y++)
        {
            Weights(y, height, Rows, out int yb, yWeights);
            for (int c = 0; c < Columns; c++)
            {
                float sx = 0, sy = 0;
                for (int k = 0; k < 4; k++)
                {
                    int r = Math.Clamp(yb + k - 1, 0, Rows - 1);
                    sx += yWeights[k] * DisplacementXMm[(r * Columns) + c];
                    sy += yWeights[k] * DisplacementYMm[(r * Columns) + c];
                }

                columnX[c] = sx * toPxX;
                columnY[c] = sy * toPxY;
            }

            Span<float> rowX = dx.Slice(y * width, width);
            Span<float> rowY = dy.Slice(y * width, width);
            for (int x = 0; x < width; x++)
            {
                int b = xBase[x];
                ReadOnlySpan<float> w = xWeights.Slice(x * 4, 4);
                int c0 = Math.Max(b - 1, 0), c1 = b, c2 = Math.Min(b + 1, Columns - 1), c3 = Math.Min(b + 2, Columns - 1);
                rowX[x] = (w[0] * columnX[c0]) + (w[1] * columnX[c1]) + (w[2] * columnX[c2]) + (w[3] * columnX[c3]);
                rowY[x] = (w[0] * columnY[c0]) + (w[1] * columnY[c1]) + (w[2] * columnY[c2]) + (w[3] * columnY[c3]);
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
