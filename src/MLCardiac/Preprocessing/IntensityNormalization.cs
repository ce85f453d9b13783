namespace MLCardiac.Preprocessing;

/// <summary>
/// Per-volume intensity normalisation: clip to the [low, high] percentiles, then z-score with the mean and
/// standard deviation of the clipped intensities (nnU-Net's scheme for MRI, computed per volume because MR
/// intensities have no absolute scale — which is exactly where vendors differ).
/// </summary>
/// <param name="Low">Lower clip value (raw intensity).</param>
/// <param name="High">Upper clip value (raw intensity).</param>
/// <param name="Mean">Mean of the clipped intensities.</param>
/// <param name="Std">Standard deviation of the clipped intensities (≥ a tiny positive floor).</param>
public sealed record IntensityNormalization(double Low, double High, double Mean, double Std)
{
    private const int MaxSamples = 1 << 20;

    /// <summary>Measures the statistics of <paramref name="voxels"/> (a strided sample of at most 2^20 voxels for the percentiles).</summary>
    public static IntensityNormalization Measure(ReadOnlySpan<float> voxels, double lowPercentile, double highPercentile)
    {
        if (voxels.IsEmpty) throw new ArgumentException("No voxels to normalise.", nameof(voxels));
        int stride = Math.Max(1, voxels.Length / MaxSamples);
        var sample = new float[(voxels.Length + stride - 1) / stride];
        for (int i = 0, k = 0; i < voxels.Length; i += stride, k++) sample[k] = voxels[i];
        Array.Sort(sample);
        double low = Percentile(sample, lowPercentile), high = Percentile(sample, highPercentile);
        double sum = 0, sumSq = 0;
        foreach (float v in voxels)
        {
            double c = Math.Clamp(v, low, high);
            sum += c;
            sumSq += c * c;
        }
        double mean = sum / voxels.Length;
        double std = Math.Sqrt(Math.Max(0, sumSq / voxels.Length - mean * mean));
        return new IntensityNormalization(low, high, mean, Math.Max(std, 1e-6));
    }

    /// <summary>Applies clip + z-score in place.</summary>
    public void Apply(Span<float> values)
    {
        float lo = (float)Low, hi = (float)High, mean = (float)Mean, inv = (float)(1 / Std);
        for (int i = 0; i < values.Length; i++) values[i] = (Math.Clamp(values[i], lo, hi) - mean) * inv;
    }

    /// <summary>The normalised value of the lower clip (what padding uses: "darkest tissue").</summary>
    public float Floor => (float)((Low - Mean) / Std);

    private static double Percentile(float[] sorted, double p)
    {
        double pos = p / 100 * (sorted.Length - 1);
        int i = (int)Math.Floor(pos);
        int j = Math.Min(i + 1, sorted.Length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }
}
