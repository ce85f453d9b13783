using MathNet.Numerics.LinearAlgebra;

namespace MLCardiac.Evaluation;

/// <summary>
/// How far a case's feature vector lies from the training cases' features: the Mahalanobis distance under a
/// shrunk covariance (Lee et al., NeurIPS 2018, on a network's own features; Ledoit &amp; Wolf, J. Multivariate Anal.
/// 2004, for the shrinkage, needed because there are fewer training volumes than features). Features are first
/// standardised per dimension, so the shrinkage target is the identity. The linear algebra is Math.NET Numerics'.
/// </summary>
/// <remarks>
/// The threshold is calibrated on scores of cases the statistics did not include (<see cref="Calibrate"/>): a detector
/// scored on its own fitting cases would look tighter than it is and raise false alarms on every new subject.
/// </remarks>
public sealed class ShiftDetector
{
    private readonly Vector<double> _mean;
    private readonly Vector<double> _scale;
    private readonly Matrix<double> _precision; // inverse of the shrunk correlation matrix

    private ShiftDetector(Vector<double> mean, Vector<double> scale, Matrix<double> precision, double shrinkage, int cases)
    {
        _mean = mean;
        _scale = scale;
        _precision = precision;
        Shrinkage = shrinkage;
        Cases = cases;
    }

    /// <summary>Feature dimensions.</summary>
    public int Dimensions => _mean.Count;
    /// <summary>Weight of the identity in the shrunk correlation matrix (0: sample covariance, 1: identity).</summary>
    public double Shrinkage { get; }
    /// <summary>Training cases the statistics were estimated from.</summary>
    public int Cases { get; }

    /// <summary>Smallest standard deviation a feature is divided by, relative to its mean (features constant in training do not explode the distance).</summary>
    public const double MinScale = 1e-3;

    /// <summary>Smallest shrinkage intensity used.</summary>
    public const double MinShrinkage = 1e-3;

    /// <summary>Estimates the statistics of <paramref name="features"/> (one vector per case, at least two cases, all of one length).</summary>
    public static ShiftDetector Fit(IReadOnlyList<float[]> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count < 2) throw new ArgumentException($"A shift detector needs at least two training cases; got {features.Count}.", nameof(features));
        int d = features[0].Length, n = features.Count;
        if (d == 0 || features.Any(f => f.Length != d)) throw new ArgumentException("Every feature vector must have the same, non-zero length.", nameof(features));
        if (features.Any(f => f.Any(v => !float.IsFinite(v)))) throw new ArgumentException("A feature vector holds NaN or infinity.", nameof(features));
        var x = Matrix<double>.Build.Dense(n, d, (i, j) => features[i][j]);
        Vector<double> mean = x.ColumnSums() / n;
        Vector<double> scale = Vector<double>.Build.Dense(d, j =>
        {
            double sd = Math.Sqrt((x.Column(j) - mean[j]).PointwisePower(2).Sum() / n);
            return Math.Max(sd, MinScale * Math.Max(1, Math.Abs(mean[j])));
        });
        var z = Matrix<double>.Build.Dense(n, d, (i, j) => (x[i, j] - mean[j]) / scale[j]);
        Matrix<double> s = z.TransposeThisAndMultiply(z) / n;
        double mu = s.Trace() / d;
        if (!(mu > 0)) mu = 1;
        // A little identity always: with fewer cases than features the sample covariance is singular, and a Ledoit–Wolf
        // intensity of zero (a few near-identical cases) would leave it so.
        double shrinkage = Math.Max(LedoitWolf(z, s, mu), MinShrinkage);
        Matrix<double> sigma = s * (1 - shrinkage) + Matrix<double>.Build.DenseIdentity(d) * (shrinkage * mu);
        Matrix<double> precision = sigma.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(d));
        return new ShiftDetector(mean, scale, precision, shrinkage, n);
    }

    /// <summary>Mahalanobis distance of <paramref name="feature"/> to the training cases (0 at their mean).</summary>
    public double Score(ReadOnlySpan<float> feature)
    {
        if (feature.Length != Dimensions) throw new ArgumentException($"Expected {Dimensions} features, got {feature.Length}.", nameof(feature));
        var z = Vector<double>.Build.Dense(Dimensions);
        for (int j = 0; j < Dimensions; j++) z[j] = (feature[j] - _mean[j]) / _scale[j];
        double d2 = z * (_precision * z);
        return double.IsFinite(d2) ? Math.Sqrt(Math.Max(0, d2)) : double.PositiveInfinity;
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

    /// <summary>The statistics as plain arrays (mean, scale, precision matrix row-major) for a model file.</summary>
    public (double[] Mean, double[] Scale, double[] Precision) Export() => (_mean.ToArray(), _scale.ToArray(), _precision.ToRowMajorArray());

    /// <summary>A detector from <see cref="Export"/>'s arrays; throws when they do not fit together, are not finite, or the precision matrix is not symmetric.</summary>
    public static ShiftDetector Import(double[] mean, double[] scale, double[] precision, double shrinkage, int cases)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(precision);
        int d = mean.Length;
        if (d == 0 || scale.Length != d || precision.Length != (long)d * d)
            throw new ArgumentException($"shift statistics of inconsistent sizes ({mean.Length} means, {scale.Length} scales, {precision.Length} precision entries).");
        if (mean.Concat(scale).Concat(precision).Any(v => !double.IsFinite(v)) || scale.Any(s => s <= 0))
            throw new ArgumentException("shift statistics hold non-finite values or a non-positive scale.");
        var p = Matrix<double>.Build.DenseOfRowMajor(d, d, precision);
        for (int a = 0; a < d; a++)
        {
            if (p[a, a] <= 0) throw new ArgumentException("shift statistics: a precision matrix with a non-positive diagonal.");
            for (int b = 0; b < a; b++)
                if (Math.Abs(p[a, b] - p[b, a]) > 1e-9 * Math.Max(1, Math.Abs(p[a, b])))
                    throw new ArgumentException("shift statistics: the precision matrix is not symmetric.");
        }
        return new ShiftDetector(Vector<double>.Build.DenseOfArray(mean), Vector<double>.Build.DenseOfArray(scale), p, shrinkage, cases);
    }

    /// <summary>Ledoit–Wolf's shrinkage intensity towards μ·I for standardised rows <paramref name="z"/> with sample covariance <paramref name="s"/>.</summary>
    private static double LedoitWolf(Matrix<double> z, Matrix<double> s, double mu)
    {
        int n = z.RowCount, d = z.ColumnCount;
        double delta2 = (s - Matrix<double>.Build.DenseIdentity(d) * mu).FrobeniusNorm();
        delta2 *= delta2;
        if (delta2 <= 0) return 1;
        // Σ_k ‖z_k z_kᵀ − S‖²_F = Σ_k [(z_kᵀz_k)² − 2 z_kᵀ S z_k + ‖S‖²_F]
        double sNorm2 = Math.Pow(s.FrobeniusNorm(), 2), beta = 0;
        for (int k = 0; k < n; k++)
        {
            Vector<double> row = z.Row(k);
            double norm2 = row * row;
            beta += norm2 * norm2 - 2 * (row * (s * row)) + sNorm2;
        }
        beta /= (double)n * n;
        return Math.Clamp(Math.Min(beta, delta2) / delta2, 0, 1);
    }
}
