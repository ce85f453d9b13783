namespace MLCardiac.Evaluation;

/// <summary>
/// Distances between the surfaces of two binary masks, in mm, as medpy (used by the ACDC and M&amp;Ms
/// evaluation code) defines them: a mask's surface is the mask minus its erosion by the 6-connected cross
/// (voxels at the grid's edge count as surface), and the distance of a surface voxel of one mask is the
/// Euclidean distance to the nearest surface voxel of the other.
/// </summary>
public static class SurfaceDistances
{
    /// <summary>Surface voxels of <paramref name="mask"/> [nz, ny, nx].</summary>
    public static bool[] Surface(ReadOnlySpan<bool> mask, int nx, int ny, int nz)
    {
        var surface = new bool[mask.Length];
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++)
                {
                    int idx = (k * ny + j) * nx + i;
                    if (!mask[idx]) continue;
                    bool interior = i > 0 && i < nx - 1 && j > 0 && j < ny - 1 && k > 0 && k < nz - 1
                        && mask[idx - 1] && mask[idx + 1] && mask[idx - nx] && mask[idx + nx] && mask[idx - nx * ny] && mask[idx + nx * ny];
                    surface[idx] = !interior;
                }
        return surface;
    }

    /// <summary>
    /// Distances (mm) from each surface voxel of <paramref name="from"/> to the nearest surface voxel of
    /// <paramref name="to"/>; empty when <paramref name="from"/> is empty, +∞ entries when <paramref name="to"/> is.
    /// </summary>
    public static double[] Directed(ReadOnlySpan<bool> from, ReadOnlySpan<bool> to, int nx, int ny, int nz, double sx, double sy, double sz)
    {
        bool[] fromSurface = Surface(from, nx, ny, nz);
        double[] d2 = DistanceTransform.SquaredDistances(Surface(to, nx, ny, nz), nx, ny, nz, sx, sy, sz);
        var result = new List<double>();
        for (int i = 0; i < fromSurface.Length; i++)
            if (fromSurface[i]) result.Add(Math.Sqrt(d2[i]));
        return result.ToArray();
    }
}
