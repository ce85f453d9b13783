using MLCardiac.Augmentation;

namespace MLCardiac.Tests.Augmentation;

[TestClass]
public sealed class AugmentationPipelineTests
{
    private const int N = TestSlices.Size;

    [TestMethod]
    [DataRow("none", AugmentationPreset.None)]
    [DataRow("Standard", AugmentationPreset.Standard)]
    [DataRow("HEAVY", AugmentationPreset.Heavy)]
    [DataRow(" heavy ", AugmentationPreset.Heavy)]
    public void ParsePreset_AnyCase_ReturnsPreset(string name, AugmentationPreset expected)
        => Assert.AreEqual(expected, AugmentationPipeline.ParsePreset(name));

    [TestMethod]
    [DataRow("medium")]
    [DataRow("")]
    [DataRow("1")]
    public void FromPreset_UnknownName_ThrowsListingValidNames(string name)
    {
        var ex = Assert.ThrowsExactly<MLCardiacException>(() => AugmentationPipeline.FromPreset(name));
        StringAssert.Contains(ex.Message, "none, standard, heavy");
    }

    [TestMethod]
    public void Apply_NonePreset_LeavesSliceUnchanged()
    {
        (float[] image, byte[] label) = TestSlices.Phantom();
        float[] image0 = (float[])image.Clone();

        AugmentationPipeline.FromPreset("none").Apply(new AugmentationSample(image, label, N, N), seed: 1, sampleIndex: 0);

        CollectionAssert.AreEqual(image0, image);
    }

    [TestMethod]
    [DataRow("standard")]
    [DataRow("heavy")]
    public void Apply_SameSeed_GivesBitwiseEqualOutput_DifferentSeedsDiffer(string preset)
    {
        var pipeline = AugmentationPipeline.FromPreset(preset);
        int differing = 0;
        for (long index = 0; index < 20; index++)
        {
            (float[] a, byte[] la) = TestSlices.Phantom();
            (float[] b, byte[] lb) = TestSlices.Phantom();
            (float[] c, byte[] lc) = TestSlices.Phantom();

            pipeline.Apply(new AugmentationSample(a, la, N, N), 42, index);
            pipeline.Apply(new AugmentationSample(b, lb, N, N), 42, index);
            pipeline.Apply(new AugmentationSample(c, lc, N, N), 43, index);

            CollectionAssert.AreEqual(a, b);
            CollectionAssert.AreEqual(la, lb);
            differing += a.SequenceEqual(c) ? 0 : 1;
        }

        Assert.IsGreaterThanOrEqualTo(18, differing, "another seed gives another augmentation");
    }

    [TestMethod]
    public void Apply_ParallelOverSamples_EqualsSequential()
    {
        var pipeline = AugmentationPipeline.FromPreset(AugmentationPreset.Heavy);
        const int count = 32;
        var sequential = new float[count][];
        var parallel = new float[count][];
        for (int i = 0; i < count; i++)
        {
            sequential[i] = TestSlices.Phantom().Image;
            parallel[i] = TestSlices.Phantom().Image;
            pipeline.Apply(new AugmentationSample(sequential[i], N, N), 7, i);
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => pipeline.Apply(new AugmentationSample(parallel[i], N, N), 7, i));

        for (int i = 0; i < count; i++)
        {
            CollectionAssert.AreEqual(sequential[i], parallel[i]);
        }
    }

    [TestMethod]
    public void Apply_RecordedTransforms_ReplayToTheSameOutput()
    {
        var pipeline = AugmentationPipeline.FromPreset(AugmentationPreset.Heavy);
        for (long index = 0; index < 10; index++)
        {
            (float[] a, byte[] la) = TestSlices.Phantom();
            (float[] b, byte[] lb) = TestSlices.Phantom();
            var applied = new List<IAugmentation>();

            pipeline.Apply(new AugmentationSample(a, la, N, N), 9, index, applied: applied);
            var workspace = new AugmentationWorkspace();
            foreach (IAugmentation effect in applied)
            {
                effect.Apply(new AugmentationSample(b, lb, N, N), workspace);
            }

            CollectionAssert.AreEqual(a, b);
            CollectionAssert.AreEqual(la, lb);
        }
    }

    [TestMethod]
    public void Apply_HeavyPreset_KeepsLabelsInRangeAndImageFinite()
    {
        var pipeline = AugmentationPipeline.FromPreset(AugmentationPreset.Heavy);
        for (long index = 0; index < 60; index++)
        {
            (float[] image, byte[] label) = TestSlices.Phantom(seed: (ulong)index);
            pipeline.Apply(new AugmentationSample(image, label, N, N, 1.25, 1.25), 3, index);
            Assert.IsTrue(label.All(l => l <= 3));
            Assert.IsTrue(image.All(float.IsFinite));
        }
    }

