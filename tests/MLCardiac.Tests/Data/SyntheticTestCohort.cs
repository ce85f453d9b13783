using System.Collections.Concurrent;
using MLCardiac.Data.Synthetic;

namespace MLCardiac.Tests.Data;

/// <summary>Small synthetic subjects (few frames) shared by the tests, generated once per process.</summary>
internal static class SyntheticTestCohort
{
    public static SyntheticCohortOptions Options { get; } = new() { Seed = 1234, MinFrames = 4, MaxFrames = 6 };

    public static SyntheticCohortGenerator Generator { get; } = new(Options);

    private static readonly ConcurrentDictionary<(string Vendor, int Index), SyntheticSubject> Cache = new();

    public static SyntheticSubject Get(VendorProfile vendor, int index) => Cache.GetOrAdd((vendor.Code, index), key => Generator.Generate(vendor, key.Index));

    /// <summary>Slices whose ED labels contain LV blood pool, myocardium and RV: the middle third of them.</summary>
    public static IEnumerable<int> MidVentricularSlices(SyntheticSubject s)
    {
        int[] full = [.. Enumerable.Range(0, s.SliceCount).Where(z =>
        {
            ReadOnlySpan<byte> l = s.LabelSlice(z, s.Info.EdFrame);
            return l.Contains((byte)1) && l.Contains((byte)2) && l.Contains((byte)3);
        })];
        int third = full.Length / 3;
        return full.Skip(third).Take(Math.Max(1, full.Length - (2 * third)));
    }

    public static (double X, double Y) Centroid(ReadOnlySpan<byte> labels, int width, byte label)
    {
        double sx = 0, sy = 0;
        int n = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == label)
            {
                sx += i % width;
                sy += i / width;
                n++;
            }
        }
        return n == 0 ? (double.NaN, double.NaN) : (sx / n, sy / n);
    }
}
