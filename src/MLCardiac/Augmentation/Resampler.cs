using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLCardiac.Augmentation;

/// <summary>
/// The one resampling pass behind every spatial transform: for output pixel (x, y) the source position is
/// (A00·x + A01·y + Bx + dx[y, x], A10·x + A11·y + By + dy[y, x]) in pixel units, where the optional
/// displacement field (dx, dy) comes from elastic deformation. Positions are computed once (vectorised) and
/// shared by image and label. Image bilinear; label nearest or label-wise linear + argmax. No allocation.
/// </summary>
internal static class Resampler
{
    /// <summary>
    /// Source positions of every output pixel: (A00·x + A01·y + Bx, A10·x + A11·y + By), added to what
    /// <paramref name="sourceX"/>/<paramref name="sourceY"/> hold when <paramref name="addToDisplacement"/>
    /// (an elastic displacement field in pixels), written over them otherwise.
    /// </summary>
    public static void Coordinates(in PixelAffine map, int height, int width, Span<float> sourceX, Span<float> sourceY, bool addToDisplacement)
    {
        Span<float> ramp = width <= 4096 ? stackalloc float[width] : new float[width];
        Span<float> tmp = width <= 4096 ? stackalloc float[width] : new float[width];
        for (int x = 0; x < width; x++)
        {
            ramp[x] = x;
        }

        for (int y = 0; y < height; y++)
        {
            Span<float> rx = sourceX.Slice(y * width, width), ry = sourceY.Slice(y * width, width);
            TensorPrimitives.Multiply(ramp, (float)map.A00, tmp);
            TensorPrimitives.Add(tmp, (float)((map.A01 * y) + map.Bx), tmp);
            if (addToDisplacement)
            {
                TensorPrimitives.Add(rx, tmp, rx);
            }
            else
            {
                tmp.CopyTo(rx);
            }

            TensorPrimitives.Multiply(ramp, (float)map.A10, tmp);
            TensorPrimitives.Add(tmp, (float)((map.A11 * y) + map.By), tmp);
            if (addToDisplacement)
            {
                TensorPrimitives.Add(ry, tmp, ry);
            }
            else
            {
                tmp.CopyTo(ry);
            }
        }
    }

    /// <summary>
    /// Applies a <see cref="PixelAffine.IsPixelPermutation"/> mapping (flips, whole-pixel shifts) by copying:
    /// bitwise what the bilinear and label paths give for integer source positions, several times faster.
    /// </summary>
    public static void Permute<T>(ReadOnlySpan<T> source, Span<T> destination, int height, int width, in PixelAffine map, BorderMode border, T fill)
    {
        int dx = (int)map.A00, bx = (int)map.Bx;
        for (int y = 0; y < height; y++)
        {
            int sy = (int)((map.A11 * y) + map.By);
            Span<T> row = destination.Slice(y * width, width);
            if ((uint)sy >= (uint)height)
            {
                if (border == BorderMode.Constant)
                {
                    row.Fill(fill);
                    continue;
                }

                sy = Math.Clamp(sy, 0, height - 1);
            }

            ReadOnlySpan<T> sourceRow = source.Slice(sy * width, width);
            if (dx == 1 && bx == 0)
            {
                sourceRow.CopyTo(row);
                continue;
            }

            for (int x = 0; x < width; x++)
            {
                int sx = (dx * x) + bx;
                row[x] = (uint)sx < (uint)width ? sourceRow[sx]
                    : border == BorderMode.Constant ? fill
                    : sourceRow[Math.Clamp(sx, 0, width - 1)];
            }
        }
    }

    /// <summary>Resamples <paramref name="source"/> into <paramref name="destination"/> bilinearly.</summary>
    public static void ResampleImage(
        ReadOnlySpan<float> source, Span<float> destination, int height, int width,
        ReadOnlySpan<float> sourceX, ReadOnlySpan<float> sourceY, BorderMode border, float fill)
    {
        int n = height * width;
        if (source.Length < n || destination.Length < n || sourceX.Length < n || sourceY.Length < n)
        {
            throw new ArgumentException("Buffers are smaller than the slice.");
        }

        for (int y = 0; y < height; y++)
        {
            int rowOffset = y * width;
            int x = 0;
            if (Avx2.IsSupported && width >= 8)
            {
                for (; x + 8 <= width; x += 8)
                {
                    if (!TryBilinear8(source, destination, width, height, sourceX, sourceY, rowOffset + x))
                    {
                        ImageSpan(source, destination, height, width, sourceX, sourceY, border, fill, rowOffset, x, x + 8);
                    }
                }
            }

            ImageSpan(source, destination, height, width, sourceX, sourceY, border, fill, rowOffset, x, width);
        }
    }

