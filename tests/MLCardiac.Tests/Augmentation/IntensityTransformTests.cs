using MLCardiac.Augmentation;

namespace MLCardiac.Tests.Augmentation;

[TestClass]
public sealed class IntensityTransformTests
{
    private const int N = TestSlices.Size;

    public static IEnumerable<object[]> IdentityTransforms =>
    [
        [new Gamma { Value = 1, Invert = true, RetainStats = true }],
        [new Brightness { Multiplier = 1 }],
        [new Contrast { Factor = 1 }],
        [new GaussianNoise { StandardDeviation = 0, Seed = 3 }],
        [new RicianNoise { StandardDeviation = 0, Seed = 3 }],
        [new GaussianBlur { SigmaX = 0, SigmaY = 0 }],
        [new LowResolution { Scale = 1 }],
        [new IntensityRemap([0f, 0.25f, 0.5f, 0.75f, 1f])],
        [new BiasField(3, new double[10])],
        [new GibbsRinging { KeepFraction = 1 }],
        [new Spike([new KSpaceSpike(0.2, 0.1, 0)])],
        [new Ghosting { NumGhosts = 4, Intensity = 0 }],
        [new Motion(0, [new MotionEvent(0.5, 0, 0, 0)])],
        [new SpatialTransform()],
    ];

    [TestMethod]
    [DynamicData(nameof(IdentityTransforms))]
    public void Apply_IdentityParameters_ReturnsInputBitwise(IAugmentation transform)
    {
        (float[] image, byte[] label) = TestSlices.Phantom();
        float[] image0 = (float[])image.Clone();
        byte[] label0 = (byte[])label.Clone();

        transform.Apply(new AugmentationSample(image, label, N, N), new AugmentationWorkspace());

        CollectionAssert.AreEqual(image0, image, transform.Describe());
        CollectionAssert.AreEqual(label0, label, transform.Describe());
    }

    [TestMethod]
    [DataRow(0.7, false)]
    [DataRow(1.5, false)]
    [DataRow(0.7, true)]
    [DataRow(1.5, true)]
    public void Gamma_WithoutRetainStats_IsMonotonicAndKeepsMinMax(double gamma, bool invert)
    {
        (float[] image, _) = TestSlices.Phantom();
        float[] image0 = (float[])image.Clone();

        new Gamma { Value = gamma, Invert = invert }.Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        Assert.AreEqual(image0.Min(), image.Min(), 1e-5f);
        Assert.AreEqual(image0.Max(), image.Max(), 1e-5f);
        int[] order = Enumerable.Range(0, image.Length).OrderBy(i => image0[i]).ToArray();
        for (int k = 1; k < order.Length; k++)
        {
            Assert.IsGreaterThanOrEqualTo(image[order[k - 1]] - 1e-6f, image[order[k]], "monotonic");
        }

        Assert.IsTrue(image.Zip(image0).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "the image changed");
    }

    [TestMethod]
    public void Gamma_WithRetainStats_KeepsMeanAndStd()
    {
        (float[] image, _) = TestSlices.Phantom();
        var (mean0, std0) = TestSlices.MeanStd(image);

        new Gamma { Value = 1.4, RetainStats = true }.Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        var (mean, std) = TestSlices.MeanStd(image);
        Assert.AreEqual(mean0, mean, 1e-4);
        Assert.AreEqual(std0, std, 1e-4);
    }

    [TestMethod]
    [DataRow(0.1)]
    [DataRow(0.3)]
    public void GaussianNoise_OnConstantImage_MeasuredStdMatchesRequested(double sigma)
    {
        float[] image = TestSlices.Constant(256 * 256, 0.5f);

        new GaussianNoise { StandardDeviation = sigma, Seed = 11 }.Apply(new AugmentationSample(image, 256, 256), new AugmentationWorkspace());

        var (mean, std) = TestSlices.MeanStd(image);
        Assert.AreEqual(sigma, std, sigma * 0.02);
        Assert.AreEqual(0.5, mean, sigma * 0.02);
    }

