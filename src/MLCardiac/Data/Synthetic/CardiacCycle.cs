namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Normalised contraction over one cardiac cycle: 0 at end diastole, 1 at end systole. Systole is a
/// half-cosine from ED to ES; diastole refills fast first (early filling), then slowly (diastasis), as a
/// half-cosine on a warped time axis. Smooth and periodic.
/// </summary>
internal static class CardiacCycle
{
    /// <param name="phase">Time since ED as a fraction of the cycle, [0, 1).</param>
    /// <param name="esPhase">Phase of end systole, (0, 1).</param>
    public static double Contraction(double phase, double esPhase)
    {
        phase -= Math.Floor(phase);
        if (phase <= esPhase)
        {
            return 0.5 * (1 - Math.Cos(Math.PI * phase / esPhase));
        }
        double u = (phase - esPhase) / (1 - esPhase);
        return 0.5 * (1 + Math.Cos(Math.PI * Math.Pow(u, 0.6)));
    }
}
