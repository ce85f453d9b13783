using System.Globalization;

namespace MLCardiac.Augmentation;

/// <summary>
/// Separable Gaussian blur with σ per axis in pixels (kernel radius ⌈3σ⌉, edge pixels repeated at the
/// border). σ = 0 leaves that axis untouched.
/// </summary>
public sealed class GaussianBlur : IAugmentation
{
    /// <summary>σ along x (columns) in pixels.</summary>
    public double SigmaX { get; init; }

    /// <summary>σ along y (rows) in pixels.</summary>
    public double SigmaY { get; init; }

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"blur σ={SigmaX:0.0},{SigmaY:0.0}");

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!(SigmaX >= 0) || !(SigmaY >= 0))
        {
            throw new MLCardiacException($"Blur σ must be ≥ 0, got {SigmaX} and {SigmaY}.");
        }

        int h = sample.Height, w = sample.Width;
        Span<float> tmp = workspace.Floats(3, sample.PixelCount);
        if (SigmaX > 0)
        {
            Span<float> kernel = stackalloc float[KernelLength(SigmaX)];
            FillKernel(kernel, SigmaX);
            sample.Image.CopyTo(tmp);
            for (int y = 0; y < h; y++)
            {
                Convolve(tmp.Slice(y * w, w), 1, sample.Image.Slice(y * w, w), 1, w, kernel);
            }
        }

        if (SigmaY > 0)
        {
            Span<float> kernel = stackalloc float[KernelLength(SigmaY)];
            FillKernel(kernel, SigmaY);
            sample.Image.CopyTo(tmp);
            int r = kernel.Length / 2;
            Span<float> image = sample.Image;
            for (int y = 0; y < h; y++)
            {
                Span<float> outRow = image.Slice(y * w, w);
                outRow.Clear();
                for (int k = -r; k <= r; k++)
                {
                    int sy = Math.Clamp(y + k, 0, h - 1);
                    float weight = kernel[k + r];
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(tmp.Slice(sy * w, w), weight, outRow, outRow);
                }
            }
        }
    }

    private static int KernelLength(double sigma) => (2 * Math.Min((int)Math.Ceiling(3 * sigma), 64)) + 1;

    private static void FillKernel(Span<float> kernel, double sigma)
    {
        int r = kernel.Length / 2;
        double sum = 0;
        for (int i = -r; i <= r; i++)
        {
            double v = Math.Exp(-(i * i) / (2 * sigma * sigma));
            kernel[i + r] = (float)v;
            sum += v;
        }

        for (int i = 0; i < kernel.Length; i++)
        {
            kernel[i] = (float)(kernel[i] / sum);
        }
    }

    private static void Convolve(ReadOnlySpan<float> source, int sourceStride, Span<float> destination, int destinationStride, int n, ReadOnlySpan<float> kernel)
    {
        int r = kernel.Length / 2;
        for (int i = 0; i < n; i++)
        {
            float acc = 0;
            if (i >= r && i + r < n)
            {
                ReadOnlySpan<float> window = source.Slice((i - r) * sourceStride, kernel.Length);
                for (int k = 0; k < kernel.Length; k++)
                {
                    acc += kernel[k] * window[k];
                }
            }
            else
            {
                for (int k = -r; k <= r; k++)
                {
                    acc += kernel[k + r] * source[Math.Clamp(i + k, 0, n - 1) * sourceStride];
                }
            }

            destination[i * destinationStride] = acc;
        }
    }
}