    [TestMethod]
    public void RicianNoise_OnBrightRegion_IsNearlyGaussianWithRequestedStd()
    {
        // Minimum pixel 0 anchors the magnitude; the rest sits at 20σ, where Rician ≈ Gaussian.
        float[] image = TestSlices.Constant(256 * 256, 2f);
        image[0] = 0;

        new RicianNoise { StandardDeviation = 0.1, Seed = 5 }.Apply(new AugmentationSample(image, 256, 256), new AugmentationWorkspace());

        var (mean, std) = TestSlices.MeanStd(image.AsSpan(1));
        Assert.AreEqual(0.1, std, 0.003);
        Assert.AreEqual(2.0, mean, 0.01);
    }

    [TestMethod]
    public void Contrast_PreserveRange_KeepsMinMaxAndCentresOnMean()
    {
        (float[] image, _) = TestSlices.Phantom();
        float lo = image.Min(), hi = image.Max();

        new Contrast { Factor = 1.25 }.Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        Assert.IsGreaterThanOrEqualTo(lo, image.Min());
        Assert.IsLessThanOrEqualTo(hi, image.Max());
        Assert.AreEqual(lo, image.Min(), 1e-6f, "low values stretched to the clip");
    }

    [TestMethod]
    public void GaussianBlur_OnNoise_ReducesVarianceAndKeepsConstants()
    {
        float[] constant = TestSlices.Constant(N * N, 1.5f);
        var noise = new float[N * N];
        new AugmentationRandom(1).FillGaussian(noise, 0, 1);
        var blur = new GaussianBlur { SigmaX = 1, SigmaY = 1 };

        blur.Apply(new AugmentationSample(constant, N, N), new AugmentationWorkspace());
        blur.Apply(new AugmentationSample(noise, N, N), new AugmentationWorkspace());

        Assert.IsTrue(constant.All(v => Math.Abs(v - 1.5f) < 1e-5f));
        // For σ = 1 px white noise keeps 1/(4πσ²) ≈ 0.08 of its variance.
        double std = TestSlices.MeanStd(noise).Std;
        Assert.AreEqual(Math.Sqrt(1 / (4 * Math.PI)), std, 0.04);
    }

    [TestMethod]
    public void LowResolution_HalfScale_KeepsRangeAndLosesDetail()
    {
        (float[] image, _) = TestSlices.Phantom();
        float lo = image.Min(), hi = image.Max();
        float[] image0 = (float[])image.Clone();

        new LowResolution { Scale = 0.5 }.Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        Assert.IsGreaterThanOrEqualTo(lo - 1e-5f, image.Min());
        Assert.IsLessThanOrEqualTo(hi + 1e-5f, image.Max());
        double diff = image.Zip(image0).Average(p => Math.Abs(p.First - p.Second));
        Assert.IsGreaterThan(0.01, diff);
    }

    [TestMethod]
    public void IntensityRemap_RandomCurve_IsMonotonicAndKeepsRange()
    {
        (float[] image, _) = TestSlices.Phantom();
        float[] image0 = (float[])image.Clone();
        var remap = new RandomIntensityRemap { Strength = new ParameterRange(1, 1) }.Sample(new AugmentationRandom(2));

        remap.Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        Assert.AreEqual(image0.Min(), image.Min(), 1e-5f);
        Assert.AreEqual(image0.Max(), image.Max(), 1e-5f);
        int[] order = Enumerable.Range(0, image.Length).OrderBy(i => image0[i]).ToArray();
        for (int k = 1; k < order.Length; k++)
        {
            Assert.IsGreaterThanOrEqualTo(image[order[k - 1]] - 1e-5f, image[order[k]]);
        }
    }

    [TestMethod]
    public void Brightness_Factor_MultipliesEveryPixel()
    {
        (float[] image, _) = TestSlices.Phantom();
        float[] image0 = (float[])image.Clone();

        new Brightness { Multiplier = 1.2 }.Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        for (int i = 0; i < image.Length; i++)
        {
            Assert.AreEqual(image0[i] * 1.2f, image[i], 1e-5f);
        }
    }
}
