namespace MLCardiac.Training;

/// <summary>
/// Derives independent seeds from one user seed and a path of integers (epoch, step, ...) with the
/// SplitMix64 finaliser, so that every random stream of a run can be recreated at any point without
/// storing generator state — which is what makes resuming a run give the uninterrupted result.
/// </summary>
internal static class SeedSequence
{
    public static ulong Derive(long seed, params long[] path)
    {
        ulong z = Mix((ulong)seed ^ 0x6A09E667F3BCC909UL);
        foreach (long p in path) z = Mix(z ^ Mix((ulong)p + 0x9E3779B97F4A7C15UL));
        return z;
    }

    public static int DeriveInt(long seed, params long[] path) => (int)(Derive(seed, path) & 0x7FFFFFFF);

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