    /// <summary>
    /// Eight pixels with AVX2 gathers when all their 2×2 neighbourhoods lie inside the slice; the arithmetic is
    /// the scalar path's, operation for operation, so results are bitwise the same. False (nothing written)
    /// when a neighbourhood touches the border.
    /// </summary>
    private static unsafe bool TryBilinear8(ReadOnlySpan<float> source, Span<float> destination, int width, int height, ReadOnlySpan<float> sourceX, ReadOnlySpan<float> sourceY, int offset)
    {
        fixed (float* src = source, dst = destination, px = sourceX, py = sourceY)
        {
            Vector256<float> sx = Avx.LoadVector256(px + offset);
            Vector256<float> sy = Avx.LoadVector256(py + offset);
            Vector256<float> fx = Avx.Floor(sx), fy = Avx.Floor(sy);
            Vector256<int> ix = Avx.ConvertToVector256Int32WithTruncation(fx);
            Vector256<int> iy = Avx.ConvertToVector256Int32WithTruncation(fy);
            Vector256<int> minusOne = Vector256.Create(-1);
            Vector256<int> inside = Avx2.And(
                Avx2.And(Avx2.CompareGreaterThan(ix, minusOne), Avx2.CompareGreaterThan(Vector256.Create(width - 1), ix)),
                Avx2.And(Avx2.CompareGreaterThan(iy, minusOne), Avx2.CompareGreaterThan(Vector256.Create(height - 1), iy)));
            if (Avx.MoveMask(inside.AsSingle()) != 0xFF)
            {
                return false;
            }

            Vector256<int> index = Avx2.Add(Avx2.MultiplyLow(iy, Vector256.Create(width)), ix);
            Vector256<float> v00 = Avx2.GatherVector256(src, index, 4);
            Vector256<float> v01 = Avx2.GatherVector256(src + 1, index, 4);
            Vector256<float> v10 = Avx2.GatherVector256(src + width, index, 4);
            Vector256<float> v11 = Avx2.GatherVector256(src + width + 1, index, 4);
            Vector256<float> tx = Avx.Subtract(sx, fx), ty = Avx.Subtract(sy, fy);
            Vector256<float> top = Avx.Add(v00, Avx.Multiply(tx, Avx.Subtract(v01, v00)));
            Vector256<float> bottom = Avx.Add(v10, Avx.Multiply(tx, Avx.Subtract(v11, v10)));
            Avx.Store(dst + offset, Avx.Add(top, Avx.Multiply(ty, Avx.Subtract(bottom, top))));
            return true;
        }
    }

    /// <summary>Scalar bilinear resampling of pixels [<paramref name="xStart"/>, <paramref name="xEnd"/>) of one row.</summary>
    private static void ImageSpan(
        ReadOnlySpan<float> source, Span<float> destination, int height, int width,
        ReadOnlySpan<float> sourceX, ReadOnlySpan<float> sourceY, BorderMode border, float fill, int rowOffset, int xStart, int xEnd)
    {
        int maxX = width - 1, maxY = height - 1;
        for (int x = xStart; x < xEnd; x++)
        {
            float sx = sourceX[rowOffset + x];
            float sy = sourceY[rowOffset + x];

            float fx0 = MathF.Floor(sx), fy0 = MathF.Floor(sy);
            int x0 = (int)fx0, y0 = (int)fy0;
            float tx = sx - fx0, ty = sy - fy0;
            float v00, v01, v10, v11;
            if ((uint)x0 < (uint)maxX && (uint)y0 < (uint)maxY)
            {
                int i = (y0 * width) + x0;
                v00 = source[i];
                v01 = source[i + 1];
                v10 = source[i + width];
                v11 = source[i + width + 1];
            }
            else
            {
                if (float.IsNaN(sx) || float.IsNaN(sy) || x0 < -1 || y0 < -1 || x0 > maxX || y0 > maxY)
                {
                    if (border == BorderMode.Constant)
                    {
                        destination[rowOffset + x] = fill;
                        continue;
                    }

                    x0 = Math.Clamp(x0, -1, maxX);
                    y0 = Math.Clamp(y0, -1, maxY);
                }

                v00 = Fetch(source, width, height, x0, y0, border, fill);
                v01 = Fetch(source, width, height, x0 + 1, y0, border, fill);
                v10 = Fetch(source, width, height, x0, y0 + 1, border, fill);
                v11 = Fetch(source, width, height, x0 + 1, y0 + 1, border, fill);
            }

            float top = v00 + (tx * (v01 - v00));
            float bottom = v10 + (tx * (v11 - v10));
            destination[rowOffset + x] = top + (ty * (bottom - top));
        }
    }

