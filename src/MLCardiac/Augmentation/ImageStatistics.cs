using System.Numerics.Tensors;

namespace MLCardiac.Augmentation;

/// <summary>SIMD statistics of an image (TensorPrimitives), shared by the intensity transforms.</summary>
internal static class ImageStatistics
{
    /// <summary>Minimum and maximum.</summary>
    public static (float Min, float Max) Range(ReadOnlySpan<float> image) => (TensorPrimitives.Min(image), TensorPrimitives.Max(image));

    /// <summary>Mean and (population) standard deviation.</summary>
    public static (double Mean, double Std) MeanStd(ReadOnlySpan<float> image)
    {
        double mean = TensorPrimitives.Sum(image) / (double)image.Length;
        double sumSq = TensorPrimitives.SumOfSquares(image) / (double)image.Length;
        return (mean, Math.Sqrt(Math.Max(0, sumSq - (mean * mean))));
    }

    /// <summary>image = image·scale + offset.</summary>
    public static void ScaleShift(Span<float> image, float scale, float offset)
    {
        TensorPrimitives.Multiply(image, scale, image);
        TensorPrimitives.Add(image, offset, image);
    }

    /// <summary>Clamps every value into [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void Clamp(Span<float> image, float min, float max)
    {
        TensorPrimitives.Max(image, min, image);
        TensorPrimitives.Min(image, max, image);
    }
}
