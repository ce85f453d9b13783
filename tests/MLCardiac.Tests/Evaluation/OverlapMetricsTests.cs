using System.Text.Json;
using MLCardiac.Evaluation;
using MLCardiac.Tests.Imaging;

namespace MLCardiac.Tests.Evaluation;

[TestClass]
public sealed class OverlapMetricsTests
{
    /// <summary>Two perturbed ellipsoids per label (the second shifted and rescaled) on an anisotropic grid.</summary>
    private static (float[] Pred, float[] Truth) Pair(int nx, int ny, int nz, int seed)
    {
        var rng = new Random(seed);
        var pred = new float[nx * ny * nz];
        var truth = new float[nx * ny * nz];
        for (int label = 1; label <= 3; label++)
        {
            double cx = nx * (0.3 + 0.4 * rng.NextDouble()), cy = ny * (0.3 + 0.4 * rng.NextDouble()), cz = nz * (0.3 + 0.4 * rng.NextDouble());
            double rx = nx * (0.1 + 0.1 * rng.NextDouble()), ry = ny * (0.1 + 0.1 * rng.NextDouble()), rz = nz * (0.2 + 0.2 * rng.NextDouble());
            double dx = rng.Next(-3, 4), dy = rng.Next(-3, 4), scale = 0.8 + 0.4 * rng.NextDouble();
            for (int k = 0; k < nz; k++)
                for (int j = 0; j < ny; j++)
                    for (int i = 0; i < nx; i++)
                    {
                        int idx = (k * ny + j) * nx + i;
                        double wobble = 0.15 * Math.Sin(i * 0.7 + label) * Math.Cos(j * 0.5);
                        double e1 = Sq((i - cx) / rx) + Sq((j - cy) / ry) + Sq((k - cz) / rz);
                        double e2 = Sq((i - cx - dx) / (rx * scale)) + Sq((j - cy - dy) / (ry * scale)) + Sq((k - cz) / rz);
                        if (e1 < 1 + wobble) truth[idx] = label;
                        if (e2 < 1 - wobble) pred[idx] = label;
                    }
        }
        return (pred, truth);

        static double Sq(double v) => v * v;
    }

    [TestMethod]
    [DataRow(40, 36, 9, 1.25, 1.25, 8.0, 1)]
    [DataRow(33, 41, 7, 0.8, 1.1, 5.5, 2)]
    public void Compute_RandomShapes_AgreesWithScipyReference(int nx, int ny, int nz, double sx, double sy, double sz, int seed)
    {
        string? python = NibabelPython.TryGetInterpreter("numpy, scipy", out string reason);
        if (python is null) NibabelPython.Skip(reason);
        var (pred, truth) = Pair(nx, ny, nz, seed);
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-metrics-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string pp = Path.Combine(dir, "p.raw"), tp = Path.Combine(dir, "t.raw");
            File.WriteAllBytes(pp, System.Runtime.InteropServices.MemoryMarshal.AsBytes(pred.AsSpan()).ToArray());
            File.WriteAllBytes(tp, System.Runtime.InteropServices.MemoryMarshal.AsBytes(truth.AsSpan()).ToArray());
            for (int label = 1; label <= 3; label++)
            {
                OverlapMetrics ours = OverlapMetrics.Compute(pred, truth, label, nx, ny, nz, sx, sy, sz);
                string json = NibabelPython.Run(python!, [Path.Combine(AppContext.BaseDirectory, "Evaluation", "Scripts", "surface_metrics.py"), pp, tp,
                    $"{nx}", $"{ny}", $"{nz}", $"{sx}", $"{sy}", $"{sz}", $"{label}"], TimeSpan.FromSeconds(60)).Stdout;
                using JsonDocument r = JsonDocument.Parse(json);
                Assert.AreEqual(r.RootElement.GetProperty("dice").GetDouble(), ours.Dice, 1e-6, $"Dice, label {label}");
                Assert.AreEqual(r.RootElement.GetProperty("hd").GetDouble(), ours.HausdorffMm, 1e-3, $"HD, label {label}");
                Assert.AreEqual(r.RootElement.GetProperty("hd95").GetDouble(), ours.Hd95Mm, 1e-3, $"HD95, label {label}");
                Assert.AreEqual(r.RootElement.GetProperty("assd").GetDouble(), ours.AssdMm, 1e-3, $"ASSD, label {label}");
                Assert.IsGreaterThan(0.0, ours.HausdorffMm, "the shapes differ, so the distance is positive");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Compute_EmptyMasks_FollowTheDocumentedConventions()
    {
        var empty = new float[4 * 4 * 2];
        var some = new float[4 * 4 * 2];
        some[5] = 1;

        var both = OverlapMetrics.Compute(empty, empty, 1, 4, 4, 2, 1, 1, 1);
        var missed = OverlapMetrics.Compute(empty, some, 1, 4, 4, 2, 1, 1, 1);

        Assert.AreEqual(new OverlapMetrics(1, 0, 0, 0, 0, 0), both);
        Assert.AreEqual(0, missed.Dice);
        Assert.IsTrue(double.IsNaN(missed.HausdorffMm) && double.IsNaN(missed.AssdMm));
        Assert.AreEqual(0.001, missed.TruthMl, 1e-12);
    }

    [TestMethod]
    public void Compute_ShiftByOneSlice_HausdorffIsTheSliceThickness()
    {
        int nx = 10, ny = 10, nz = 6;
        var a = new float[nx * ny * nz];
        var b = new float[nx * ny * nz];
        for (int k = 1; k < 4; k++)
            for (int j = 2; j < 8; j++)
                for (int i = 2; i < 8; i++)
                {
                    a[(k * ny + j) * nx + i] = 1;
                    b[((k + 1) * ny + j) * nx + i] = 1;
                }
        var m = OverlapMetrics.Compute(a, b, 1, nx, ny, nz, 1.5, 1.5, 8);
        Assert.AreEqual(8.0, m.HausdorffMm, 1e-9);
        Assert.AreEqual(2.0 * 72 / 216, m.Dice, 1e-12);
    }
}