    /// <summary>Resamples a label map with the same mapping; never creates a label value absent from the four neighbours.</summary>
    public static void ResampleLabel(
        ReadOnlySpan<byte> source, Span<byte> destination, int height, int width,
        ReadOnlySpan<float> sourceX, ReadOnlySpan<float> sourceY, BorderMode border, LabelInterpolation mode)
    {
        int n = height * width;
        if (source.Length < n || destination.Length < n || sourceX.Length < n || sourceY.Length < n)
        {
            throw new ArgumentException("Buffers are smaller than the slice.");
        }

        // The gathers read 4 bytes per neighbour: they need 3 bytes of padding after the label.
        bool gather = Avx2.IsSupported && mode == LabelInterpolation.Linear && width >= 8 && source.Length >= n + 3;
        for (int y = 0; y < height; y++)
        {
            int rowOffset = y * width;
            int x = 0;
            if (gather)
            {
                for (; x + 8 <= width; x += 8)
                {
                    if (!TryUniformLabel8(source, destination, width, height, sourceX, sourceY, rowOffset + x))
                    {
                        LabelSpan(source, destination, height, width, sourceX, sourceY, border, mode, rowOffset, x, x + 8);
                    }
                }
            }

            LabelSpan(source, destination, height, width, sourceX, sourceY, border, mode, rowOffset, x, width);
        }
    }

    /// <summary>
    /// Eight label pixels with AVX2 gathers when every 2×2 neighbourhood lies inside the slice and holds one
    /// label (the usual case away from boundaries): the vote is then that label, as on the scalar path.
    /// False (nothing written) otherwise.
    /// </summary>
    private static unsafe bool TryUniformLabel8(ReadOnlySpan<byte> source, Span<byte> destination, int width, int height, ReadOnlySpan<float> sourceX, ReadOnlySpan<float> sourceY, int offset)
    {
        fixed (byte* src = source, dst = destination)
        fixed (float* px = sourceX, py = sourceY)
        {
            Vector256<float> fx = Avx.Floor(Avx.LoadVector256(px + offset));
            Vector256<float> fy = Avx.Floor(Avx.LoadVector256(py + offset));
            Vector256<int> ix = Avx.ConvertToVector256Int32WithTruncation(fx);
            Vector256<int> iy = Avx.ConvertToVector256Int32WithTruncation(fy);
            Vector256<int> minusOne = Vector256.Create(-1);
            Vector256<int> inside = Avx2.And(
                Avx2.And(Avx2.CompareGreaterThan(ix, minusOne), Avx2.CompareGreaterThan(Vector256.Create(width - 1), ix)),
                Avx2.And(Avx2.CompareGreaterThan(iy, minusOne), Avx2.CompareGreaterThan(Vector256.Create(height - 1), iy)));
            if (Avx.MoveMask(inside.AsSingle()) != 0xFF)
            {
                return false;
            }

            Vector256<int> index = Avx2.Add(Avx2.MultiplyLow(iy, Vector256.Create(width)), ix);
            Vector256<int> low = Vector256.Create(0xFF);
            Vector256<int> l00 = Avx2.And(Avx2.GatherVector256((int*)src, index, 1), low);
            Vector256<int> l01 = Avx2.And(Avx2.GatherVector256((int*)(src + 1), index, 1), low);
            Vector256<int> l10 = Avx2.And(Avx2.GatherVector256((int*)(src + width), index, 1), low);
            Vector256<int> l11 = Avx2.And(Avx2.GatherVector256((int*)(src + width + 1), index, 1), low);
            Vector256<int> same = Avx2.And(Avx2.CompareEqual(l00, l01), Avx2.And(Avx2.CompareEqual(l00, l10), Avx2.CompareEqual(l00, l11)));
            if (Avx.MoveMask(same.AsSingle()) != 0xFF)
            {
                return false;
            }

            Vector256<short> shorts = Vector256.Narrow(l00, Vector256<int>.Zero);
            Vector256<byte> bytes = Vector256.Narrow(shorts.AsUInt16(), Vector256<ushort>.Zero);
            *(ulong*)(dst + offset) = bytes.AsUInt64().GetElement(0);
            return true;
        }
    }

