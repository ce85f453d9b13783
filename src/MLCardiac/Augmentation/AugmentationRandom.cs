using System.Numerics.Tensors;

using MLCardiac.Numerics;

namespace MLCardiac.Augmentation;

/// <summary>
/// The one seeded generator every random augmentation choice is drawn from: xoshiro256** seeded through
/// SplitMix64. It is fast, has no hidden global state and gives the same sequence for the same seed on
/// every machine and runtime, so a run can be replayed bit for bit.
/// </summary>
/// <remarks>
/// Not thread-safe. For parallel augmentation derive one generator per sample with
/// <see cref="ForSample(ulong, long)"/>: the result then does not depend on which thread handles which sample.
/// Reference: Blackman &amp; Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 2021.
/// </remarks>
public sealed class AugmentationRandom
{
    private Xoshiro256StarStar _core;
    private double _spareGaussian;
    private bool _hasSpareGaussian;

    /// <summary>Creates a generator whose whole sequence is fixed by <paramref name="seed"/>.</summary>
    public AugmentationRandom(ulong seed)
    {
        _core = new Xoshiro256StarStar(seed);
    }

    /// <summary>
    /// A generator for sample <paramref name="sampleIndex"/> of a run seeded with <paramref name="seed"/>:
    /// independent of thread scheduling, different for every (seed, index) pair.
    /// </summary>
    public static AugmentationRandom ForSample(ulong seed, long sampleIndex)
    {
        ulong x = seed ^ 0x6A09E667F3BCC909UL;
        ulong a = Xoshiro256StarStar.SplitMix64(ref x);
        ulong y = unchecked((ulong)sampleIndex) + 0xBB67AE8584CAA73BUL;
        ulong b = Xoshiro256StarStar.SplitMix64(ref y);
        return new AugmentationRandom(a ^ (b * 0x9E3779B97F4A7C15UL));
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => _core.NextUInt64();

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [<paramref name="min"/>, <paramref name="max"/>); <paramref name="min"/> when the range is empty.</summary>
    public double NextUniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)((NextUInt64() >> 33) * (ulong)maxExclusive >> 31);
    }

    /// <summary>True with probability <paramref name="probability"/> (always false at 0, always true at 1).</summary>
    public bool NextBool(double probability) => probability >= 1 || (probability > 0 && NextDouble() < probability);

    /// <summary>A standard normal variate (Marsaglia's polar method; the second variate of each pair is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_hasSpareGaussian)
        {
            _hasSpareGaussian = false;
            return _spareGaussian;
        }

        double u, v, s;
        do
        {
            u = (2 * NextDouble()) - 1;
            v = (2 * NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * f;
        _hasSpareGaussian = true;
        return u * f;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with independent normal variates of the given mean and standard
    /// deviation: Box–Muller on 24-bit uniforms, vectorised in blocks (tails are cut at ±5.8σ).
    /// </summary>
    public void FillGaussian(Span<float> destination, float mean, float standardDeviation)
    {
        const int Block = 256;
        const float Unit = 1.0f / (1 << 24);
        Span<float> radius = stackalloc float[Block];
        Span<float> angle = stackalloc float[Block];
        Span<float> trig = stackalloc float[Block];
        int offset = 0;
        while (destination.Length - offset >= 2)
        {
            int pairs = Math.Min(Block, (destination.Length - offset) / 2);
            for (int i = 0; i < pairs; i++)
            {
                ulong bits = NextUInt64();
                radius[i] = ((bits >> 40) + 1) * Unit;
                angle[i] = ((bits >> 8) & 0xFFFFFF) * Unit;
            }

            Span<float> r = radius[..pairs], a = angle[..pairs], t = trig[..pairs];
            TensorPrimitives.Log(r, r);
            TensorPrimitives.Multiply(r, -2f, r);
            TensorPrimitives.Sqrt(r, r);
            TensorPrimitives.Multiply(r, standardDeviation, r);
            TensorPrimitives.Multiply(a, 2 * MathF.PI, a);
            Span<float> first = destination.Slice(offset, pairs), second = destination.Slice(offset + pairs, pairs);
            TensorPrimitives.Cos(a, t);
            TensorPrimitives.Multiply(r, t, first);
            TensorPrimitives.Add(first, mean, first);
            TensorPrimitives.Sin(a, t);
            TensorPrimitives.Multiply(r, t, second);
            TensorPrimitives.Add(second, mean, second);
            offset += 2 * pairs;
        }

        if (offset < destination.Length)
        {
            destination[offset] = mean + (standardDeviation * (float)NextGaussian());
        }
    }


}
