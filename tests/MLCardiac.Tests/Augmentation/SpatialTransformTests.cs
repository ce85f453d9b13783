using MLCardiac.Augmentation;

namespace MLCardiac.Tests.Augmentation;

[TestClass]
public sealed class SpatialTransformTests
{
    private const int N = TestSlices.Size;

    private static readonly RandomSpatialTransform Everything = new()
    {
        RotationProbability = 1,
        ScalingProbability = 1,
        AnisotropicScalingProbability = 1,
        ShearProbability = 1,
        TranslationProbability = 1,
        ElasticProbability = 1,
        ElasticMaxDisplacementMm = 6,
    };

    [TestMethod]
    public void Apply_IdentityParameters_ReturnsInputBitwise()
    {
        (float[] image, byte[] label) = TestSlices.Phantom();
        float[] image0 = (float[])image.Clone();
        byte[] label0 = (byte[])label.Clone();
        var transform = new SpatialTransform { Elastic = new ElasticField(4, 4, new float[16], new float[16]) };

        transform.Apply(new AugmentationSample(image, label, N, N), new AugmentationWorkspace());

        CollectionAssert.AreEqual(image0, image);
        CollectionAssert.AreEqual(label0, label);
    }

    [TestMethod]
    public void Apply_MirrorBothAxes_ReversesPixelsExactly()
    {
        (float[] image, byte[] label) = TestSlices.Phantom();
        float[] image0 = (float[])image.Clone();
        byte[] label0 = (byte[])label.Clone();

        new SpatialTransform { FlipX = true, FlipY = true }.Apply(new AugmentationSample(image, label, N, N), new AugmentationWorkspace());

        for (int i = 0; i < image.Length; i++)
        {
            Assert.AreEqual(image0[image.Length - 1 - i], image[i]);
            Assert.AreEqual(label0[image.Length - 1 - i], label[i]);
        }
    }

    [TestMethod]
    public void Apply_Translation2PixelsEdge_ShiftsContent()
    {
        (float[] image, byte[] label) = TestSlices.Phantom();
        byte[] label0 = (byte[])label.Clone();

        // 2 px along x at 1.5 mm per column = 3 mm.
        new SpatialTransform { TranslationXMm = 3, Border = BorderMode.Edge }
            .Apply(new AugmentationSample(image, label, N, N, 1.0, 1.5), new AugmentationWorkspace());

        for (int y = 0; y < N; y++)
        {
            for (int x = 2; x < N; x++)
            {
                Assert.AreEqual(label0[(y * N) + x - 2], label[(y * N) + x]);
            }
        }
    }

