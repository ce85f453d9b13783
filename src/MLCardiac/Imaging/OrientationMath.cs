namespace MLCardiac.Imaging;

/// <summary>
/// Orientation helpers that follow nibabel (nibabel.orientations, nibabel.quaternions) so that axis codes,
/// canonical reorientation and qform quaternions agree with it.
/// </summary>
internal static class OrientationMath
{
    /// <summary>For each voxel axis: the world axis (0 = R/L, 1 = A/P, 2 = S/I) it runs along and its direction (+1 / -1); -1 axis when undetermined.</summary>
    internal readonly record struct AxisMap(int WorldAxis, int Sign);

    /// <summary>nibabel's <c>io_orientation</c>: closest shear-free rotation of the 3×3 part, then a greedy axis assignment.</summary>
    public static AxisMap[] IoOrientation(Affine affine)
    {
        var rs = new double[3, 3];
        for (int c = 0; c < 3; c++)
        {
            double zoom = affine.ColumnNorm(c);
            if (zoom == 0)
            {
                zoom = 1;
            }

            for (int r = 0; r < 3; r++)
            {
                rs[r, c] = affine[r, c] / zoom;
            }
        }

        double[,] rot = ClosestOrthogonal(rs);
        var result = new AxisMap[3];
        for (int inAxis = 0; inAxis < 3; inAxis++)
        {
            int outAxis = -1;
            double best = 0;
            bool allZero = true;
            for (int r = 0; r < 3; r++)
            {
                double a = Math.Abs(rot[r, inAxis]);
                if (a > 1e-8)
                {
                    allZero = false;
                }

                if (a > best)
                {
                    best = a;
                    outAxis = r;
                }
            }

            if (allZero || outAxis < 0)
            {
                result[inAxis] = new AxisMap(-1, 1);
                continue;
            }

            result[inAxis] = new AxisMap(outAxis, rot[outAxis, inAxis] < 0 ? -1 : 1);
            for (int c = 0; c < 3; c++)
            {
                rot[outAxis, c] = 0;
            }
        }

        // Undetermined axes (degenerate affine) take the world axes left over, in order, pointing positive.
        for (int inAxis = 0; inAxis < 3; inAxis++)
        {
            if (result[inAxis].WorldAxis >= 0)
            {
                continue;
            }

            for (int w = 0; w < 3; w++)
            {
                if (Array.TrueForAll(result, m => m.WorldAxis != w))
                {
                    result[inAxis] = new AxisMap(w, 1);
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>nibabel's <c>ornt2axcodes</c> with the default labels (("L","R"), ("P","A"), ("I","S")).</summary>
    public static string AxisCodes(AxisMap[] map)
    {
        ReadOnlySpan<char> negative = ['L', 'P', 'I'];
        ReadOnlySpan<char> positive = ['R', 'A', 'S'];
        Span<char> codes = stackalloc char[map.Length];
        for (int i = 0; i < map.Length; i++)
        {
            codes[i] = map[i].Sign > 0 ? positive[map[i].WorldAxis] : negative[map[i].WorldAxis];
        }

        return new string(codes);
    }

    /// <summary>
    /// The orthogonal polar factor of <paramref name="m"/> (the closest orthogonal matrix, the same as U·Vᵀ from an SVD),
    /// by Newton's iteration X ← (X + X⁻ᵀ)/2; a singular matrix is returned unchanged.
    /// </summary>
    public static double[,] ClosestOrthogonal(double[,] m)
    {
        var x = (double[,])m.Clone();
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double det = Determinant(x);
            if (Math.Abs(det) < 1e-12)
            {
                return (double[,])m.Clone();
            }

            // Inverse transpose = cofactor matrix / det.
            var next = new double[3, 3];
            double change = 0;
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++)
                {
                    int r1 = (r + 1) % 3, r2 = (r + 2) % 3, c1 = (c + 1) % 3, c2 = (c + 2) % 3;
                    double cofactor = (x[r1, c1] * x[r2, c2]) - (x[r1, c2] * x[r2, c1]);
                    next[r, c] = 0.5 * (x[r, c] + (cofactor / det));
                    change = Math.Max(change, Math.Abs(next[r, c] - x[r, c]));
                }
            }

            x = next;
            if (change < 1e-15)
            {
                break;
            }
        }

        return x;
    }

    /// <summary>Determinant of a 3×3 matrix.</summary>
    public static double Determinant(double[,] m) =>
        (m[0, 0] * ((m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1])))
        - (m[0, 1] * ((m[1, 0] * m[2, 2]) - (m[1, 2] * m[2, 0])))
        + (m[0, 2] * ((m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0])));

    /// <summary>nibabel's <c>quat2mat</c>: rotation matrix of the quaternion (w, x, y, z), normalised; identity when it is ~0.</summary>
    public static double[,] QuaternionToMatrix(double w, double x, double y, double z)
    {
        double nq = (w * w) + (x * x) + (y * y) + (z * z);
        if (nq < double.Epsilon * 4)
        {
            return new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        }

        double s = 2.0 / nq;
        double xs = x * s, ys = y * s, zs = z * s;
        double wx = w * xs, wy = w * ys, wz = w * zs;
        double xx = x * xs, xy = x * ys, xz = x * zs;
        double yy = y * ys, yz = y * zs, zz = z * zs;
        return new double[,]
        {
            { 1.0 - (yy + zz), xy - wz, xz + wy },
            { xy + wz, 1.0 - (xx + zz), yz - wx },
            { xz - wy, yz + wx, 1.0 - (xx + yy) },
        };
    }

    /// <summary>Quaternion (w ≥ 0, x, y, z) of a proper rotation matrix (Shepperd's method).</summary>
    public static (double W, double X, double Y, double Z) MatrixToQuaternion(double[,] r)
    {
        double trace = r[0, 0] + r[1, 1] + r[2, 2];
        double w, x, y, z;
        if (trace > 0)
        {
            double s = Math.Sqrt(trace + 1.0) * 2;
            w = 0.25 * s;
            x = (r[2, 1] - r[1, 2]) / s;
            y = (r[0, 2] - r[2, 0]) / s;
            z = (r[1, 0] - r[0, 1]) / s;
        }
        else if (r[0, 0] > r[1, 1] && r[0, 0] > r[2, 2])
        {
            double s = Math.Sqrt(1.0 + r[0, 0] - r[1, 1] - r[2, 2]) * 2;
            w = (r[2, 1] - r[1, 2]) / s;
            x = 0.25 * s;
            y = (r[0, 1] + r[1, 0]) / s;
            z = (r[0, 2] + r[2, 0]) / s;
        }
        else if (r[1, 1] > r[2, 2])
        {
            double s = Math.Sqrt(1.0 + r[1, 1] - r[0, 0] - r[2, 2]) * 2;
            w = (r[0, 2] - r[2, 0]) / s;
            x = (r[0, 1] + r[1, 0]) / s;
            y = 0.25 * s;
            z = (r[1, 2] + r[2, 1]) / s;
        }
        else
        {
            double s = Math.Sqrt(1.0 + r[2, 2] - r[0, 0] - r[1, 1]) * 2;
            w = (r[1, 0] - r[0, 1]) / s;
            x = (r[0, 2] + r[2, 0]) / s;
            y = (r[1, 2] + r[2, 1]) / s;
            z = 0.25 * s;
        }

        return w < 0 ? (-w, -x, -y, -z) : (w, x, y, z);
    }
}
