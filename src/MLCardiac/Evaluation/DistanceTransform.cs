namespace MLCardiac.Evaluation;

/// <summary>
/// Exact Euclidean distance transform of a 3D grid with anisotropic spacing (Felzenszwalb &amp; Huttenlocher,
/// "Distance Transforms of Sampled Functions", Theory of Computing 2012): separable passes of the lower
/// envelope of parabolas along x, y and z, in O(voxels). The same quantity as scipy's
/// <c>ndimage.distance_transform_edt(~features, sampling=spacing)</c>.
/// </summary>
public static class DistanceTransform
{
    /// <summary>
    /// For every voxel of a grid [nz, ny, nx] (x fastest), the squared distance in mm² to the nearest voxel
    /// where <paramref name="features"/> is true; +∞ everywhere when there is no feature voxel.
    /// </summary>
    public static double[] SquaredDistances(ReadOnlySpan<bool> features, int nx, int ny, int nz, double sx, double sy, double sz)
    {
        if (features.Length != (long)nx * ny * nz) throw new ArgumentException($"Expected {nx}×{ny}×{nz} voxels, got {features.Length}.", nameof(features));
        var d = new double[features.Length];
        for (int i = 0; i < d.Length; i++) d[i] = features[i] ? 0 : double.PositiveInfinity;
        int max = Math.Max(nx, Math.Max(ny, nz));
        var f = new double[max];
        var output = new double[max];
        var v = new int[max];
        var z = new double[max + 1];
        // x lines
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
                Line(d, (k * ny + j) * nx, 1, nx, sx, f, output, v, z);
        // y lines
        for (int k = 0; k < nz; k++)
            for (int i = 0; i < nx; i++)
                Line(d, k * ny * nx + i, nx, ny, sy, f, output, v, z);
        // z lines
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                Line(d, j * nx + i, nx * ny, nz, sz, f, output, v, z);
        return d;
    }

    /// <summary>One 1D pass: out[q] = min_p (f[p] + (spacing·(q − p))²).</summary>
    private static void Line(double[] d, int start, int stride, int n, double spacing, double[] f, double[] output, int[] v, double[] z)
    {
        for (int q = 0; q < n; q++) f[q] = d[start + q * stride];
        double s2 = spacing * spacing;
        int k = -1;
        for (int q = 0; q < n; q++)
        {
            if (double.IsPositiveInfinity(f[q])) continue;
            double s = double.NegativeInfinity;
            while (k >= 0)
            {
                int p = v[k];
                s = ((f[q] + s2 * q * q) - (f[p] + s2 * p * p)) / (2 * s2 * (q - p));
                if (s <= z[k]) k--;
                else break;
            }
            k++;
            v[k] = q;
            z[k] = k == 0 ? double.NegativeInfinity : s;
            z[k + 1] = double.PositiveInfinity;
        }
        if (k < 0) return; // no finite value on this line: it stays +∞
        int m = 0;
        for (int q = 0; q < n; q++)
        {
            while (z[m + 1] < q) m++;
            double dq = spacing * (q - v[m]);
            output[q] = f[v[m]] + dq * dq;
        }
        for (int q = 0; q < n; q++) d[start + q * stride] = output[q];
    }
}
