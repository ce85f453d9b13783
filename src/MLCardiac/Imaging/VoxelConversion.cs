using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLCardiac.Imaging;

/// <summary>
/// Stored voxels ↔ float32, chunk by chunk, with SIMD widening for the 8/16-bit types, in-place byte swapping for
/// files of the other byte order, and scl_slope/scl_inter. The arithmetic follows nibabel's
/// <c>np.asanyarray(img.dataobj, dtype=np.float32)</c>: 8/16-bit integers and float32 are scaled in float32,
/// 32/64-bit types in float64 and rounded once to float32, so both readers give the same floats.
/// </summary>
internal static class VoxelConversion
{
    /// <summary>Bytes per stored voxel of <paramref name="type"/>.</summary>
    public static int SizeOf(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 => 4,
        NiftiDataType.Int64 or NiftiDataType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported NIfTI datatype."),
    };

    /// <summary>Swaps the byte order of every element of <paramref name="bytes"/> in place.</summary>
    public static void SwapInPlace(Span<byte> bytes, int elementSize)
    {
        switch (elementSize)
        {
            case 2:
                Span<short> s16 = MemoryMarshal.Cast<byte, short>(bytes);
                BinaryPrimitives.ReverseEndianness(s16, s16);
                break;
            case 4:
                Span<int> s32 = MemoryMarshal.Cast<byte, int>(bytes);
                BinaryPrimitives.ReverseEndianness(s32, s32);
                break;
            case 8:
                Span<long> s64 = MemoryMarshal.Cast<byte, long>(bytes);
                BinaryPrimitives.ReverseEndianness(s64, s64);
                break;
        }
    }

    /// <summary>
    /// Converts stored voxels (already in host byte order) to float32 and applies <c>v·slope + inter</c> when
    /// <paramref name="scale"/> is set. <paramref name="src"/> holds exactly <c>dst.Length</c> elements.
    /// </summary>
    public static void ToFloat(ReadOnlySpan<byte> src, Span<float> dst, NiftiDataType type, bool scale, double slope, double inter)
    {
        float fs = (float)slope, fi = (float)inter;
        switch (type)
        {
            case NiftiDataType.UInt8:
                FromUInt8(src, dst);
                break;
            case NiftiDataType.Int8:
                FromInt8(MemoryMarshal.Cast<byte, sbyte>(src), dst);
                break;
            case NiftiDataType.Int16:
                FromInt16(MemoryMarshal.Cast<byte, short>(src), dst, scale, fs, fi);
                return;
            case NiftiDataType.UInt16:
                FromUInt16(MemoryMarshal.Cast<byte, ushort>(src), dst, scale, fs, fi);
                return;
            case NiftiDataType.Float32:
                MemoryMarshal.Cast<byte, float>(src).CopyTo(dst);
                break;
            case NiftiDataType.Int32:
                Wide(MemoryMarshal.Cast<byte, int>(src), dst, scale, slope, inter, static v => v);
                return;
            case NiftiDataType.UInt32:
                Wide(MemoryMarshal.Cast<byte, uint>(src), dst, scale, slope, inter, static v => v);
                return;
            case NiftiDataType.Int64:
                Wide(MemoryMarshal.Cast<byte, long>(src), dst, scale, slope, inter, static v => v);
                return;
            case NiftiDataType.Float64:
                Wide(MemoryMarshal.Cast<byte, double>(src), dst, scale, slope, inter, static v => v);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported NIfTI datatype.");
        }

        if (scale)
        {
            ScaleInPlace(dst, fs, fi);
        }
    }

    /// <summary><c>v·slope + inter</c> in float32 (two roundings, as numpy does it), vectorised.</summary>
    public static void ScaleInPlace(Span<float> data, float slope, float inter)
    {
        int i = 0;
        ref float d = ref MemoryMarshal.GetReference(data);
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<float>(slope);
            var vi = new Vector<float>(inter);
            for (; i <= data.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> v = Vector.LoadUnsafe(ref d, (nuint)i);
                ((v * vs) + vi).StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i < data.Length; i++)
        {
            data[i] = (data[i] * slope) + inter;
        }
    }

