namespace MLCardiac.Evaluation;

/// <summary>
/// Agreement between predicted and reference values of one clinical index over subjects: Pearson
/// correlation, mean bias (predicted − reference), Bland–Altman 95 % limits of agreement
/// (bias ± 1.96·SD of the differences, Bland &amp; Altman 1986) and mean absolute error.
/// </summary>
public sealed record Agreement(int Count, double Correlation, double Bias, double LowerLimit, double UpperLimit, double MeanAbsoluteError)
{
    /// <summary>Computes the agreement of paired values; pairs with a NaN are skipped.</summary>
    public static Agreement Compute(IReadOnlyList<double> predicted, IReadOnlyList<double> reference)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(reference);
        if (predicted.Count != reference.Count) throw new ArgumentException($"{predicted.Count} predictions for {reference.Count} references.", nameof(predicted));
        var pairs = predicted.Zip(reference).Where(p => !double.IsNaN(p.First) && !double.IsNaN(p.Second)).ToArray();
        int n = pairs.Length;
        if (n == 0) return new Agreement(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double[] diff = pairs.Select(p => p.First - p.Second).ToArray();
        double bias = diff.Average();
        double sd = n > 1 ? Math.Sqrt(diff.Sum(d => (d - bias) * (d - bias)) / (n - 1)) : 0;
        return new Agreement(n, Pearson(pairs), bias, bias - 1.96 * sd, bias + 1.96 * sd, diff.Average(Math.Abs));
    }

    private static double Pearson((double First, double Second)[] pairs)
    {
        if (pairs.Length < 2) return double.NaN;
        double mx = pairs.Average(p => p.First), my = pairs.Average(p => p.Second);
        double sxy = 0, sxx = 0, syy = 0;
        foreach (var (x, y) in pairs)
        {
            sxy += (x - mx) * (y - my);
            sxx += (x - mx) * (x - mx);
            syy += (y - my) * (y - my);
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }
}
