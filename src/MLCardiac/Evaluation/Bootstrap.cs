namespace MLCardiac.Evaluation;

/// <summary>
/// Percentile bootstrap confidence intervals of a mean (Efron &amp; Tibshirani 1993), seeded: over independent values, or
/// over clusters (<see cref="ClusteredMeanInterval"/>): when several values come from one subject (its ED and ES frames, every
/// training seed), the subjects are the independent units and are resampled whole (the cluster bootstrap; Davison &amp;
/// Hinkley 1997, §3.8). Resampling the values instead treats correlated values as independent and gives intervals that are too narrow.
/// </summary>
public static class Bootstrap
{
    /// <summary>
    /// The mean of <paramref name="values"/> (NaNs skipped) with its (1 − <paramref name="alpha"/>) percentile
    /// bootstrap interval from <paramref name="resamples"/> resamples; the same seed gives the same interval.
    /// </summary>
    public static (double Mean, double Lower, double Upper) MeanInterval(IReadOnlyList<double> values, int resamples = 2000, double alpha = 0.05, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] v = values.Where(x => !double.IsNaN(x)).ToArray();
        if (v.Length == 0) return (double.NaN, double.NaN, double.NaN);
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "must be ≥ 1");
        var rng = new Random(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < v.Length; i++) sum += v[rng.Next(v.Length)];
            means[r] = sum / v.Length;
        }
        Array.Sort(means);
        return (v.Average(), OverlapMetrics.Percentile(means, 100 * alpha / 2), OverlapMetrics.Percentile(means, 100 * (1 - alpha / 2)));
    }

    /// <summary>
    /// The difference of the means of two independent samples, mean(<paramref name="first"/>) − mean(<paramref name="second"/>)
    /// (NaNs skipped), with its (1 − <paramref name="alpha"/>) percentile bootstrap interval: each resample draws each
    /// sample with replacement on its own. NaN when either sample is empty.
    /// </summary>
    public static (double Mean, double Lower, double Upper) DifferenceInterval(IReadOnlyList<double> first, IReadOnlyList<double> second, int resamples = 2000, double alpha = 0.05, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        double[] a = first.Where(x => !double.IsNaN(x)).ToArray();
        double[] b = second.Where(x => !double.IsNaN(x)).ToArray();
        if (a.Length == 0 || b.Length == 0) return (double.NaN, double.NaN, double.NaN);
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "must be ≥ 1");
        var rng = new Random(seed);
        var differences = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sa = 0, sb = 0;
            for (int i = 0; i < a.Length; i++) sa += a[rng.Next(a.Length)];
            for (int i = 0; i < b.Length; i++) sb += b[rng.Next(b.Length)];
            differences[r] = sa / a.Length - sb / b.Length;
        }
        Array.Sort(differences);
        return (a.Average() - b.Average(), OverlapMetrics.Percentile(differences, 100 * alpha / 2), OverlapMetrics.Percentile(differences, 100 * (1 - alpha / 2)));
    }

    /// <summary>
    /// The mean of <paramref name="values"/> (NaNs skipped) with its (1 − <paramref name="alpha"/>) percentile interval from a
    /// cluster bootstrap: each resample draws as many clusters as there are, with replacement, and takes the mean of all their
    /// values (clusters of more values weigh more, as in the point estimate). <paramref name="clusters"/>[i] names the cluster
    /// (e.g. the subject) of <paramref name="values"/>[i]. NaN when no value is left.
    /// </summary>
    public static (double Mean, double Lower, double Upper) ClusteredMeanInterval(IReadOnlyList<string> clusters, IReadOnlyList<double> values, int resamples = 2000, double alpha = 0.05, int seed = 1)
    {
        var (sums, counts) = Clusters(clusters, values);
        if (sums.Length == 0) return (double.NaN, double.NaN, double.NaN);
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "must be ≥ 1");
        var rng = new Random(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0, count = 0;
            for (int i = 0; i < sums.Length; i++)
            {
                int k = rng.Next(sums.Length);
                sum += sums[k];
                count += counts[k];
            }
            means[r] = sum / count;
        }
        Array.Sort(means);
        return (sums.Sum() / counts.Sum(), OverlapMetrics.Percentile(means, 100 * alpha / 2), OverlapMetrics.Percentile(means, 100 * (1 - alpha / 2)));
    }

    /// <summary>
    /// mean(<paramref name="first"/>) − mean(<paramref name="second"/>) with its percentile interval from a two-sample cluster
    /// bootstrap: each resample draws the clusters of each sample with replacement on its own (the samples' clusters are
    /// disjoint, e.g. subjects of seen and of unseen vendors). NaN when either sample is empty.
    /// </summary>
    public static (double Mean, double Lower, double Upper) ClusteredDifferenceInterval(IReadOnlyList<string> firstClusters, IReadOnlyList<double> first,
        IReadOnlyList<string> secondClusters, IReadOnlyList<double> second, int resamples = 2000, double alpha = 0.05, int seed = 1)
    {
        var (sa, ca) = Clusters(firstClusters, first);
        var (sb, cb) = Clusters(secondClusters, second);
        if (sa.Length == 0 || sb.Length == 0) return (double.NaN, double.NaN, double.NaN);
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "must be ≥ 1");
        var rng = new Random(seed);
        var differences = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double s1 = 0, n1 = 0, s2 = 0, n2 = 0;
            for (int i = 0; i < sa.Length; i++)
            {
                int k = rng.Next(sa.Length);
                s1 += sa[k];
                n1 += ca[k];
            }
            for (int i = 0; i < sb.Length; i++)
            {
                int k = rng.Next(sb.Length);
                s2 += sb[k];
                n2 += cb[k];
            }
            differences[r] = (s1 / n1) - (s2 / n2);
        }
        Array.Sort(differences);
        return ((sa.Sum() / ca.Sum()) - (sb.Sum() / cb.Sum()), OverlapMetrics.Percentile(differences, 100 * alpha / 2), OverlapMetrics.Percentile(differences, 100 * (1 - alpha / 2)));
    }

    /// <summary>Sum and count of the non-NaN values of each cluster, clusters in order of first appearance (empty clusters dropped).</summary>
    private static (double[] Sums, double[] Counts) Clusters(IReadOnlyList<string> clusters, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(values);
        if (clusters.Count != values.Count) throw new ArgumentException($"{clusters.Count} cluster names for {values.Count} values.", nameof(clusters));
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var sums = new List<double>();
        var counts = new List<double>();
        for (int i = 0; i < values.Count; i++)
        {
            if (double.IsNaN(values[i])) continue;
            if (!index.TryGetValue(clusters[i], out int k))
            {
                k = sums.Count;
                index[clusters[i]] = k;
                sums.Add(0);
                counts.Add(0);
            }
            sums[k] += values[i];
            counts[k]++;
        }
        return ([.. sums], [.. counts]);
    }
}