    private static void FromInt16(ReadOnlySpan<short> src, Span<float> dst, bool scale, float slope, float inter)
    {
        int n = src.Length, i = 0;
        ref short s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        if (Vector.IsHardwareAccelerated && n == dst.Length)
        {
            int w = Vector<short>.Count, half = Vector<int>.Count;
            var vs = new Vector<float>(scale ? slope : 1f);
            var vi = new Vector<float>(scale ? inter : 0f);
            for (; i <= n - w; i += w)
            {
                Vector.Widen(Vector.LoadUnsafe(ref s, (nuint)i), out Vector<int> lo, out Vector<int> hi);
                Vector<float> flo = Vector.ConvertToSingle(lo), fhi = Vector.ConvertToSingle(hi);
                if (scale)
                {
                    flo = (flo * vs) + vi;
                    fhi = (fhi * vs) + vi;
                }

                flo.StoreUnsafe(ref d, (nuint)i);
                fhi.StoreUnsafe(ref d, (nuint)(i + half));
            }
        }

        for (; i < n; i++)
        {
            float v = src[i];
            dst[i] = scale ? (v * slope) + inter : v;
        }
    }

    private static void FromUInt16(ReadOnlySpan<ushort> src, Span<float> dst, bool scale, float slope, float inter)
    {
        int n = src.Length, i = 0;
        ref ushort s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        if (Vector.IsHardwareAccelerated && n == dst.Length)
        {
            int w = Vector<ushort>.Count, half = Vector<uint>.Count;
            var vs = new Vector<float>(scale ? slope : 1f);
            var vi = new Vector<float>(scale ? inter : 0f);
            for (; i <= n - w; i += w)
            {
                Vector.Widen(Vector.LoadUnsafe(ref s, (nuint)i), out Vector<uint> lo, out Vector<uint> hi);
                Vector<float> flo = Vector.ConvertToSingle(lo.As<uint, int>()), fhi = Vector.ConvertToSingle(hi.As<uint, int>());
                if (scale)
                {
                    flo = (flo * vs) + vi;
                    fhi = (fhi * vs) + vi;
                }

                flo.StoreUnsafe(ref d, (nuint)i);
                fhi.StoreUnsafe(ref d, (nuint)(i + half));
            }
        }

        for (; i < n; i++)
        {
            float v = src[i];
            dst[i] = scale ? (v * slope) + inter : v;
        }
    }

    private static void FromUInt8(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int n = src.Length, i = 0;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        if (Vector.IsHardwareAccelerated && n == dst.Length)
        {
            int w = Vector<byte>.Count, q = Vector<int>.Count;
            for (; i <= n - w; i += w)
            {
                Vector.Widen(Vector.LoadUnsafe(ref s, (nuint)i), out Vector<ushort> a, out Vector<ushort> b);
                Vector.Widen(a, out Vector<uint> a0, out Vector<uint> a1);
                Vector.Widen(b, out Vector<uint> b0, out Vector<uint> b1);
                Vector.ConvertToSingle(a0.As<uint, int>()).StoreUnsafe(ref d, (nuint)i);
                Vector.ConvertToSingle(a1.As<uint, int>()).StoreUnsafe(ref d, (nuint)(i + q));
                Vector.ConvertToSingle(b0.As<uint, int>()).StoreUnsafe(ref d, (nuint)(i + (2 * q)));
                Vector.ConvertToSingle(b1.As<uint, int>()).StoreUnsafe(ref d, (nuint)(i + (3 * q)));
            }
        }

        for (; i < n; i++)
        {
            dst[i] = src[i];
        }
    }

