namespace MLCardiac.Training;

/// <summary>How the learning rate decays over training.</summary>
public enum LearningRateSchedule
{
    /// <summary>lr·(1 − p)^0.9 (nnU-Net's poly schedule), p = progress in [0, 1].</summary>
    Poly,
    /// <summary>lr·(1 + cos(πp))/2.</summary>
    Cosine,
    /// <summary>Constant.</summary>
    Constant,
}

/// <summary>Evaluates a <see cref="LearningRateSchedule"/>.</summary>
public static class LearningRateSchedules
{
    /// <summary>The learning rate at training progress <paramref name="progress"/> (clamped to [0, 1]).</summary>
    public static double At(this LearningRateSchedule schedule, double initial, double progress)
    {
        double p = Math.Clamp(progress, 0, 1);
        return schedule switch
        {
            LearningRateSchedule.Poly => initial * Math.Pow(1 - p, 0.9),
            LearningRateSchedule.Cosine => initial * 0.5 * (1 + Math.Cos(Math.PI * p)),
            LearningRateSchedule.Constant => initial,
            _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "unknown schedule"),
        };
    }
}