    [TestMethod]
    public void Apply_Rotation90OnAnisotropicPixels_IsARotationInMm()
    {
        // A 2:1 spacing: a rotation in mm must swap the physical extents, so a disc in mm stays a disc.
        const int h = 64, w = 64;
        var image = new float[h * w];
        var label = new byte[h * w];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double dy = (y - 31.5) * 2.0, dx = (x - 31.5) * 1.0; // mm
                label[(y * w) + x] = (byte)((dx * dx) + (dy * dy) < 20 * 20 ? 1 : 0);
            }
        }

        byte[] label0 = (byte[])label.Clone();
        new SpatialTransform { RotationDegrees = 90, LabelInterpolation = LabelInterpolation.Nearest }
            .Apply(new AugmentationSample(image, label, h, w, 2.0, 1.0), new AugmentationWorkspace());

        int differences = 0;
        for (int i = 0; i < label.Length; i++)
        {
            differences += label[i] != label0[i] ? 1 : 0;
        }

        // Only boundary pixels may change (nearest neighbour on a 2 mm grid); a rotation in pixel space would
        // turn the 40×20-pixel ellipse upright and change about half of it.
        Assert.IsLessThan(label0.Count(v => v == 1) / 10, differences, "a disc in mm is invariant under rotation");
    }

    [TestMethod]
    public void Apply_RandomParametersWithElastic_OneHotChannelsStayAlignedWithLabel()
    {
        var workspace = new AugmentationWorkspace();
        for (ulong seed = 0; seed < 8; seed++)
        {
            (float[] image, byte[] label) = TestSlices.Phantom(seed: seed);
            var transform = (SpatialTransform)Everything.Sample(new AugmentationRandom(seed));
            var channels = new float[4][];
            for (int c = 0; c < 4; c++)
            {
                channels[c] = label.Select(l => l == c ? 1f : 0f).ToArray();
                transform.Apply(new AugmentationSample(channels[c], N, N), workspace);
            }

            transform.Apply(new AugmentationSample(image, label, N, N), workspace);

            int agree = 0;
            for (int i = 0; i < label.Length; i++)
            {
                int best = 0;
                for (int c = 1; c < 4; c++)
                {
                    if (channels[c][i] > channels[best][i])
                    {
                        best = c;
                    }
                }

                agree += best == label[i] ? 1 : 0;
            }

            Assert.IsGreaterThanOrEqualTo(0.99, agree / (double)label.Length, $"seed {seed}: {transform.Describe()}");
        }
    }

    [TestMethod]
    [DataRow(LabelInterpolation.Linear, BorderMode.Constant)]
    [DataRow(LabelInterpolation.Nearest, BorderMode.Edge)]
    public void Apply_RandomParameters_LabelsKeepOnlyInputValues(LabelInterpolation mode, BorderMode border)
    {
        var random = new RandomSpatialTransform
        {
            RotationProbability = 1,
            ScalingProbability = 1,
            ShearProbability = 1,
            ElasticProbability = 1,
            ElasticMaxDisplacementMm = 10,
            LabelInterpolation = mode,
            Border = border,
        };
        var workspace = new AugmentationWorkspace();
        for (ulong seed = 0; seed < 10; seed++)
        {
            (float[] image, byte[] label) = TestSlices.Phantom(seed: seed);
            random.Sample(new AugmentationRandom(seed + 100)).Apply(new AugmentationSample(image, label, N, N), workspace);
            Assert.IsTrue(label.All(l => l <= 3), "labels stay in 0..3");
            Assert.IsTrue(label.Any(l => l == 2), "the myocardium survives");
        }
    }

    [TestMethod]
    public void Apply_Elastic_MovesPixelsByAtMostTheControlDisplacement()
    {
        // A ramp image x: after a pure elastic warp each value tells where it came from.
        var image = new float[N * N];
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = i % N;
        }

        var transform = (SpatialTransform)new RandomSpatialTransform
        {
            RotationProbability = 0,
            ScalingProbability = 0,
            MirrorXProbability = 0,
            MirrorYProbability = 0,
            ElasticProbability = 1,
            ElasticMaxDisplacementMm = 4,
            Border = BorderMode.Edge,
        }.Sample(new AugmentationRandom(5));

        transform.Apply(new AugmentationSample(image, N, N), new AugmentationWorkspace());

        double maxShift = 0, sumShift = 0;
        for (int i = 0; i < image.Length; i++)
        {
            double shift = Math.Abs(image[i] - (i % N));
            maxShift = Math.Max(maxShift, shift);
            sumShift += shift;
        }

        Assert.IsLessThanOrEqualTo(4.0 + 1e-4, maxShift);
        Assert.IsGreaterThan(0.1, sumShift / image.Length, "the field is not zero");
    }

    [TestMethod]
    [DataRow(true, false, 0.0, 0.0, BorderMode.Constant)]
    [DataRow(false, true, 2.5, -5.0, BorderMode.Constant)]
    [DataRow(true, true, -3.75, 1.25, BorderMode.Edge)]
    public void Apply_FlipsAndWholePixelShifts_EqualTheGeneralResamplingPath(bool flipX, bool flipY, double shiftXMm, double shiftYMm, BorderMode border)
    {
        // Spacing 1.25 mm: the shifts are whole pixels, so the fast copy path is taken; a tiny elastic field
        // forces the general bilinear path with the same geometry (its displacement rounds to 0 in float).
        (float[] fast, byte[] fastLabel) = TestSlices.Phantom();
        (float[] general, byte[] generalLabel) = TestSlices.Phantom();
        var field = new float[16];
        field[5] = 1e-30f;
        SpatialTransform Make(ElasticField? elastic) => new()
        {
            FlipX = flipX,
            FlipY = flipY,
            TranslationXMm = shiftXMm,
            TranslationYMm = shiftYMm,
            Border = border,
            FillValue = -1,
            Elastic = elastic,
        };

        Make(null).Apply(new AugmentationSample(fast, fastLabel, N, N, 1.25, 1.25), new AugmentationWorkspace());
        Make(new ElasticField(4, 4, field, new float[16])).Apply(new AugmentationSample(general, generalLabel, N, N, 1.25, 1.25), new AugmentationWorkspace());

        CollectionAssert.AreEqual(general, fast);
        CollectionAssert.AreEqual(generalLabel, fastLabel);
    }
}
