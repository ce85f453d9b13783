using System.Globalization;

namespace MLCardiac.Augmentation;

/// <summary>
/// Gibbs ringing (truncation artefact): k-space is cut to the central band |k_y| ≤ ⌊f·H/2⌋, |k_x| ≤ ⌊f·W/2⌋ with
/// f = <see cref="KeepFraction"/>, and the image is rebuilt from what is left (MONAI's <c>GibbsNoise</c>).
/// Frequencies inside the band are unchanged; the mask is symmetric, so the rebuilt image stays real.
/// </summary>
public sealed class GibbsRinging : IAugmentation
{
    /// <summary>Fraction of the k-space extent kept along each axis, in (0, 1]; 1 = identity.</summary>
    public double KeepFraction { get; init; } = 1;

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"gibbs keep {KeepFraction:0.00}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!(KeepFraction > 0 && KeepFraction <= 1))
        {
            throw new MLCardiacException($"Gibbs keep fraction must be in (0, 1], got {KeepFraction}.");
        }

        int h = sample.Height, w = sample.Width;
        int cutY = (int)Math.Floor(KeepFraction * h / 2), cutX = (int)Math.Floor(KeepFraction * w / 2);
        if (cutY >= h / 2 && cutX >= w / 2)
        {
            return;
        }

        var spectrum = KSpace.Forward(sample.Image, h, w, workspace, 0);
        for (int y = 0; y < h; y++)
        {
            bool rowKept = Math.Abs(KSpace.Frequency(y, h)) <= cutY;
            var row = spectrum.Slice(y * w, w);
            if (!rowKept)
            {
                row.Clear();
                continue;
            }

            for (int x = 0; x < w; x++)
            {
                if (Math.Abs(KSpace.Frequency(x, w)) > cutX)
                {
                    row[x] = 0;
                }
            }
        }

        KSpace.InverseToReal(spectrum, sample.Image, h, w, workspace);
    }
}
