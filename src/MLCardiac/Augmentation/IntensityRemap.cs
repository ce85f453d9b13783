using System.Globalization;

namespace MLCardiac.Augmentation;

/// <summary>
/// Nonlinear intensity remapping (a histogram shift): the image is rescaled to [0, 1], passed through a
/// monotone piecewise-linear curve through (i/K, <see cref="CurveValues"/>[i]), i = 0..K, and rescaled back.
/// The curve starts at 0, ends at 1 and never decreases, so the intensity order and range are kept while
/// tissue contrasts change, mimicking vendor-to-vendor differences in the intensity transfer.
/// </summary>
public sealed class IntensityRemap : IAugmentation
{
    /// <summary>Creates a remap through the given curve values (K + 1 ≥ 2 values, 0 first, 1 last, non-decreasing).</summary>
    /// <exception cref="MLCardiacException">The curve is not monotone from 0 to 1.</exception>
    public IntensityRemap(IReadOnlyList<float> curveValues)
    {
        ArgumentNullException.ThrowIfNull(curveValues);
        if (curveValues.Count < 2 || curveValues[0] != 0 || curveValues[^1] != 1)
        {
            throw new MLCardiacException("An intensity curve needs at least 2 values, starting at 0 and ending at 1.");
        }

        for (int i = 1; i < curveValues.Count; i++)
        {
            if (!(curveValues[i] >= curveValues[i - 1]))
            {
                throw new MLCardiacException($"An intensity curve must not decrease (value {i} is below value {i - 1}).");
            }
        }

        CurveValues = [.. curveValues];
    }

    /// <summary>Curve values at evenly spaced points of the normalised range.</summary>
    public IReadOnlyList<float> CurveValues { get; }

    /// <summary>Whether the curve is the straight line (the identity).</summary>
    public bool IsIdentity
    {
        get
        {
            int k = CurveValues.Count - 1;
            for (int i = 0; i <= k; i++)
            {
                if (CurveValues[i] != (float)i / k)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"remap {string.Join('/', CurveValues.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        if (IsIdentity)
        {
            return;
        }

        Span<float> image = sample.Image;
        (float lo, float hi) = ImageStatistics.Range(image);
        float range = hi - lo;
        if (!(range > 0))
        {
            return;
        }

        int k = CurveValues.Count - 1;
        Span<float> values = stackalloc float[k + 1];
        Span<float> slopes = stackalloc float[k];
        for (int i = 0; i <= k; i++)
        {
            values[i] = CurveValues[i];
        }

        for (int i = 0; i < k; i++)
        {
            slopes[i] = (values[i + 1] - values[i]) * k;
        }

        float toUnit = k / range;
        for (int i = 0; i < image.Length; i++)
        {
            float u = Math.Clamp((image[i] - lo) * toUnit, 0, k);
            int segment = Math.Min((int)u, k - 1);
            float t = values[segment] + ((u - segment) * slopes[segment] / k);
            image[i] = lo + (Math.Clamp(t, 0, 1) * range);
        }
    }
}
