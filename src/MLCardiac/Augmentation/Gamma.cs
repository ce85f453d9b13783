using System.Globalization;
using System.Numerics.Tensors;

namespace MLCardiac.Augmentation;

/// <summary>
/// Gamma correction on the image rescaled to [0, 1] and back: v ← min + (max − min)·((v − min)/(max − min))^γ.
/// Monotonic; keeps the minimum and maximum. With <see cref="Invert"/> the image is negated before and after
/// (nnU-Net's inverted gamma: brightens dark regions where plain gamma darkens them). With
/// <see cref="RetainStats"/> mean and standard deviation are restored afterwards, as nnU-Net does.
/// </summary>
public sealed class Gamma : IAugmentation
{
    /// <summary>The exponent γ (&gt; 0); 1 = identity.</summary>
    public double Value { get; init; } = 1;

    /// <summary>Apply the curve to the negated image (inverted gamma).</summary>
    public bool Invert { get; init; }

    /// <summary>Restore the input's mean and standard deviation afterwards (then min/max are not kept).</summary>
    public bool RetainStats { get; init; }

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{(Invert ? "inv. gamma" : "gamma")} {Value:0.00}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        if (!(Value > 0))
        {
            throw new MLCardiacException($"Gamma must be positive, got {Value}.");
        }

        if (Value == 1)
        {
            return;
        }

        Span<float> image = sample.Image;
        (double mean, double std) = RetainStats ? ImageStatistics.MeanStd(image) : (0, 0);
        (float lo, float hi) = ImageStatistics.Range(image);
        if (Invert)
        {
            (lo, hi) = (-hi, -lo);
        }

        float range = hi - lo;
        if (!(range > 0))
        {
            return;
        }

        // t = clamp((±v − lo)/range, 0, 1); v = ±(lo + range·t^γ), all vectorised.
        if (Invert)
        {
            TensorPrimitives.Negate(image, image);
        }

        TensorPrimitives.Subtract(image, lo, image);
        TensorPrimitives.Multiply(image, 1 / range, image);
        ImageStatistics.Clamp(image, 0, 1);
        // t^γ = exp(γ·ln t) with the vectorised log and exp (ln 0 = −∞ gives 0; ln 1 = 0 gives 1).
        TensorPrimitives.Log(image, image);
        TensorPrimitives.Multiply(image, (float)Value, image);
        TensorPrimitives.Exp(image, image);
        TensorPrimitives.Multiply(image, range, image);
        TensorPrimitives.Add(image, lo, image);
        if (Invert)
        {
            TensorPrimitives.Negate(image, image);
        }

        if (RetainStats)
        {
            (double newMean, double newStd) = ImageStatistics.MeanStd(image);
            if (newStd > 1e-12)
            {
                double scale = std / newStd;
                ImageStatistics.ScaleShift(image, (float)scale, (float)(mean - (newMean * scale)));
            }
        }
    }
}
