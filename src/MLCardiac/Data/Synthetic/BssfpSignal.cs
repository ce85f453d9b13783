namespace MLCardiac.Data.Synthetic;

/// <summary>
/// The balanced steady-state free precession (bSSFP, "TrueFISP", "balanced FFE", "FIESTA") signal, computed from the Bloch
/// equations rather than a closed formula: RF pulses of flip α with alternating phase (±α, the clinical default, which puts
/// the on-resonance spins at the passband's centre), free precession by the off-resonance phase θ = 2π·Δf·TR per repetition,
/// and T1/T2 relaxation. The steady state M⁺ just after the pulse solves (I − R·P·E)·M⁺ = R·b (3×3, Cramer), the magnitude at
/// the echo is |M⁺xy|·e^(−TE/T2)·e^(−TE/T2*)·PD. The signal nulls where θ = ±π (dark bands; Scheffler &amp; Lehnhardt,
/// Eur Radiol 13:2409, 2003). <see cref="InflowAverage"/> follows spins that enter the slice fresh (Mz = M0): their mean
/// signal over a residence of n pulses is higher than the steady state, which is the inflow enhancement of cine bSSFP.
/// </summary>
public static class BssfpSignal
{
    /// <summary>Steady-state magnitude at the echo, relative to M0·PD = 1.</summary>
    /// <param name="tissue">Relaxation times and proton density.</param>
    /// <param name="repetitionTimeMs">TR, ms.</param>
    /// <param name="echoTimeMs">TE, ms (≈ TR/2 for bSSFP).</param>
    /// <param name="flipAngleRad">Flip angle α, radians.</param>
    /// <param name="offResonancePhaseRad">θ = 2π·Δf·TR, radians; 0 on resonance.</param>
    public static double SteadyState(TissueRelaxation tissue, double repetitionTimeMs, double echoTimeMs, double flipAngleRad, double offResonancePhaseRad = 0)
    {
        ArgumentNullException.ThrowIfNull(tissue);
        var (m, _) = Propagators(tissue, repetitionTimeMs, flipAngleRad, offResonancePhaseRad);
        return Magnitude(m, tissue, echoTimeMs);
    }

    /// <summary>
    /// Mean echo magnitude of spins that enter the slice with full longitudinal magnetisation and see the first
    /// <paramref name="pulses"/> pulses (an ensemble entering uniformly in time averages over its residence), relative to
    /// M0·PD = 1. For many pulses it tends to <see cref="SteadyState"/>.
    /// </summary>
    public static double InflowAverage(TissueRelaxation tissue, double repetitionTimeMs, double echoTimeMs, double flipAngleRad, double offResonancePhaseRad, int pulses)
    {
        ArgumentNullException.ThrowIfNull(tissue);
        ArgumentOutOfRangeException.ThrowIfLessThan(pulses, 1);
        double[] curve = InflowCurve(tissue, repetitionTimeMs, echoTimeMs, flipAngleRad, offResonancePhaseRad, pulses);
        return curve[pulses - 1];
    }

    /// <summary>
    /// Cumulative means of the echo magnitude of fresh spins: element n−1 is the mean over the first n pulses, n = 1…<paramref name="pulses"/>.
    /// </summary>
    public static double[] InflowCurve(TissueRelaxation tissue, double repetitionTimeMs, double echoTimeMs, double flipAngleRad, double offResonancePhaseRad, int pulses)
    {
        ArgumentNullException.ThrowIfNull(tissue);
        double e1 = Math.Exp(-repetitionTimeMs / tissue.T1Ms), e2 = Math.Exp(-repetitionTimeMs / tissue.T2Ms);
        double ca = Math.Cos(flipAngleRad), sa = Math.Sin(flipAngleRad);
        double phase = offResonancePhaseRad + Math.PI; // alternating ±α = constant phase with θ + π
        double cp = Math.Cos(phase), sp = Math.Sin(phase);
        double mx = 0, my = 0, mz = 1;
        var mean = new double[pulses];
        double sum = 0;
        for (int n = 0; n < pulses; n++)
        {
            // RF about x.
            double ny = (my * ca) + (mz * sa), nz = (-my * sa) + (mz * ca);
            my = ny;
            mz = nz;
            sum += Math.Sqrt((mx * mx) + (my * my));
            mean[n] = sum / (n + 1);
            // Relax and precess to the next pulse.
            double rx = mx * e2, ry = my * e2;
            mx = (rx * cp) - (ry * sp);
            my = (rx * sp) + (ry * cp);
            mz = 1 - ((1 - mz) * e1);
        }
        double echo = EchoDecay(tissue, echoTimeMs);
        for (int n = 0; n < pulses; n++) mean[n] *= echo;
        return mean;
    }

    private static double EchoDecay(TissueRelaxation t, double echoTimeMs) =>
        t.ProtonDensity * Math.Exp(-echoTimeMs / t.T2Ms) * (double.IsPositiveInfinity(t.T2StarMs) ? 1 : Math.Exp(-echoTimeMs / t.T2StarMs));

    private static double Magnitude(double[] m, TissueRelaxation t, double echoTimeMs) => Math.Sqrt((m[0] * m[0]) + (m[1] * m[1])) * EchoDecay(t, echoTimeMs);

    /// <summary>Steady state just after the pulse: (I − R·P·E)·M = R·b.</summary>
    private static (double[] M, double[,] A) Propagators(TissueRelaxation t, double tr, double alpha, double theta)
    {
        if (!(tr > 0)) throw new ArgumentOutOfRangeException(nameof(tr), tr, "TR must be > 0 ms");
        double e1 = Math.Exp(-tr / t.T1Ms), e2 = Math.Exp(-tr / t.T2Ms);
        double ca = Math.Cos(alpha), sa = Math.Sin(alpha);
        double phase = theta + Math.PI;
        double cp = Math.Cos(phase), sp = Math.Sin(phase);
        // P·E: relaxation then precession about z.
        double[,] pe = { { e2 * cp, -e2 * sp, 0 }, { e2 * sp, e2 * cp, 0 }, { 0, 0, e1 } };
        double[,] r = { { 1, 0, 0 }, { 0, ca, sa }, { 0, -sa, ca } };
        var rpe = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++) rpe[i, j] += r[i, k] * pe[k, j];
        var a = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) a[i, j] = (i == j ? 1 : 0) - rpe[i, j];
        double[] rhs = [0, sa * (1 - e1), ca * (1 - e1)];
        return (Solve3(a, rhs), a);
    }

    private static double[] Solve3(double[,] a, double[] b)
    {
        double Det(double[,] m) =>
            (m[0, 0] * ((m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1]))) - (m[0, 1] * ((m[1, 0] * m[2, 2]) - (m[1, 2] * m[2, 0]))) + (m[0, 2] * ((m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0])));
        double d = Det(a);
        var x = new double[3];
        for (int c = 0; c < 3; c++)
        {
            var m = (double[,])a.Clone();
            for (int r = 0; r < 3; r++) m[r, c] = b[r];
            x[c] = Det(m) / d;
        }
        return x;
    }
}
