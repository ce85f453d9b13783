namespace MLCardiac.Data.Synthetic;

/// <summary>A small closed contour perturbation: Σ amplitude_k·cos(k·θ + phase_k), k = 1…K.</summary>
internal sealed record Harmonics(double[] Amplitudes, double[] Phases)
{
    public static Harmonics Random(SeededRandom random, int firstOrder, int lastOrder, double amplitude)
    {
        var amps = new double[lastOrder + 1];
        var phases = new double[lastOrder + 1];
        for (int k = firstOrder; k <= lastOrder; k++)
        {
            amps[k] = amplitude * random.Uniform(0.2, 1.0) / Math.Sqrt(k - firstOrder + 1);
            phases[k] = random.Uniform(0, 2 * Math.PI);
        }
        return new Harmonics(amps, phases);
    }

    public double Evaluate(double theta)
    {
        double sum = 0;
        for (int k = 1; k < Amplitudes.Length; k++)
        {
            if (Amplitudes[k] != 0)
            {
                sum += Amplitudes[k] * Math.Cos((k * theta) + Phases[k]);
            }
        }
        return sum;
    }
}
