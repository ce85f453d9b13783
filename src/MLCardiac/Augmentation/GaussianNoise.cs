using System.Globalization;
using System.Numerics.Tensors;

namespace MLCardiac.Augmentation;

/// <summary>
/// Additive Gaussian noise N(0, σ²) with σ = <see cref="StandardDeviation"/>. The noise itself is fixed by
/// <see cref="Seed"/>, so the transform is deterministic and can be replayed.
/// </summary>
public sealed class GaussianNoise : IAugmentation
{
    /// <summary>Standard deviation σ in image units (≥ 0); 0 = identity.</summary>
    public double StandardDeviation { get; init; }

    /// <summary>Seed of the noise realisation.</summary>
    public ulong Seed { get; init; }

    private static ulong SliceSeed(ulong seed, int slice)
    {
        ulong state = seed ^ ((ulong)slice * 0xD1B54A32D192ED03UL);
        return Numerics.Xoshiro256StarStar.SplitMix64(ref state);
    }

    /// <summary>The same noise level, with a field of its own for slice <paramref name="slice"/> (every slice of a real acquisition has its own noise).</summary>
    public IAugmentation ForSlice(int slice) => slice == 0 ? this : new GaussianNoise { StandardDeviation = StandardDeviation, Seed = SliceSeed(Seed, slice) };

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"noise σ={StandardDeviation:0.00}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!(StandardDeviation >= 0))
        {
            throw new MLCardiacException($"Noise standard deviation must be ≥ 0, got {StandardDeviation}.");
        }

        if (StandardDeviation == 0)
        {
            return;
        }

        Span<float> noise = workspace.Floats(3, sample.PixelCount);
        new AugmentationRandom(Seed).FillGaussian(noise, 0, (float)StandardDeviation);
        TensorPrimitives.Add(sample.Image, noise, sample.Image);
    }
}
