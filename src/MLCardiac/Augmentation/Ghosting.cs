using System.Globalization;

namespace MLCardiac.Augmentation;

/// <summary>
/// Ghosting along the phase-encoding axis (periodic motion, e.g. breathing or pulsation): every
/// <see cref="NumGhosts"/>-th k-space line along <see cref="Axis"/> is scaled by 1 − <see cref="Intensity"/>,
/// except the central lines |k| &lt; <see cref="RestoreFraction"/>·N/2, as TorchIO's <c>Ghosting</c>.
/// The periodic modulation puts faint copies of the anatomy at multiples of N / NumGhosts pixels along the axis.
/// The image is the real part of the inverse FFT.
/// </summary>
public sealed class Ghosting : IAugmentation
{
    /// <summary>Ghost period in k-space lines (≥ 2); the ghost spacing in the image is N / NumGhosts pixels.</summary>
    public int NumGhosts { get; init; } = 4;

    /// <summary>Phase-encoding axis: 0 = rows (y, ghosts move vertically), 1 = columns (x).</summary>
    public int Axis { get; init; }

    /// <summary>How much of each affected line is removed, in [0, 1]; 0 = identity.</summary>
    public double Intensity { get; init; }

    /// <summary>Fraction of the k-space extent around the centre left untouched.</summary>
    public double RestoreFraction { get; init; } = 0.02;

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"ghosts /{NumGhosts} {(Axis == 0 ? "y" : "x")} {Intensity:0.00}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (NumGhosts < 2 || Axis is < 0 or > 1 || !(Intensity >= 0 && Intensity <= 1) || !(RestoreFraction >= 0 && RestoreFraction <= 1))
        {
            throw new MLCardiacException($"Ghosting needs NumGhosts ≥ 2, Axis 0 or 1, Intensity and RestoreFraction in [0, 1]; got {NumGhosts}, {Axis}, {Intensity}, {RestoreFraction}.");
        }

        if (Intensity == 0)
        {
            return;
        }

        int h = sample.Height, w = sample.Width;
        int n = Axis == 0 ? h : w;
        double restore = RestoreFraction * n / 2;
        float keep = (float)(1 - Intensity);
        var spectrum = KSpace.Forward(sample.Image, h, w, workspace, 0);
        int wh = spectrum.Length / h;

        // Half spectrum: along x only k_x = 0..W/2 are stored; the mirrored lines follow by symmetry.
        int lines = Axis == 0 ? n : wh;
        for (int line = 0; line < lines; line++)
        {
            int k = KSpace.Frequency(line, n);
            if (k % NumGhosts != 0 || Math.Abs(k) < restore)
            {
                continue;
            }

            if (Axis == 0)
            {
                var row = spectrum.Slice(line * wh, wh);
                for (int x = 0; x < wh; x++)
                {
                    row[x] *= keep;
                }
            }
            else
            {
                for (int y = 0; y < h; y++)
                {
                    spectrum[(y * wh) + line] *= keep;
                }
            }
        }

        KSpace.InverseToReal(spectrum, sample.Image, h, w, workspace);
    }
}
