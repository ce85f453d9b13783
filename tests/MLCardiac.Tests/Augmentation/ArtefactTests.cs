using System.Numerics;
using MLCardiac.Augmentation;

namespace MLCardiac.Tests.Augmentation;

[TestClass]
public sealed class ArtefactTests
{
    private const int N = TestSlices.Size;

    [TestMethod]
    public void BiasField_RandomCoefficients_IsSmoothAndWithinItsBound()
    {
        for (ulong seed = 0; seed < 5; seed++)
        {
            var bias = (BiasField)new RandomBiasField().Sample(new AugmentationRandom(seed));
            var field = new float[N * N];
            bias.ComputeField(field, N, N);

            double bound = Math.Exp(bias.LogBound);
            Assert.IsTrue(field.All(f => f > 0 && f >= (1 / bound) - 1e-6 && f <= bound + 1e-6));

            // |∇ log field| ≤ Σ|c_ij|·(i + j) per unit of [−1, 1]: one pixel is 2/(N − 1) of that.
            double maxStep = 0;
            for (int y = 0; y < N; y++)
            {
                for (int x = 1; x < N; x++)
                {
                    maxStep = Math.Max(maxStep, Math.Abs(Math.Log(field[(y * N) + x]) - Math.Log(field[(y * N) + x - 1])));
                    maxStep = Math.Max(maxStep, Math.Abs(Math.Log(field[(x * N) + y]) - Math.Log(field[((x - 1) * N) + y])));
                }
            }

            Assert.IsLessThan(3 * bias.LogBound * 2.0 / (N - 1), maxStep);
        }
    }

    [TestMethod]
    public void BiasField_Apply_MultipliesSignalAboveMinimum()
    {
        (float[] image, _) = TestSlices.Phantom();
        float[] image0 = (float[])image.Clone();
        var bias = new BiasField(1, [0.2, 0.3, -0.1]);
        var field = new float[N * N];
        bias.ComputeField(field, N, N);

        bias.Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        float min = image0.Min();
        for (int i = 0; i < image.Length; i++)
        {
            Assert.AreEqual(min + ((image0[i] - min) * field[i]), image[i], 1e-5f);
        }
    }

