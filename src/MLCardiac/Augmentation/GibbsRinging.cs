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
        int wh = spectrum.Length / h;
        for (int y = 0; y < h; y++)
        {
            var row = spectrum.Slice(y * wh, wh);
            if (Math.Abs(KSpace.Frequency(y, h)) > cutY)
            {
                row.Clear();
            }
            else if (cutX + 1 < wh)
            {
                // Stored columns are k_x = 0..W/2 (non-negative).
                row[(cutX + 1)..].Clear();
            }
        }

        KSpace.InverseToReal(spectrum, sample.Image, h, w, workspace);
    }
}
