namespace MLCardiac.Evaluation;

/// <summary>
/// How far a case's feature vector lies from the training cases' features: the Mahalanobis distance under a
/// shrunk covariance (Lee et al., NeurIPS 2018, on a network's own features; Ledoit &amp; Wolf, J. Multivariate Anal.
/// 2004, for the shrinkage, needed because there are fewer training volumes than features). Features are first
/// standardised per dimension, so the shrinkage target is the identity.
/// </summary>
/// <remarks>
/// The threshold is calibrated on scores of cases the statistics did not include (<see cref="Calibrate"/>): a detector
/// scored on its own fitting cases would look tighter than it is and raise false alarms on every new subject.
/// </remarks>
public sealed class ShiftDetector
{
    private readonly double[] _mean;
    private readonly double[] _scale;
    private readonly double[] _cholesky; // lower-triangular L, row-major d×d, Σ = L Lᵀ

    private ShiftDetector(double[] mean, double[] scale, double[] cholesky, double shrinkage, int cases)
    {
        _mean = mean;
        _scale = scale;
        _cholesky = cholesky;
        Shrinkage = shrinkage;
        Cases = cases;
    }

    /// <summary>Feature dimensions.</summary>
    public int Dimensions => _mean.Length;
    /// <summary>Weight of the identity in the shrunk correlation matrix (0: sample covariance, 1: identity).</summary>
    public double Shrinkage { get; }
    /// <summary>Training cases the statistics were estimated from.</summary>
    public int Cases { get; }

    /// <summary>Smallest standard deviation a feature is divided by (features constant in training do not explode the distance).</summary>
    public const double MinScale = 1e-3;