    [TestMethod]
    public void GibbsRinging_KeepsLowFrequenciesAndRemovesHighOnes()
    {
        (float[] image, _) = TestSlices.Phantom();
        Complex[] before = TestSlices.Spectrum(image, N, N);

        new GibbsRinging { KeepFraction = 0.5 }.Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        Complex[] after = TestSlices.Spectrum(image, N, N);
        double scale = before.Max(c => c.Magnitude);
        int cut = N / 4;
        for (int y = 0; y < N; y++)
        {
            for (int x = 0; x < N; x++)
            {
                int ky = y <= N / 2 ? y : y - N, kx = x <= N / 2 ? x : x - N;
                Complex expected = Math.Abs(ky) <= cut && Math.Abs(kx) <= cut ? before[(y * N) + x] : Complex.Zero;
                Assert.IsLessThan(1e-4 * scale, (after[(y * N) + x] - expected).Magnitude, $"k = ({ky}, {kx})");
            }
        }
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    public void Ghosting_BrightSquare_AddsCopiesAtNOverGhostsAlongPhaseAxis(int axis)
    {
        var image = new float[N * N];
        for (int y = 28; y < 36; y++)
        {
            for (int x = 28; x < 36; x++)
            {
                image[(y * N) + x] = 1;
            }
        }

        new Ghosting { NumGhosts = 4, Axis = axis, Intensity = 1, RestoreFraction = 0 }
            .Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        // Ghost period 4 lines → copies every N/4 = 16 pixels along the axis, of amplitude 1/4.
        double Energy(int dy, int dx)
        {
            double e = 0;
            for (int y = 28; y < 36; y++)
            {
                for (int x = 28; x < 36; x++)
                {
                    float v = image[(((y + dy + N) % N) * N) + ((x + dx + N) % N)];
                    e += v * v;
                }
            }

            return e / 64;
        }

        int offset = N / 4;
        double along = axis == 0 ? Energy(offset, 0) : Energy(0, offset);
        double across = axis == 0 ? Energy(0, offset) : Energy(offset, 0);
        Assert.AreEqual(1.0 / 16, along, 1e-3, "ghost of amplitude 1/4 at N/4");
        Assert.IsLessThan(1e-6, across);
        Assert.AreEqual(0.75 * 0.75, Energy(0, 0), 1e-3, "the original loses 1/4");
    }

    [TestMethod]
    public void Ghosting_InKSpace_ScalesEveryNthPhaseLineOutsideTheCentreOnly()
    {
        (float[] image, _) = TestSlices.Phantom();
        Complex[] before = TestSlices.Spectrum(image, N, N);

        // Restore 0.1 of N/2 = 3.2 lines: |k_y| ≤ 3 untouched.
        new Ghosting { NumGhosts = 5, Axis = 0, Intensity = 0.6, RestoreFraction = 0.1 }
            .Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        Complex[] after = TestSlices.Spectrum(image, N, N);
        double max = before.Max(c => c.Magnitude);
        for (int y = 0; y < N; y++)
        {
            int ky = y <= N / 2 ? y : y - N;
            double factor = ky % 5 == 0 && Math.Abs(ky) > 3 ? 0.4 : 1.0;
            for (int x = 0; x < N; x++)
            {
                Assert.IsLessThan(1e-4 * max, (after[(y * N) + x] - (factor * before[(y * N) + x])).Magnitude, $"k = ({ky}, {x})");
            }
        }
    }

    [TestMethod]
    public void Spike_AddsEnergyAtTheSpikeFrequencyOnly()
    {
        (float[] image, _) = TestSlices.Phantom();
        Complex[] before = TestSlices.Spectrum(image, N, N);

        new Spike([new KSpaceSpike(0.25, -0.125, 0.5)]).Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        Complex[] after = TestSlices.Spectrum(image, N, N);
        double max = before.Max(c => c.Magnitude);
        int ky = 16, kx = N - 8;
        int spike = (ky * N) + kx, mirror = (((N - ky) % N) * N) + ((N - kx) % N);
        for (int i = 0; i < after.Length; i++)
        {
            double change = (after[i] - before[i]).Magnitude;
            double expected = i == spike || i == mirror ? 0.25 * max : 0;
            Assert.AreEqual(expected, change, 1e-4 * max, $"bin {i}");
        }
    }

    [TestMethod]
    public void Motion_LinesAcquiredBeforeTheMovement_AreUnchanged()
    {
        (float[] image, _) = TestSlices.Phantom();
        Complex[] before = TestSlices.Spectrum(image, N, N);

        new Motion(0, [new MotionEvent(0.75, 8, 4, -3)]).Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        // Real part of the inverse: the spectrum becomes Hermitian-symmetrised, (S + conj(S(−k)))/2.
        Complex[] after = TestSlices.Spectrum(image, N, N);
        double max = before.Max(c => c.Magnitude);
        int changedRows = 0;
        for (int y = 0; y < N; y++)
        {
            // Frequencies −32..15 are acquired before the movement (order k + N/2 < 48); with the mirror −k too: |k| ≤ 15.
            int k = y <= N / 2 ? y : y - N;
            bool early = Math.Abs(k) <= 15;
            double rowChange = 0;
            for (int x = 0; x < N; x++)
            {
                rowChange = Math.Max(rowChange, (after[(y * N) + x] - before[(y * N) + x]).Magnitude);
            }

            if (early)
            {
                Assert.IsLessThan(1e-4 * max, rowChange, $"row {y} acquired before the movement");
            }
            else
            {
                changedRows += rowChange > 1e-3 * max ? 1 : 0;
            }
        }

        Assert.IsGreaterThan(0, changedRows);
    }
}
