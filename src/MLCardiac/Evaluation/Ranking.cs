using MathNet.Numerics.Statistics;

namespace MLCardiac.Evaluation;

/// <summary>Rank statistics for judging scores against outcomes: AUROC and Spearman's correlation (ties get mid-ranks; Math.NET Numerics' ranks and correlation).</summary>
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
        if (x.Count < 3 || x.Distinct().Count() < 2 || y.Distinct().Count() < 2) return double.NaN;
        return Correlation.Spearman(x, y);
    }

    /// <summary>1-based ranks, tied values sharing the mean of their ranks.</summary>
    public static double[] MidRanks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Count == 0 ? [] : ArrayStatistics.RanksInplace(values.ToArray(), RankDefinition.Average);
    }
}
