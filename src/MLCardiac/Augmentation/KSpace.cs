using System.Numerics;

namespace MLCardiac.Augmentation;

/// <summary>k-space helpers for the MRI artefacts: FFT of the image into workspace scratch and back.</summary>
internal static class KSpace
{
    /// <summary>Signed frequency of FFT index <paramref name="index"/> of <paramref name="n"/> points: 0, 1, …, n/2, −(n/2 − 1), …, −1.</summary>
    public static int Frequency(int index, int n) => index <= n / 2 ? index : index - n;

    /// <summary>FFT index of signed frequency <paramref name="frequency"/>.</summary>
    public static int Index(int frequency, int n) => ((frequency % n) + n) % n;

    /// <summary>The spectrum of <paramref name="image"/> in complex scratch <paramref name="slot"/>.</summary>
    public static Span<Complex> Forward(ReadOnlySpan<float> image, int height, int width, AugmentationWorkspace workspace, int slot)
    {
        Span<Complex> spectrum = workspace.Complex(slot, height * width);
        Fft2D.FromReal(image, spectrum);
        workspace.Fft(height, width).Forward(spectrum);
        return spectrum;
    }

    /// <summary>Inverse FFT of <paramref name="spectrum"/>; its real part goes into <paramref name="image"/>.</summary>
    public static void InverseToReal(Span<Complex> spectrum, Span<float> image, int height, int width, AugmentationWorkspace workspace)
    {
        workspace.Fft(height, width).Inverse(spectrum);
        Fft2D.ToReal(spectrum, image);
    }
}
