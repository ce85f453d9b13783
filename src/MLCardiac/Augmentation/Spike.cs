using System.Globalization;
using System.Numerics;

namespace MLCardiac.Augmentation;

/// <summary>
/// k-space spike artefact (herringbone): at each <see cref="KSpaceSpike"/> position the k-space sample gains
/// Intensity × max|k-space|, which adds a stripe pattern over the whole image (TorchIO's <c>Spike</c>).
/// The image is the real part of the inverse FFT.
/// </summary>
public sealed class Spike : IAugmentation
{
    /// <summary>Creates a spike artefact from its spikes.</summary>
    public Spike(IReadOnlyList<KSpaceSpike> spikes)
    {
        ArgumentNullException.ThrowIfNull(spikes);
        Spikes = [.. spikes];
    }

    /// <summary>The spikes.</summary>
    public IReadOnlyList<KSpaceSpike> Spikes { get; }

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"spike ×{Spikes.Count} {Spikes.Sum(s => s.Intensity):0.00}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (Spikes.All(s => s.Intensity == 0))
        {
            return;
        }

        int h = sample.Height, w = sample.Width;
        var spectrum = KSpace.Forward(sample.Image, h, w, workspace, 0);
        int wh = spectrum.Length / h;
        double maxSquared = 0;
        for (int i = 0; i < spectrum.Length; i++)
        {
            Complex c = spectrum[i];
            maxSquared = Math.Max(maxSquared, (c.Real * c.Real) + (c.Imaginary * c.Imaginary));
        }

        double max = Math.Sqrt(maxSquared);
        foreach (KSpaceSpike spike in Spikes)
        {
            int ky = (int)Math.Round(spike.FrequencyY * h), kx = (int)Math.Round(spike.FrequencyX * w);
            int iy = KSpace.Index(ky, h), ix = KSpace.Index(kx, w);
            if (ix >= wh)
            {
                // Stored as its Hermitian mirror (the added value is real, so its conjugate is itself).
                iy = KSpace.Index(-ky, h);
                ix = w - ix;
            }

            // Re(IFFT) of a spike c at k is the pair (c/2 at k, c/2 at −k); the extension mirrors every stored
            // column except k_x = 0 and W/2, so those get c and the others c/2.
            bool selfMirrored = ix == 0 || ((w & 1) == 0 && ix == w / 2);
            spectrum[(iy * wh) + ix] += (selfMirrored ? 1.0 : 0.5) * spike.Intensity * max;
        }

        KSpace.InverseToReal(spectrum, sample.Image, h, w, workspace);
    }
}
