namespace MLCardiac.Imaging;

/// <summary>Minimum, maximum and mean of the finite voxel values of an image, and how many voxels were not finite.</summary>
/// <param name="Min">Smallest finite value (NaN when there is none).</param>
/// <param name="Max">Largest finite value (NaN when there is none).</param>
/// <param name="Mean">Mean of the finite values (NaN when there is none).</param>
/// <param name="NonFiniteCount">Voxels that are NaN or ±∞ (left out of the other three).</param>
public readonly record struct IntensityStatistics(double Min, double Max, double Mean, long NonFiniteCount)
{
    /// <summary>Computes the statistics of <paramref name="voxels"/> in one pass (sums in double).</summary>
    public static IntensityStatistics Compute(ReadOnlySpan<float> voxels)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        double sum = 0;
        long finite = 0;
        foreach (float v in voxels)
        {
            if (!float.IsFinite(v))
            {
                continue;
            }

            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            finite++;
        }

        return finite == 0
            ? new IntensityStatistics(double.NaN, double.NaN, double.NaN, voxels.Length)
            : new IntensityStatistics(min, max, sum / finite, voxels.Length - finite);
    }
}