    private static void FromInt8(ReadOnlySpan<sbyte> src, Span<float> dst)
    {
        int n = src.Length, i = 0;
        ref sbyte s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        if (Vector.IsHardwareAccelerated && n == dst.Length)
        {
            int w = Vector<sbyte>.Count, q = Vector<int>.Count;
            for (; i <= n - w; i += w)
            {
                Vector.Widen(Vector.LoadUnsafe(ref s, (nuint)i), out Vector<short> a, out Vector<short> b);
                Vector.Widen(a, out Vector<int> a0, out Vector<int> a1);
                Vector.Widen(b, out Vector<int> b0, out Vector<int> b1);
                Vector.ConvertToSingle(a0).StoreUnsafe(ref d, (nuint)i);
                Vector.ConvertToSingle(a1).StoreUnsafe(ref d, (nuint)(i + q));
                Vector.ConvertToSingle(b0).StoreUnsafe(ref d, (nuint)(i + (2 * q)));
                Vector.ConvertToSingle(b1).StoreUnsafe(ref d, (nuint)(i + (3 * q)));
            }
        }

        for (; i < n; i++)
        {
            dst[i] = src[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Wide<T>(ReadOnlySpan<T> src, Span<float> dst, bool scale, double slope, double inter, Func<T, double> toDouble)
    {
        // Exact in double for every 32-bit value; one rounding to float32 at the end (numpy promotes these types to float64).
        for (int i = 0; i < src.Length; i++)
        {
            double v = toDouble(src[i]);
            dst[i] = (float)(scale ? (v * slope) + inter : v);
        }
    }

    /// <summary>
    /// Converts float32 voxels to the little-endian storage of <paramref name="type"/>: integer types round to nearest
    /// (ties to even) and must fit the type. Returns the index of the first voxel that does not fit, or -1.
    /// </summary>
    public static int FromFloat(ReadOnlySpan<float> src, Span<byte> dst, NiftiDataType type)
    {
        switch (type)
        {
            case NiftiDataType.Float32:
                MemoryMarshal.AsBytes(src).CopyTo(dst);
                break;
            case NiftiDataType.Float64:
                Span<double> f64 = MemoryMarshal.Cast<byte, double>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    f64[i] = src[i];
                }

                break;
            case NiftiDataType.UInt8:
                return ToInteger(src, dst, byte.MinValue, byte.MaxValue);
            case NiftiDataType.Int8:
                return ToInteger(src, MemoryMarshal.Cast<byte, sbyte>(dst), sbyte.MinValue, sbyte.MaxValue);
            case NiftiDataType.Int16:
                return ToInteger(src, MemoryMarshal.Cast<byte, short>(dst), short.MinValue, short.MaxValue);
            case NiftiDataType.UInt16:
                return ToInteger(src, MemoryMarshal.Cast<byte, ushort>(dst), ushort.MinValue, ushort.MaxValue);
            case NiftiDataType.Int32:
                return ToInteger(src, MemoryMarshal.Cast<byte, int>(dst), int.MinValue, int.MaxValue);
            case NiftiDataType.UInt32:
                return ToInteger(src, MemoryMarshal.Cast<byte, uint>(dst), uint.MinValue, uint.MaxValue);
            case NiftiDataType.Int64:
                return ToInteger(src, MemoryMarshal.Cast<byte, long>(dst), long.MinValue, long.MaxValue);
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported NIfTI datatype.");
        }

        return -1;
    }

    private static int ToInteger<T>(ReadOnlySpan<float> src, Span<T> dst, T min, T max)
        where T : struct, INumber<T>
    {
        double lo = double.CreateTruncating(min), hi = double.CreateTruncating(max);
        for (int i = 0; i < src.Length; i++)
        {
            double v = Math.Round((double)src[i], MidpointRounding.ToEven);
            if (!(v >= lo && v <= hi) || v == 9.223372036854775808E18)
            {
                return i;
            }

            dst[i] = T.CreateTruncating(v);
        }

        return -1;
    }
}
