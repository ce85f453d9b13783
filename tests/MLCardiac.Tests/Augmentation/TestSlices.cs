using System.Numerics;
using MLCardiac.Augmentation;

namespace MLCardiac.Tests.Augmentation;

/// <summary>Small synthetic slices and reference maths shared by the augmentation tests.</summary>
internal static class TestSlices
{
    public const int Size = 64;

    public static (float[] Image, byte[] Label) Phantom(int size = Size, ulong? seed = 1)
    {
        var image = new float[size * size];
        var label = new byte[size * size];
        SyntheticCardiacSlice.Generate(image, label, size, size, seed is null ? null : new AugmentationRandom(seed.Value));
        return (image, label);
    }

    public static float[] Constant(int n, float value)
    {
        var image = new float[n];
        Array.Fill(image, value);
        return image;
    }

    public static (double Mean, double Std) MeanStd(ReadOnlySpan<float> values)
    {
        double mean = 0;
        foreach (float v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        double var = 0;
        foreach (float v in values)
        {
            var += (v - mean) * (v - mean);
        }

        return (mean, Math.Sqrt(var / values.Length));
    }

    public static Complex[] NaiveDft2D(ReadOnlySpan<float> image, int h, int w)
    {
        var result = new Complex[h * w];
        for (int ky = 0; ky < h; ky++)
        {
            for (int kx = 0; kx < w; kx++)
            {
                Complex sum = Complex.Zero;
                for (int y = 0; y < h; y++)
                {
                    for (int x = 0; x < w; x++)
                    {
                        double angle = -2 * Math.PI * ((((double)ky * y) / h) + (((double)kx * x) / w));
                        sum += image[(y * w) + x] * new Complex(Math.Cos(angle), Math.Sin(angle));
                    }
                }

                result[(ky * w) + kx] = sum;
            }
        }

        return result;
    }

    public static Complex[] Spectrum(ReadOnlySpan<float> image, int h, int w)
    {
        var data = new Complex[h * w];
        Fft2D.FromReal(image, data);
        new Fft2D(h, w).Forward(data);
        return data;
    }
}
