namespace MLCardiac.Augmentation;

/// <summary>
/// A simple short-axis-like phantom drawn in code, for previews, tests and benchmarks until the synthetic
/// phantom dataset exists: a body ellipse, the LV blood pool (label 1) inside a myocardial ring (label 2)
/// and an RV crescent (label 3) wrapped around the septum, with mild noise, then z-scored.
/// </summary>
public static class SyntheticCardiacSlice
{
    /// <summary>
    /// Draws the phantom into <paramref name="image"/> and <paramref name="label"/> ([H, W]; an empty label span
    /// skips the label). <paramref name="random"/> jitters position and size and adds noise; null gives the
    /// canonical, noise-free phantom.
    /// </summary>
    public static void Generate(Span<float> image, Span<byte> label, int height, int width, AugmentationRandom? random = null)
    {
        if (image.Length != height * width || (!label.IsEmpty && label.Length != height * width))
        {
            throw new MLCardiacException($"Phantom buffers must hold {height} × {width} pixels.");
        }

        double s = Math.Min(height, width);
        double jitter(double amount) => random is null ? 0 : random.NextUniform(-amount, amount);
        double cy = (height / 2.0) + (s * jitter(0.03)), cx = (width / 2.0) + (s * 0.05) + (s * jitter(0.03));
        double endo = s * (0.11 + jitter(0.015)), epi = endo + (s * (0.055 + jitter(0.01)));
        double rvCx = cx - (epi * 1.05), rvCy = cy + (s * 0.01), rvR = epi * 1.25;
        double bodyRy = s * 0.40, bodyRx = s * 0.46;
        double noise = random is null ? 0 : 0.04;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double dy = y - cy, dx = x - cx;
                double r = Math.Sqrt((dx * dx) + (dy * dy));
                double rv = Math.Sqrt(((x - rvCx) * (x - rvCx)) + ((y - rvCy) * (y - rvCy)));
                double body = ((x - (width / 2.0)) * (x - (width / 2.0)) / (bodyRx * bodyRx)) + ((y - (height / 2.0)) * (y - (height / 2.0)) / (bodyRy * bodyRy));
                byte l = 0;
                float v = body <= 1 ? 0.35f + (0.05f * (float)Math.Cos(x * 0.15)) : 0.02f;
                if (r <= endo)
                {
                    l = 1;
                    v = 0.95f;
                }
                else if (r <= epi)
                {
                    l = 2;
                    v = 0.18f;
                }
                else if (rv <= rvR && r > epi + (s * 0.012))
                {
                    l = 3;
                    v = 0.85f;
                }

                if (noise > 0)
                {
                    v += (float)(noise * random!.NextGaussian());
                }

                image[(y * width) + x] = v;
                if (!label.IsEmpty)
                {
                    label[(y * width) + x] = l;
                }
            }
        }

        (double mean, double std) = ImageStatistics.MeanStd(image);
        ImageStatistics.ScaleShift(image, (float)(1 / std), (float)(-mean / std));
    }
}
