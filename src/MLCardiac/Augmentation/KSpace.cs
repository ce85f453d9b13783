using System.Numerics;

namespace MLCardiac.Augmentation;

/// <summary>
/// k-space helpers for the MRI artefacts. Spectra are half spectra [H, W/2 + 1] from <see cref="RealFft2D"/>:
/// an artefact edits the stored bins so that Re(IFFT2) of the full spectrum is the artefacted image.
/// </summary>
internal static class KSpace
{
    /// <summary>Signed frequency of FFT index <paramref name="index"/> of <paramref name="n"/> points: 0, 1, …, n/2, −(n/2 − 1), …, −1.</summary>
    public static int Frequency(int index, int n) => index <= n / 2 ? index : index - n;

    /// <summary>FFT index of signed frequency <paramref name="frequency"/>.</summary>
    public static int Index(int frequency, int n) => ((frequency % n) + n) % n;

    /// <summary>The half spectrum of <paramref name="image"/> in complex scratch <paramref name="slot"/>.</summary>
    public static Span<Complex> Forward(ReadOnlySpan<float> image, int height, int width, AugmentationWorkspace workspace, int slot)
    {
        RealFft2D fft = workspace.RealFft(height, width);
        Span<Complex> spectrum = workspace.Complex(slot, height * fft.HalfWidth);
        fft.Forward(image, spectrum);
        return spectrum;
    }

    /// <summary>Re(IFFT2) of the half spectrum (overwritten) into <paramref name="image"/>.</summary>
    public static void InverseToReal(Span<Complex> spectrum, Span<float> image, int height, int width, AugmentationWorkspace workspace)
        => workspace.RealFft(height, width).Inverse(spectrum, image);
}
