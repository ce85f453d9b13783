using System.Globalization;
using System.Numerics.Tensors;

namespace MLCardiac.Augmentation;

/// <summary>
/// Smooth multiplicative intensity inhomogeneity (coil sensitivity): field(x, y) = exp(Σ c_ij·xⁱ·yʲ) over
/// i + j ≤ <see cref="Order"/> with x, y ∈ [−1, 1] across the slice, as TorchIO's <c>BiasField</c>
/// (Sudre et al., 2017). Our slices are z-scored, so the field multiplies the signal above the image minimum
/// (the dark background) and the minimum is added back: v ← min + (v − min)·field.
/// </summary>
public sealed class BiasField : IAugmentation
{
    /// <summary>Creates a field of polynomial order <paramref name="order"/> (0..3) with coefficients ordered i = 0..order, then j = 0..order − i.</summary>
    /// <exception cref="MLCardiacException">Order out of 0..3 or the wrong number of coefficients.</exception>
    public BiasField(int order, IReadOnlyList<double> coefficients)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        if (order is < 0 or > 3)
        {
            throw new MLCardiacException($"Bias field order must be 0..3, got {order}.");
        }

        int terms = (order + 1) * (order + 2) / 2;
        if (coefficients.Count != terms)
        {
            throw new MLCardiacException($"A bias field of order {order} needs {terms} coefficients, got {coefficients.Count}.");
        }

        Order = order;
        Coefficients = [.. coefficients];
    }

    /// <summary>Polynomial order (0..3).</summary>
    public int Order { get; }

    /// <summary>Coefficients c_ij, ordered i = 0..Order, then j = 0..Order − i.</summary>
    public IReadOnlyList<double> Coefficients { get; }

    /// <summary>Σ|c_ij|: the field lies within [exp(−bound), exp(bound)].</summary>
    public double LogBound => Coefficients.Sum(Math.Abs);

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"bias field ≤×{Math.Exp(LogBound):0.0}");

    /// <summary>Writes the multiplicative field for an [H, W] slice into <paramref name="field"/>.</summary>
    public void ComputeField(Span<float> field, int height, int width)
    {
        if (field.Length != height * width)
        {
            throw new ArgumentException($"Expected {height * width} values, got {field.Length}.", nameof(field));
        }

        Span<double> byX = stackalloc double[Order + 1];
        Span<float> xs = width <= 4096 ? stackalloc float[width] : new float[width];
        for (int x = 0; x < width; x++)
        {
            xs[x] = width == 1 ? 0 : (float)((2.0 * x / (width - 1)) - 1);
        }

        for (int y = 0; y < height; y++)
        {
            double yy = height == 1 ? 0 : (2.0 * y / (height - 1)) - 1;
            int index = 0;
            for (int i = 0; i <= Order; i++)
            {
                double sum = 0, yPow = 1;
                for (int j = 0; j <= Order - i; j++)
                {
                    sum += Coefficients[index++] * yPow;
                    yPow *= yy;
                }

                byX[i] = sum;
            }

            // Horner in x over the whole row, then exp.
            Span<float> row = field.Slice(y * width, width);
            row.Fill((float)byX[Order]);
            for (int i = Order - 1; i >= 0; i--)
            {
                TensorPrimitives.Multiply(row, xs, row);
                TensorPrimitives.Add(row, (float)byX[i], row);
            }

            TensorPrimitives.Exp(row, row);
        }
    }

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (LogBound == 0)
        {
            return;
        }

        Span<float> field = workspace.Floats(3, sample.PixelCount);
        ComputeField(field, sample.Height, sample.Width);
        Span<float> image = sample.Image;
        float min = ImageStatistics.Range(image).Min;
        TensorPrimitives.Subtract(image, min, image);
        TensorPrimitives.Multiply(image, field, image);
        TensorPrimitives.Add(image, min, image);
    }
}
