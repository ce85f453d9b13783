namespace MLCardiac.Evaluation;

/// <summary>Rank statistics for judging scores against outcomes: AUROC and Spearman's correlation (ties get mid-ranks).</summary>
public static class Ranking
{
    /// <summary>
    /// Area under the ROC curve of a score separating <paramref name="positives"/> from
    /// <paramref name="negatives"/> (higher score = positive): the probability that a random positive outscores a random
    /// negative, ties counting half (Mann–Whitney). NaN when either group is empty.
    /// </summary>
    public static double Auroc(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(negatives);
        if (positives.Count == 0 || negatives.Count == 0) return double.NaN;
        double[] ranks = MidRanks([.. positives, .. negatives]);
        double sum = 0;
        for (int i = 0; i < positives.Count; i++) sum += ranks[i];
        double n1 = positives.Count, n0 = negatives.Count;
        return (sum - n1 * (n1 + 1) / 2) / (n1 * n0);
    }

    /// <summary>Spearman's rank correlation of paired values; NaN with fewer than three pairs or a constant side.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} values against {y.Count}.", nameof(y));
        if (x.Count < 3) return double.NaN;
        return Pearson(MidRanks(x), MidRanks(y));
    }

    private static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>1-based ranks, tied values sharing the mean of their ranks.</summary>
    public static double[] MidRanks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int[] order = [.. Enumerable.Range(0, values.Count).OrderBy(i => values[i])];
        var ranks = new double[values.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        return ranks;
    }
}
