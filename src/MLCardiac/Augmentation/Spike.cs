using System.Globalization;

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
        double max = 0;
        for (int i = 0; i < spectrum.Length; i++)
        {
            max = Math.Max(max, spectrum[i].Magnitude);
        }

        foreach (KSpaceSpike spike in Spikes)
        {
            int iy = KSpace.Index((int)Math.Round(spike.FrequencyY * h), h);
            int ix = KSpace.Index((int)Math.Round(spike.FrequencyX * w), w);
            spectrum[(iy * w) + ix] += spike.Intensity * max;
        }

        KSpace.InverseToReal(spectrum, sample.Image, h, w, workspace);
    }
}
