
namespace MLCardiac.Evaluation;

/// <summary>
/// Predicts a structure's Dice without ground truth from what the network says about its own segmentation — the mean
/// agreement with its mirror-image predictions and its expected (soft) Dice — by a least-squares line fitted on cases whose
/// true Dice is known, in the spirit of the regression-based quality control of Robinson et al. (JCMR 2019) for UK Biobank.
/// The interval holds the central <see cref="Coverage"/> of the fitting cases' residuals.
/// </summary>
/// <param name="Intercept">Constant term.</param>
/// <param name="AgreementWeight">Weight of the mirror agreement.</param>
/// <param name="SoftDiceWeight">Weight of the soft Dice.</param>
/// <param name="LowerResidual">Residual quantile at (1 − coverage)/2 (negative or zero).</param>
/// <param name="UpperResidual">Residual quantile at (1 + coverage)/2.</param>
/// <param name="Coverage">Share of the fitting cases whose true Dice fell inside their interval.</param>
/// <param name="Cases">Fitting cases.</param>
public sealed record DicePredictor(double Intercept, double AgreementWeight, double SoftDiceWeight, double LowerResidual, double UpperResidual, double Coverage, int Cases)
{
    /// <summary>Ridge penalty on the two weights (the features lie in [0, 1]); keeps a fit on a few near-identical cases tame.</summary>
    public const double Ridge = 1e-3;

    /// <summary>Predicted Dice, clipped to [0, 1].</summary>
    public double Predict(double agreement, double softDice) => Math.Clamp(Intercept + AgreementWeight * agreement + SoftDiceWeight * softDice, 0, 1);

    /// <summary>The interval of <see cref="Predict"/>, clipped to [0, 1].</summary>
    public (double Low, double High) Interval(double agreement, double softDice)
    {
        double p = Intercept + AgreementWeight * agreement + SoftDiceWeight * softDice;
        return (Math.Clamp(p + LowerResidual, 0, 1), Math.Clamp(p + UpperResidual, 0, 1));
    }

    /// <summary>Fits the line to (agreement, soft Dice) → true Dice of at least three cases, with an interval of <paramref name="coverage"/>.</summary>
    public static DicePredictor Fit(IReadOnlyList<(double Agreement, double SoftDice, double TrueDice)> cases, double coverage = 0.8)
    {
        ArgumentNullException.ThrowIfNull(cases);
        if (cases.Count < 3) throw new ArgumentException($"A Dice predictor needs at least three cases with a known Dice; got {cases.Count}.", nameof(cases));
        if (!(coverage is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "must be in (0, 1)");
        if (cases.Any(c => !double.IsFinite(c.Agreement) || !double.IsFinite(c.SoftDice) || !double.IsFinite(c.TrueDice)))
            throw new ArgumentException("Every case needs finite features and a finite true Dice.", nameof(cases));
        // Centred normal equations for the two weights, then the intercept.
        double ma = cases.Average(c => c.Agreement), ms = cases.Average(c => c.SoftDice), my = cases.Average(c => c.TrueDice);
        double saa = Ridge, sss = Ridge, sas = 0, say = 0, ssy = 0;
        foreach (var c in cases)
        {
            double a = c.Agreement - ma, s = c.SoftDice - ms, y = c.TrueDice - my;
            saa += a * a; sss += s * s; sas += a * s; say += a * y; ssy += s * y;
        }
        double det = saa * sss - sas * sas;
        double wa = (say * sss - ssy * sas) / det, ws = (ssy * saa - say * sas) / det;
        double intercept = my - wa * ma - ws * ms;
        double[] residuals = [.. cases.Select(c => c.TrueDice - (intercept + wa * c.Agreement + ws * c.SoftDice)).Order()];
        double lower = Math.Min(0, Quantile(residuals, (1 - coverage) / 2)), upper = Math.Max(0, Quantile(residuals, (1 + coverage) / 2));
        double covered = residuals.Count(r => r >= lower && r <= upper) / (double)residuals.Length;
        return new DicePredictor(intercept, wa, ws, lower, upper, covered, cases.Count);
    }

    private static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