    [TestMethod]
    public void Apply_UnlabeledSample_AugmentsImageOnly()
    {
        var pipeline = new AugmentationPipeline([new AugmentationStep(new RandomSpatialTransform { RotationProbability = 1 }, 1)]);
        (float[] image, _) = TestSlices.Phantom();
        float[] image0 = (float[])image.Clone();

        pipeline.Apply(new AugmentationSample(image, N, N), 1, 0);

        Assert.IsFalse(image.SequenceEqual(image0));
    }

    [TestMethod]
    public void AugmentationStep_ProbabilityOutOfRange_Throws()
        => Assert.ThrowsExactly<MLCardiacException>(() => new AugmentationStep(new RandomGamma(), 1.5));

    [TestMethod]
    public void AugmentationSample_WrongImageLength_Throws()
        => Assert.ThrowsExactly<MLCardiacException>(() => _ = new AugmentationSample(new float[10], 3, 3).PixelCount);

    [TestMethod]
    public void FromPreset_Standard_MatchesNnUNetProbabilities()
    {
        var steps = AugmentationPipeline.FromPreset(AugmentationPreset.Standard).Steps;
        var byName = steps.ToDictionary(s => s.Transform.Name, s => s.Probability);

        Assert.AreEqual(0.1, byName["gaussian noise"]);
        Assert.AreEqual(0.2, byName["gaussian blur"]);
        Assert.AreEqual(0.15, byName["brightness"]);
        Assert.AreEqual(0.15, byName["contrast"]);
        Assert.AreEqual(0.25, byName["low resolution"]);
        Assert.AreEqual(0.1, byName["inverted gamma"]);
        Assert.AreEqual(0.3, byName["gamma"]);
        var spatial = (RandomSpatialTransform)steps[0].Transform;
        Assert.AreEqual(0.2, spatial.RotationProbability);
        Assert.AreEqual(new ParameterRange(-180, 180), spatial.RotationDegrees);
        Assert.AreEqual(new ParameterRange(0.7, 1.4), spatial.Scale);
        Assert.AreEqual(0.5, spatial.MirrorXProbability);
        Assert.AreEqual(0, spatial.ElasticProbability);
    }

    [TestMethod]
    public void Apply_HeavyPresetAfterWarmUp_AllocatesNothingPerPixel()
    {
        const int size = 128;
        var pipeline = AugmentationPipeline.FromPreset(AugmentationPreset.Heavy);
        var workspace = new AugmentationWorkspace();
        var image = new float[size * size];
        var label = new byte[size * size];
        for (long i = 0; i < 50; i++)
        {
            pipeline.Apply(new AugmentationSample(image, label, size, size), 1, i, workspace);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        const int samples = 100;
        for (long i = 0; i < samples; i++)
        {
            SyntheticCardiacSlice.Generate(image, label, size, size);
            pipeline.Apply(new AugmentationSample(image, label, size, size), 2, i, workspace);
        }

        // Only the drawn parameter objects are allocated: far below one byte per pixel (16,384 pixels).
        long perSample = (GC.GetAllocatedBytesForCurrentThread() - before) / samples;
        Assert.IsLessThan(4096, perSample);
    }

    [TestMethod]
    [DataRow(45, 60)]
    [DataRow(37, 53)]
    [DataRow(128, 96)]
    public void Apply_EveryTransformOnNonSquareSlices_KeepsLabelsAndFiniteImage(int height, int width)
    {
        // Every heavy step forced on (p = 1), including the k-space artefacts on odd, non-power-of-two sizes.
        var heavy = AugmentationPipeline.FromPreset(AugmentationPreset.Heavy);
        var forced = new AugmentationPipeline(heavy.Steps.Select(s => new AugmentationStep(s.Transform, 1)));
        for (long index = 0; index < 5; index++)
        {
            var image = new float[height * width];
            var label = new byte[height * width];
            SyntheticCardiacSlice.Generate(image, label, height, width, new AugmentationRandom((ulong)index));

            forced.Apply(new AugmentationSample(image, label, height, width, 1.4, 1.1), 5, index);

            Assert.IsTrue(image.All(float.IsFinite));
            Assert.IsTrue(label.All(l => l <= 3));
            Assert.IsGreaterThan(0.1, TestSlices.MeanStd(image).Std, "the slice still has contrast");
        }
    }
}
