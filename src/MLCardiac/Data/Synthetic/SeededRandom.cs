using System.Text;

using MLCardiac.Numerics;

namespace MLCardiac.Data.Synthetic;

/// <summary>
/// A small, fast, seeded pseudo-random generator (xoshiro256**, Blackman &amp; Vigna 2018) whose sequence
/// is fixed by its seed on every machine and every .NET version (unlike <see cref="Random"/>).
/// Not thread-safe: give each worker its own instance, e.g. from <see cref="ForSubject"/>.
/// </summary>
public sealed class SeededRandom
{
    private Xoshiro256StarStar _core;

    /// <summary>Creates a generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed)
    {
        _core = new Xoshiro256StarStar(seed);
    }

    /// <summary>
    /// The generator of one subject, derived from the cohort seed, the vendor name and the subject's index
    /// within that vendor. Subjects can therefore be generated in any order or in parallel with identical results.
    /// </summary>
    public static SeededRandom ForSubject(ulong seed, string vendor, int index)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        ulong h = 1469598103934665603UL; // FNV-1a over the vendor name
        foreach (byte b in Encoding.UTF8.GetBytes(vendor))
        {
            h = (h ^ b) * 1099511628211UL;
        }
        ulong x = seed ^ 0x9E3779B97F4A7C15UL;
        ulong mixed = Xoshiro256StarStar.SplitMix64(ref x) ^ h;
        mixed = Xoshiro256StarStar.SplitMix64(ref mixed) ^ (ulong)(uint)index * 0xD1B54A32D192ED03UL;
        return new SeededRandom(Xoshiro256StarStar.SplitMix64(ref mixed));
    }

    /// <summary>A new independent generator seeded from this one (advances this generator once).</summary>
    public SeededRandom Fork() => new(NextUInt64());

    /// <summary>The next 64 uniformly distributed random bits.</summary>
    public ulong NextUInt64() => _core.NextUInt64();

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="maxInclusive"/>].</summary>
    public int NextInt(int min, int maxInclusive)
    {
        if (maxInclusive < min)
        {
            throw new ArgumentOutOfRangeException(nameof(maxInclusive), $"maxInclusive ({maxInclusive}) is below min ({min}).");
        }
        ulong range = (ulong)((long)maxInclusive - min + 1);
        return (int)(min + (long)(NextUInt64() % range));
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>A standard normal deviate (Box–Muller).</summary>
    public double Normal()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A log-normal multiplicative jitter exp(N(0, <paramref name="sigma"/>²)), 1 when sigma is 0.</summary>
    public double Jitter(double sigma) => sigma == 0 ? 1.0 : Math.Exp(sigma * Normal());


}
