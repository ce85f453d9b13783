using System.Globalization;
using System.Numerics.Tensors;

namespace MLCardiac.Augmentation;

/// <summary>
/// Rician noise, the noise of a magnitude MR image: v ← √((v + n₁)² + n₂²) with n₁, n₂ ~ N(0, σ²) independent
/// (Gudbjartsson &amp; Patz, MRM 1995). Our slices are z-scored, so the magnitude is taken of the image shifted
/// to start at 0 (its minimum, the dark background) and the shift is added back: the noise is Rician where the
/// signal is low and nearly Gaussian where it is high, as in a real magnitude image.
/// </summary>
public sealed class RicianNoise : IAugmentation
{
    /// <summary>σ of each Gaussian component (≥ 0); 0 = identity.</summary>
    public double StandardDeviation { get; init; }

    /// <summary>Seed of the noise realisation.</summary>
    public ulong Seed { get; init; }

    private static ulong SliceSeed(ulong seed, int slice)
    {
        ulong state = seed ^ ((ulong)slice * 0xD1B54A32D192ED03UL);
        return Numerics.Xoshiro256StarStar.SplitMix64(ref state);
    }

    /// <summary>The same noise level, with a field of its own for slice <paramref name="slice"/> (every slice of a real acquisition has its own noise).</summary>
    public IAugmentation ForSlice(int slice) => slice == 0 ? this : new RicianNoise { StandardDeviation = StandardDeviation, Seed = SliceSeed(Seed, slice) };

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"rician σ={StandardDeviation:0.00}");

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

        int n = sample.PixelCount;
        Span<float> noise = workspace.Floats(3, 2 * n);
        new AugmentationRandom(Seed).FillGaussian(noise, 0, (float)StandardDeviation);
        Span<float> image = sample.Image;
        float min = ImageStatistics.Range(image).Min;
        Span<float> real = noise[..n], imaginary = noise.Slice(n, n);
        TensorPrimitives.Add(real, image, real);
        TensorPrimitives.Subtract(real, min, real);
        TensorPrimitives.Hypot(real, imaginary, image);
        TensorPrimitives.Add(image, min, image);
    }
}
