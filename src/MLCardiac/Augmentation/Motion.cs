using System.Globalization;
using System.Numerics;

namespace MLCardiac.Augmentation;

/// <summary>
/// Rigid motion artefact (TorchIO's <c>Motion</c>, after Shaw et al., MIDL 2019): k-space lines are acquired
/// along the phase-encoding <see cref="Axis"/> in order from −N/2 to N/2 − 1; lines acquired after each
/// <see cref="MotionEvent"/> come from a rigidly moved copy of the slice. The image is the real part of the
/// inverse FFT of the composed k-space (real part rather than TorchIO's magnitude, to keep the sign of a
/// z-scored slice). The label is not moved: it describes the anatomy at the reference position.
/// </summary>
public sealed class Motion : IAugmentation
{
    /// <summary>Creates a motion artefact from its events (sorted by time here).</summary>
    public Motion(int axis, IReadOnlyList<MotionEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (axis is < 0 or > 1)
        {
            throw new MLCardiacException($"Motion axis must be 0 (rows) or 1 (columns), got {axis}.");
        }

        if (events.Any(e => !(e.Time > 0 && e.Time < 1)))
        {
            throw new MLCardiacException("Motion event times must lie in (0, 1).");
        }

        Axis = axis;
        Events = [.. events.OrderBy(e => e.Time)];
    }

    /// <summary>Phase-encoding axis: 0 = rows (y), 1 = columns (x).</summary>
    public int Axis { get; }

    /// <summary>The movements, sorted by time.</summary>
    public IReadOnlyList<MotionEvent> Events { get; }

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"motion ×{Events.Count} {(Events.Count == 0 ? 0 : Events.Max(e => Math.Abs(e.RotationDegrees))):0}°");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (Events.All(e => e.RotationDegrees == 0 && e.TranslationXMm == 0 && e.TranslationYMm == 0))
        {
            return;
        }

        int h = sample.Height, w = sample.Width, n = Axis == 0 ? h : w;
        Span<float> original = workspace.Floats(4, sample.PixelCount);
        sample.Image.CopyTo(original);
        Span<float> moved = workspace.Floats(5, sample.PixelCount);

        // Which copy (0 = reference position, e = after event e) acquires each line, in acquisition order
        // −N/2 … N/2 − 1. Re(IFFT) of the composite k-space is the IFFT of its Hermitian part, which weights
        // line k by ½ from the copy of k and ½ from the copy of −k; that is what the half spectrum stores.
        Span<int> copyOfLine = n <= 4096 ? stackalloc int[n] : new int[n];
        copyOfLine.Clear();
        for (int e = 0; e < Events.Count; e++)
        {
            int firstOrder = (int)Math.Ceiling(Events[e].Time * n);
            for (int order = firstOrder; order < n; order++)
            {
                copyOfLine[KSpace.Index(order - (n / 2), n)] = e + 1;
            }
        }

        Span<Complex> result = KSpace.Forward(original, h, w, workspace, 0);
        int wh = result.Length / h;
        Scale(result, h, wh, copyOfLine, 0, n, overwrite: true, result);
        for (int e = 0; e < Events.Count; e++)
        {
            MotionEvent ev = Events[e];
            var rigid = new SpatialTransform
            {
                RotationDegrees = ev.RotationDegrees,
                TranslationXMm = ev.TranslationXMm,
                TranslationYMm = ev.TranslationYMm,
            };
            PixelAffine map = rigid.ToPixelAffine(h, w, sample.SpacingYMm, sample.SpacingXMm);
            Span<float> sourceX = workspace.Floats(6, sample.PixelCount), sourceY = workspace.Floats(7, sample.PixelCount);
            Resampler.Coordinates(map, h, w, sourceX, sourceY, addToDisplacement: false);
            Resampler.ResampleImage(original, moved, h, w, sourceX, sourceY, BorderMode.Edge, 0);
            Span<Complex> spectrum = KSpace.Forward(moved, h, w, workspace, 1);
            Scale(spectrum, h, wh, copyOfLine, e + 1, n, overwrite: false, result);
        }

        KSpace.InverseToReal(result, sample.Image, h, w, workspace);
    }

    /// <summary>Adds (or writes) the share of copy <paramref name="copy"/> of every stored bin into <paramref name="result"/>.</summary>
    private void Scale(ReadOnlySpan<Complex> spectrum, int h, int wh, ReadOnlySpan<int> copyOfLine, int copy, int n, bool overwrite, Span<Complex> result)
    {
        Span<double> weights = n <= 4096 ? stackalloc double[n] : new double[n];
        for (int line = 0; line < n; line++)
        {
            int mirror = KSpace.Index(-KSpace.Frequency(line, n), n);
            weights[line] = ((copyOfLine[line] == copy ? 1 : 0) + (copyOfLine[mirror] == copy ? 1 : 0)) * 0.5;
        }

        for (int y = 0; y < h; y++)
        {
            ReadOnlySpan<Complex> source = spectrum.Slice(y * wh, wh);
            Span<Complex> target = result.Slice(y * wh, wh);
            for (int x = 0; x < wh; x++)
            {
                double weight = weights[Axis == 0 ? y : x];
                if (overwrite)
                {
                    target[x] = source[x] * weight;
                }
                else if (weight != 0)
                {
                    target[x] += source[x] * weight;
                }
            }
        }
    }
}
