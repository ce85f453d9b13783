using System.Globalization;
using System.Numerics.Tensors;

namespace MLCardiac.Augmentation;

/// <summary>Multiplicative brightness: v ← v·<see cref="Multiplier"/> (nnU-Net's <c>MultiplicativeBrightnessTransform</c>).</summary>
public sealed class Brightness : IAugmentation
{
    /// <summary>The factor; 1 = identity.</summary>
    public double Multiplier { get; init; } = 1;

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"brightness ×{Multiplier:0.00}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        if (Multiplier != 1)
        {
            TensorPrimitives.Multiply(sample.Image, (float)Multiplier, sample.Image);
        }
    }
}
