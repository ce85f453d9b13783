using MLCardiac.Imaging;

namespace MLCardiac.Bench;

/// <summary>
/// An MRI-like short-axis cine for benchmarks: smooth anatomy (body, beating left ventricle with myocardium, right
/// ventricle) with soft edges and Rician-like noise, stored as int16 — so that gzip sees a realistic compression ratio.
/// </summary>
internal static class SyntheticCine
{
    public static Volume Create(int sizeX, int sizeY, int slices, int frames, int seed)
    {
        var random = new Random(seed);
        var data = new float[(long)sizeX * sizeY * slices * frames];
        double cx = sizeX / 2.0, cy = sizeY / 2.0;
        int i = 0;
        for (int t = 0; t < frames; t++)
        {
            double phase = 0.5 * (1 + Math.Cos(2 * Math.PI * t / frames)); // 1 at end-diastole, 0 at end-systole
            for (int z = 0; z < slices; z++)
            {
                double taper = 1 - (0.6 * z / Math.Max(1, slices - 1)); // base → apex
                double lvRadius = (18 + (8 * phase)) * taper, wall = 9 - (3 * phase);
                double rvRadius = (22 + (6 * phase)) * taper;
                for (int y = 0; y < sizeY; y++)
                {
                    for (int x = 0; x < sizeX; x++)
                    {
                        double body = Soft(Ellipse(x - cx, y - cy, sizeX * 0.42, sizeY * 0.33), 4) * 260;
                        double dLv = Math.Sqrt(((x - cx - 10) * (x - cx - 10)) + ((y - cy) * (y - cy)));
                        double dRv = Math.Sqrt(((x - cx + 28) * (x - cx + 28)) + ((y - cy + 4) * (y - cy + 4)));
                        double myo = Soft((dLv - lvRadius) / wall, 0.15) * Soft(1 - ((dLv - lvRadius) / wall), 0.15);
                        double blood = Soft(1 - (dLv / lvRadius), 0.08) * 900;
                        double rv = Soft(1 - (dRv / rvRadius), 0.08) * 700;
                        double texture = 30 * Math.Sin(x * 0.07) * Math.Cos(y * 0.05 + z);
                        double signal = body + texture + blood + rv - (myo * 120);
                        double re = signal + (Gaussian(random) * 12), im = Gaussian(random) * 12;
                        data[i++] = (float)Math.Round(Math.Sqrt((re * re) + (im * im)));
                    }
                }
            }
        }

        return new Volume(data, [sizeX, sizeY, slices, frames], new Spacing(1.37, 1.37, 8), null, 0.033);
    }

    private static double Ellipse(double dx, double dy, double rx, double ry) => 1 - Math.Sqrt(((dx / rx) * (dx / rx)) + ((dy / ry) * (dy / ry)));

    private static double Soft(double v, double width) => 1 / (1 + Math.Exp(-v / width));

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
