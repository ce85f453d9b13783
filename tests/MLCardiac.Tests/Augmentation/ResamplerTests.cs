using MLCardiac.Augmentation;

namespace MLCardiac.Tests.Augmentation;

[TestClass]
public sealed class ResamplerTests
{
    private const int N = 40;

    private static (float[] X, float[] Y) RandomPositions(ulong seed)
    {
        // A rotated, slightly zoomed-out grid with jitter: mostly inside (vector path), corners beyond the
        // border (scalar path), fractional positions everywhere.
        var random = new AugmentationRandom(seed);
        var xs = new float[N * N];
        var ys = new float[N * N];
        double c = Math.Cos(0.35) * 1.15, s = Math.Sin(0.35) * 1.15, centre = (N - 1) / 2.0;
        for (int y = 0; y < N; y++)
        {
            for (int x = 0; x < N; x++)
            {
                int i = (y * N) + x;
                xs[i] = (float)((c * (x - centre)) - (s * (y - centre)) + centre + random.NextUniform(-0.3, 0.3));
                ys[i] = (float)((s * (x - centre)) + (c * (y - centre)) + centre + random.NextUniform(-0.3, 0.3));
            }
        }

        return (xs, ys);
    }

    [TestMethod]
    [DataRow(BorderMode.Constant)]
    [DataRow(BorderMode.Edge)]
    public void ResampleImage_AnyPositions_IsBitwiseTheBilinearFormula(BorderMode border)
    {
        (float[] image, _) = TestSlices.Phantom(N);
        (float[] xs, float[] ys) = RandomPositions(1);
        var output = new float[N * N];

        Resampler.ResampleImage(image, output, N, N, xs, ys, border, -7f);

        for (int i = 0; i < output.Length; i++)
        {
            float fx = MathF.Floor(xs[i]), fy = MathF.Floor(ys[i]);
            int x0 = (int)fx, y0 = (int)fy;
            float tx = xs[i] - fx, ty = ys[i] - fy;
            if (border == BorderMode.Constant && (x0 < -1 || y0 < -1 || x0 > N - 1 || y0 > N - 1))
            {
                Assert.AreEqual(-7f, output[i]);
                continue;
            }

            float At(int x, int y) => (uint)x < N && (uint)y < N ? image[(y * N) + x]
                : border == BorderMode.Constant ? -7f : image[(Math.Clamp(y, 0, N - 1) * N) + Math.Clamp(x, 0, N - 1)];
            float v00 = At(x0, y0), v01 = At(x0 + 1, y0), v10 = At(x0, y0 + 1), v11 = At(x0 + 1, y0 + 1);
            float top = v00 + (tx * (v01 - v00));
            float bottom = v10 + (tx * (v11 - v10));
            Assert.AreEqual(top + (ty * (bottom - top)), output[i], $"pixel {i}");
        }
    }

    [TestMethod]
    public void ResampleLabel_PaddedSource_GivesTheSameVotesAsTheScalarPath()
    {
        (_, byte[] label) = TestSlices.Phantom(N);
        (float[] xs, float[] ys) = RandomPositions(2);
        var padded = new byte[(N * N) + 4];
        label.CopyTo(padded, 0);
        var vectorised = new byte[N * N];
        var scalar = new byte[N * N];

        Resampler.ResampleLabel(padded, vectorised, N, N, xs, ys, BorderMode.Constant, LabelInterpolation.Linear);
        Resampler.ResampleLabel(label, scalar, N, N, xs, ys, BorderMode.Constant, LabelInterpolation.Linear);

        CollectionAssert.AreEqual(scalar, vectorised);
        Assert.IsTrue(vectorised.Distinct().Count() == 4, "all four labels appear");
    }
}
