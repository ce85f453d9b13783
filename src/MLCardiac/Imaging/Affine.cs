using System.Globalization;
using System.Text;

namespace MLCardiac.Imaging;

/// <summary>
/// An immutable 4×4 homogeneous transform in double precision, stored row-major. In a <see cref="Volume"/> it maps
/// voxel indices (x, y, z, 1) to world coordinates in millimetres, RAS+ as NIfTI defines them
/// (+x Right, +y Anterior, +z Superior).
/// </summary>
public sealed class Affine
{
    private readonly double[] _m;

    /// <summary>Creates an affine from its 16 entries in row-major order.</summary>
    /// <param name="rowMajor">Exactly 16 finite values; the last row is usually (0, 0, 0, 1).</param>
    public Affine(ReadOnlySpan<double> rowMajor)
    {
        if (rowMajor.Length != 16)
        {
            throw new ArgumentException($"An affine needs 16 values (4×4, row-major), got {rowMajor.Length}.", nameof(rowMajor));
        }

        foreach (double v in rowMajor)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("Affine entries must be finite.", nameof(rowMajor));
            }
        }

        _m = rowMajor.ToArray();
    }

    private Affine(double[] owned) => _m = owned;

    /// <summary>The identity transform (voxel index = world mm).</summary>
    public static Affine Identity { get; } = new([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

    /// <summary>Entry at <paramref name="row"/>, <paramref name="column"/> (both 0..3).</summary>
    public double this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)row, 3u, nameof(row));
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)column, 3u, nameof(column));
            return _m[(row * 4) + column];
        }
    }

    /// <summary>Axis-aligned scaling by <paramref name="spacingMm"/> with an optional translation (origin of voxel 0,0,0 in mm).</summary>
    public static Affine FromSpacing(Spacing spacingMm, double originXMm = 0, double originYMm = 0, double originZMm = 0) =>
        new([spacingMm.X, 0, 0, originXMm, 0, spacingMm.Y, 0, originYMm, 0, 0, spacingMm.Z, originZMm, 0, 0, 0, 1]);

    /// <summary>The 16 entries in row-major order (a copy).</summary>
    public double[] ToArray() => (double[])_m.Clone();

    /// <summary>Returns <c>this × <paramref name="other"/></c> (apply <paramref name="other"/> first).</summary>
    public Affine Multiply(Affine other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var r = new double[16];
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                double s = 0;
                for (int k = 0; k < 4; k++)
                {
                    s += _m[(i * 4) + k] * other._m[(k * 4) + j];
                }

                r[(i * 4) + j] = s;
            }
        }

        return new Affine(r);
    }

    /// <summary>Maps the point (<paramref name="x"/>, <paramref name="y"/>, <paramref name="z"/>) (e.g. voxel indices) to world coordinates.</summary>
    public (double X, double Y, double Z) Apply(double x, double y, double z) =>
        ((_m[0] * x) + (_m[1] * y) + (_m[2] * z) + _m[3],
         (_m[4] * x) + (_m[5] * y) + (_m[6] * z) + _m[7],
         (_m[8] * x) + (_m[9] * y) + (_m[10] * z) + _m[11]);

    /// <summary>Length of column <paramref name="column"/> (0..2) of the 3×3 part: the voxel size along that axis, in world units.</summary>
    public double ColumnNorm(int column)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)column, 2u, nameof(column));
        return Math.Sqrt((_m[column] * _m[column]) + (_m[4 + column] * _m[4 + column]) + (_m[8 + column] * _m[8 + column]));
    }

    /// <summary>Axis codes of the voxel axes, such as "RAS" or "LPS", the way nibabel's <c>aff2axcodes</c> names them.</summary>
    public string AxisCodes() => OrientationMath.AxisCodes(OrientationMath.IoOrientation(this));

    /// <summary>True when every entry differs from <paramref name="other"/>'s by at most <paramref name="tolerance"/>.</summary>
    public bool ApproximatelyEquals(Affine other, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < 16; i++)
        {
            if (!(Math.Abs(_m[i] - other._m[i]) <= tolerance))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Four rows of four numbers, one row per line.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 4; i++)
        {
            sb.AppendFormat(CultureInfo.InvariantCulture, "[{0,10:0.####} {1,10:0.####} {2,10:0.####} {3,10:0.####}]", _m[i * 4], _m[(i * 4) + 1], _m[(i * 4) + 2], _m[(i * 4) + 3]);
            if (i < 3)
            {
                sb.AppendLine();
            }
        }

        return sb.ToString();
    }

    /// <summary>Wraps an array without copying (the caller gives up ownership).</summary>
    internal static Affine FromOwnedArray(double[] rowMajor) => new(rowMajor);
}
