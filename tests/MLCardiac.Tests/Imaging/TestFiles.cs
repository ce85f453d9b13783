using System.Runtime.InteropServices;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Imaging;

/// <summary>Small helpers shared by the imaging tests: temporary folders, raw float32 files, comparisons.</summary>
internal static class TestFiles
{
    /// <summary>A fresh empty folder under the system temp directory.</summary>
    public static string NewTempDirectory(string prefix)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Reads a little-endian float32 file.</summary>
    public static float[] ReadFloat32(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>Asserts the two arrays hold bit-for-bit the same numbers (NaN equals NaN).</summary>
    public static void AssertSameValues(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: voxel count");
        int mismatches = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(actual[i]))
            {
                mismatches++;
                first = first < 0 ? i : first;
            }
        }

        Assert.AreEqual(0, mismatches, $"{what}: {mismatches} voxel(s) differ, first at {first}: expected {(first >= 0 ? expected[first] : 0)}, got {(first >= 0 ? actual[first] : 0)}");
    }

    /// <summary>Asserts that <paramref name="actual"/> matches the 4×4 <paramref name="expected"/> rows within <paramref name="tolerance"/>.</summary>
    public static void AssertAffine(double[][] expected, Affine actual, double tolerance, string what)
    {
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                Assert.AreEqual(expected[r][c], actual[r, c], tolerance, $"{what}: affine[{r},{c}]\nexpected rows {string.Join(" | ", expected.Select(row => string.Join(", ", row)))}\ngot\n{actual}");
            }
        }
    }

    /// <summary>Deterministic test values.</summary>
    public static float[] Ramp(int count, float scale = 1f, float offset = 0f)
    {
        var data = new float[count];
        for (int i = 0; i < count; i++)
        {
            data[i] = (((i * 37) % 101) * scale) + offset;
        }

        return data;
    }
}
