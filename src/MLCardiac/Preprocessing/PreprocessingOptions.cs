namespace MLCardiac.Preprocessing;

/// <summary>How short-axis volumes become fixed-size 2D slices (see <see cref="Preprocessor"/>).</summary>
public sealed record PreprocessingOptions
{
    /// <summary>Default in-plane pixel spacing after resampling, in mm (close to the median of M&amp;Ms).</summary>
    public const double DefaultSpacingMm = 1.25;
    /// <summary>Default side of the square slices, in pixels (a 160 mm field of view at 1.25 mm).</summary>
    public const int DefaultSize = 128;

    /// <summary>In-plane pixel spacing after resampling, in mm (0.5–5).</summary>
    public double SpacingMm { get; init; } = DefaultSpacingMm;
    /// <summary>Side of the square output slices, in pixels (16–1024).</summary>
    public int Size { get; init; } = DefaultSize;
    /// <summary>Lower intensity percentile clipped before z-scoring, in [0, 50).</summary>
    public double ClipLowPercentile { get; init; } = 0.5;
    /// <summary>Upper intensity percentile clipped before z-scoring, in (50, 100].</summary>
    public double ClipHighPercentile { get; init; } = 99.5;

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        if (!(SpacingMm is >= 0.5 and <= 5)) throw new ArgumentException($"SpacingMm must be in [0.5, 5] mm (was {SpacingMm}).", nameof(SpacingMm));
        if (Size is < 16 or > 1024) throw new ArgumentException($"Size must be in [16, 1024] pixels (was {Size}).", nameof(Size));
        if (!(ClipLowPercentile is >= 0 and < 50)) throw new ArgumentException($"ClipLowPercentile must be in [0, 50) (was {ClipLowPercentile}).", nameof(ClipLowPercentile));
        if (!(ClipHighPercentile is > 50 and <= 100)) throw new ArgumentException($"ClipHighPercentile must be in (50, 100] (was {ClipHighPercentile}).", nameof(ClipHighPercentile));
    }
}
