using System.Globalization;

namespace MLCardiac.Augmentation;

/// <summary>
/// Contrast around the mean: v ← mean + (v − mean)·<see cref="Factor"/>, then, with <see cref="PreserveRange"/>,
/// clipped to the input's [min, max] (nnU-Net's <c>ContrastTransform</c> with <c>preserve_range=True</c>).
/// </summary>
public sealed class Contrast : IAugmentation
{
    /// <summary>The factor; 1 = identity.</summary>
    public double Factor { get; init; } = 1;

    /// <summary>Clip the result to the input's intensity range.</summary>
    public bool PreserveRange { get; init; } = true;

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"contrast ×{Factor:0.00}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        if (Factor == 1)
        {
            return;
        }

        Span<float> image = sample.Image;
        (float lo, float hi) = ImageStatistics.Range(image);
        double mean = ImageStatistics.MeanStd(image).Mean;
        ImageStatistics.ScaleShift(image, (float)Factor, (float)(mean * (1 - Factor)));
        if (PreserveRange)
        {
            ImageStatistics.Clamp(image, lo, hi);
        }
    }
}