    /// <summary>Scalar label resampling of pixels [<paramref name="xStart"/>, <paramref name="xEnd"/>) of one row.</summary>
    private static void LabelSpan(
        ReadOnlySpan<byte> source, Span<byte> destination, int height, int width,
        ReadOnlySpan<float> sourceX, ReadOnlySpan<float> sourceY, BorderMode border, LabelInterpolation mode, int rowOffset, int xStart, int xEnd)
    {
        int maxX = width - 1, maxY = height - 1;
        for (int x = xStart; x < xEnd; x++)
        {
            float sx = sourceX[rowOffset + x];
            float sy = sourceY[rowOffset + x];

            if (float.IsNaN(sx) || float.IsNaN(sy))
            {
                destination[rowOffset + x] = 0;
                continue;
            }

            if (mode == LabelInterpolation.Nearest)
            {
                int nx = (int)MathF.Floor(sx + 0.5f), ny = (int)MathF.Floor(sy + 0.5f);
                destination[rowOffset + x] = FetchLabel(source, width, height, nx, ny, border);
                continue;
            }

            float fx0 = MathF.Floor(sx), fy0 = MathF.Floor(sy);
            int x0 = (int)fx0, y0 = (int)fy0;
            float tx = sx - fx0, ty = sy - fy0;
            byte l00, l01, l10, l11;
            if ((uint)x0 < (uint)maxX && (uint)y0 < (uint)maxY)
            {
                int i = (y0 * width) + x0;
                l00 = source[i];
                l01 = source[i + 1];
                l10 = source[i + width];
                l11 = source[i + width + 1];
            }
            else if (x0 < -1 || y0 < -1 || x0 > maxX || y0 > maxY)
            {
                destination[rowOffset + x] = border == BorderMode.Constant
                    ? (byte)0
                    : FetchLabel(source, width, height, (int)MathF.Floor(sx + 0.5f), (int)MathF.Floor(sy + 0.5f), border);
                continue;
            }
            else
            {
                l00 = FetchLabel(source, width, height, x0, y0, border);
                l01 = FetchLabel(source, width, height, x0 + 1, y0, border);
                l10 = FetchLabel(source, width, height, x0, y0 + 1, border);
                l11 = FetchLabel(source, width, height, x0 + 1, y0 + 1, border);
            }

            if (l00 == l01 && l00 == l10 && l00 == l11)
            {
                destination[rowOffset + x] = l00;
                continue;
            }

            float w00 = (1 - tx) * (1 - ty), w01 = tx * (1 - ty), w10 = (1 - tx) * ty, w11 = tx * ty;
            destination[rowOffset + x] = Vote(l00, w00, l01, w01, l10, w10, l11, w11);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Vote(byte l0, float w0, byte l1, float w1, byte l2, float w2, byte l3, float w3)
    {
        // Total weight of each corner's label; the best total wins, ties to the smaller label.
        float s0 = w0 + (l1 == l0 ? w1 : 0) + (l2 == l0 ? w2 : 0) + (l3 == l0 ? w3 : 0);
        float s1 = w1 + (l0 == l1 ? w0 : 0) + (l2 == l1 ? w2 : 0) + (l3 == l1 ? w3 : 0);
        float s2 = w2 + (l0 == l2 ? w0 : 0) + (l1 == l2 ? w1 : 0) + (l3 == l2 ? w3 : 0);
        float s3 = w3 + (l0 == l3 ? w0 : 0) + (l1 == l3 ? w1 : 0) + (l2 == l3 ? w2 : 0);
        byte best = l0;
        float bestScore = s0;
        Consider(l1, s1, ref best, ref bestScore);
        Consider(l2, s2, ref best, ref bestScore);
        Consider(l3, s3, ref best, ref bestScore);
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Consider(byte label, float score, ref byte best, ref float bestScore)
    {
        if (score > bestScore || (score == bestScore && label < best))
        {
            best = label;
            bestScore = score;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Fetch(ReadOnlySpan<float> source, int width, int height, int x, int y, BorderMode border, float fill)
    {
        if ((uint)x < (uint)width && (uint)y < (uint)height)
        {
            return source[(y * width) + x];
        }

        return border == BorderMode.Constant
            ? fill
            : source[(Math.Clamp(y, 0, height - 1) * width) + Math.Clamp(x, 0, width - 1)];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte FetchLabel(ReadOnlySpan<byte> source, int width, int height, int x, int y, BorderMode border)
    {
        if ((uint)x < (uint)width && (uint)y < (uint)height)
        {
            return source[(y * width) + x];
        }

        return border == BorderMode.Constant
            ? (byte)0
            : source[(Math.Clamp(y, 0, height - 1) * width) + Math.Clamp(x, 0, width - 1)];
    }
}