    /// <summary>Estimates the statistics of <paramref name="features"/> (one vector per case, at least two cases, all of one length).</summary>
    public static ShiftDetector Fit(IReadOnlyList<float[]> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count < 2) throw new ArgumentException($"A shift detector needs at least two training cases; got {features.Count}.", nameof(features));
        int d = features[0].Length, n = features.Count;
        if (d == 0 || features.Any(f => f.Length != d)) throw new ArgumentException("Every feature vector must have the same, non-zero length.", nameof(features));
        var mean = new double[d];
        var scale = new double[d];
        foreach (var f in features)
            for (int j = 0; j < d; j++) mean[j] += f[j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        foreach (var f in features)
            for (int j = 0; j < d; j++) scale[j] += (f[j] - mean[j]) * (f[j] - mean[j]);
        for (int j = 0; j < d; j++) scale[j] = Math.Max(Math.Sqrt(scale[j] / n), MinScale * Math.Max(1, Math.Abs(mean[j])));

        var z = new double[n][];
        for (int i = 0; i < n; i++)
        {
            z[i] = new double[d];
            for (int j = 0; j < d; j++) z[i][j] = (features[i][j] - mean[j]) / scale[j];
        }
        var s = new double[d * d];
        foreach (var row in z)
            for (int a = 0; a < d; a++)
            {
                double ra = row[a];
                if (ra == 0) continue;
                for (int b = 0; b <= a; b++) s[a * d + b] += ra * row[b];
            }
        for (int a = 0; a < d; a++)
            for (int b = 0; b <= a; b++)
            {
                s[a * d + b] /= n;
                s[b * d + a] = s[a * d + b];
            }
        double shrinkage = LedoitWolf(z, s, d);
        double mu = 0;
        for (int a = 0; a < d; a++) mu += s[a * d + a];
        mu /= d;
        var sigma = new double[d * d];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) sigma[a * d + b] = (1 - shrinkage) * s[a * d + b] + (a == b ? shrinkage * mu : 0);
        return new ShiftDetector(mean, scale, Cholesky(sigma, d), shrinkage, n);
    }

    /// <summary>Mahalanobis distance of <paramref name="feature"/> to the training cases (0 at their mean).</summary>
    public double Score(ReadOnlySpan<float> feature)
    {
        int d = Dimensions;
        if (feature.Length != d) throw new ArgumentException($"Expected {d} features, got {feature.Length}.", nameof(feature));
        // Solve L y = z; the squared distance is |y|².
        var y = new double[d];
        double sum = 0;
        for (int a = 0; a < d; a++)
        {
            double v = (feature[a] - _mean[a]) / _scale[a];
            int row = a * d;
            for (int b = 0; b < a; b++) v -= _cholesky[row + b] * y[b];
            y[a] = v / _cholesky[row + a];
            sum += y[a] * y[a];
        }
        return double.IsFinite(sum) ? Math.Sqrt(sum) : double.PositiveInfinity;
    }

    /// <summary>
    /// The threshold above which at most <paramref name="falseAlarmRate"/> of <paramref name="heldOutScores"/> (scores of
    /// in-distribution cases the detector was not fitted on) lie: their ⌈(1 − rate)·n⌉-th smallest score.
    /// </summary>
    public static double Calibrate(IReadOnlyCollection<double> heldOutScores, double falseAlarmRate)
    {
        ArgumentNullException.ThrowIfNull(heldOutScores);
        if (heldOutScores.Count == 0) throw new ArgumentException("Calibration needs at least one held-out score.", nameof(heldOutScores));
        if (!(falseAlarmRate is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(falseAlarmRate), falseAlarmRate, "must be in (0, 1)");
        double[] sorted = [.. heldOutScores.Order()];
        int k = (int)Math.Ceiling((1 - falseAlarmRate) * sorted.Length) - 1;
        return sorted[Math.Clamp(k, 0, sorted.Length - 1)];
    }

    /// <summary>The statistics as plain arrays (mean, scale, Cholesky factor row-major) for a model file.</summary>
    public (double[] Mean, double[] Scale, double[] Cholesky) Export() => ((double[])_mean.Clone(), (double[])_scale.Clone(), (double[])_cholesky.Clone());

    /// <summary>A detector from <see cref="Export"/>'s arrays; throws when they do not fit together or are not finite.</summary>
    public static ShiftDetector Import(double[] mean, double[] scale, double[] cholesky, double shrinkage, int cases)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(cholesky);
        int d = mean.Length;
        if (d == 0 || scale.Length != d || cholesky.Length != (long)d * d)
            throw new ArgumentException($"shift statistics of inconsistent sizes ({mean.Length} means, {scale.Length} scales, {cholesky.Length} factor entries).");
        if (mean.Concat(scale).Concat(cholesky).Any(v => !double.IsFinite(v)) || scale.Any(s => s <= 0) || Enumerable.Range(0, d).Any(a => cholesky[a * d + a] <= 0))
            throw new ArgumentException("shift statistics hold non-finite values or a non-positive scale or pivot.");
        return new ShiftDetector(mean, scale, cholesky, shrinkage, cases);
    }

    /// <summary>Ledoit–Wolf's shrinkage intensity towards μ·I for standardised rows <paramref name="z"/> with sample covariance <paramref name="s"/>.</summary>
    private static double LedoitWolf(double[][] z, double[] s, int d)
    {
        int n = z.Length;
        double mu = 0;
        for (int a = 0; a < d; a++) mu += s[a * d + a];
        mu /= d;
        double sNorm2 = 0, delta2 = 0;
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
            {
                double v = s[a * d + b];
                sNorm2 += v * v;
                double t = v - (a == b ? mu : 0);
                delta2 += t * t;
            }
        // Σ_k ‖z_k z_kᵀ − S‖²_F = Σ_k [(z_kᵀz_k)² − 2 z_kᵀ S z_k] + n ‖S‖²_F
        double beta = 0;
        foreach (var row in z)
        {
            double norm2 = 0;
            for (int a = 0; a < d; a++) norm2 += row[a] * row[a];
            double quad = 0;
            for (int a = 0; a < d; a++)
            {
                double acc = 0;
                int r = a * d;
                for (int b = 0; b < d; b++) acc += s[r + b] * row[b];
                quad += row[a] * acc;
            }
            beta += norm2 * norm2 - 2 * quad + sNorm2;
        }
        beta /= (double)n * n;
        if (delta2 <= 0) return 1;
        return Math.Clamp(Math.Min(beta, delta2) / delta2, 0, 1);
    }

    private static double[] Cholesky(double[] a, int d)
    {
        var l = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i * d + j];
                for (int k = 0; k < j; k++) sum -= l[i * d + k] * l[j * d + k];
                if (i == j)
                {
                    // The shrunk matrix is positive definite unless every feature was constant; a floor keeps it solvable.
                    l[i * d + i] = Math.Sqrt(Math.Max(sum, 1e-9));
                }
                else l[i * d + j] = sum / l[j * d + j];
            }
        }
        return l;
    }
}
