namespace MLCardiac.Augmentation;

/// <summary>One k-space spike: where it sits and how strong it is.</summary>
/// <param name="FrequencyY">Position along k_y as a fraction of the k-space extent, in [−0.5, 0.5).</param>
/// <param name="FrequencyX">Position along k_x as a fraction of the k-space extent, in [−0.5, 0.5).</param>
/// <param name="Intensity">Spike magnitude relative to the largest k-space magnitude.</param>
public readonly record struct KSpaceSpike(double FrequencyY, double FrequencyX, double Intensity);
