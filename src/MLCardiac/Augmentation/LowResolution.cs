using System.Globalization;

namespace MLCardiac.Augmentation;

/// <summary>
/// Simulates a coarser acquisition: nearest-neighbour down-sampling to round(<see cref="Scale"/>·H) ×
/// round(<see cref="Scale"/>·W), then bilinear up-sampling back (half-pixel centres), as nnU-Net's
/// <c>SimulateLowResolutionTransform</c>. A scale that rounds to the same size is the identity.
/// </summary>
public sealed class LowResolution : IAugmentation
{
    /// <summary>Resolution factor in (0, 1]; 1 = identity.</summary>
    public double Scale { get; init; } = 1;

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"low-res ×{Scale:0.00}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!(Scale > 0 && Scale <= 1))
        {
            throw new MLCardiacException($"Low-resolution scale must be in (0, 1], got {Scale}.");
        }

        int h = sample.Height, w = sample.Width;
        int dh = Math.Max(1, (int)Math.Round(h * Scale)), dw = Math.Max(1, (int)Math.Round(w * Scale));
        if (dh == h && dw == w)
        {
            return;
        }

        Span<float> image = sample.Image;
        Span<float> small = workspace.Floats(3, dh * dw);
        for (int y = 0; y < dh; y++)
        {
            int sy = Math.Min(h - 1, (int)((y + 0.5) * h / dh));
            for (int x = 0; x < dw; x++)
            {
                int sx = Math.Min(w - 1, (int)((x + 0.5) * w / dw));
                small[(y * dw) + x] = image[(sy * w) + sx];
            }
        }

        double ry = (double)dh / h, rx = (double)dw / w;
        Span<int> x0s = w <= 2048 ? stackalloc int[w] : new int[w];
        Span<float> txs = w <= 2048 ? stackalloc float[w] : new float[w];
        for (int x = 0; x < w; x++)
        {
            double fx = Math.Clamp(((x + 0.5) * rx) - 0.5, 0, dw - 1);
            int x0 = Math.Min((int)fx, Math.Max(dw - 2, 0));
            x0s[x] = x0;
            txs[x] = (float)(fx - x0);
        }

        for (int y = 0; y < h; y++)
        {
            double fy = Math.Clamp(((y + 0.5) * ry) - 0.5, 0, dh - 1);
            int y0 = Math.Min((int)fy, Math.Max(dh - 2, 0));
            float ty = (float)(fy - y0);
            int y1 = Math.Min(y0 + 1, dh - 1);
            ReadOnlySpan<float> r0 = small.Slice(y0 * dw, dw), r1 = small.Slice(y1 * dw, dw);
            Span<float> outRow = image.Slice(y * w, w);
            for (int x = 0; x < w; x++)
            {
                int x0 = x0s[x], x1 = Math.Min(x0 + 1, dw - 1);
                float tx = txs[x];
                float top = r0[x0] + (tx * (r0[x1] - r0[x0]));
                float bottom = r1[x0] + (tx * (r1[x1] - r1[x0]));
                outRow[x] = top + (ty * (bottom - top));
            }
        }
    }
}
