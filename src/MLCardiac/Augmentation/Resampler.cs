using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

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
        int maxX = width - 1, maxY = height - 1;
        for (int y = 0; y < height; y++)
        {
            int rowOffset = y * width;
            for (int x = 0; x < width; x++)
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
    }

    /// <summary>Resamples a label map with the same mapping; never creates a label value absent from the four neighbours.</summary>
    public static void ResampleLabel(
        ReadOnlySpan<byte> source, Span<byte> destination, int height, int width,
        ReadOnlySpan<float> sourceX, ReadOnlySpan<float> sourceY, BorderMode border, LabelInterpolation mode)
    {
        int maxX = width - 1, maxY = height - 1;
        for (int y = 0; y < height; y++)
        {
            int rowOffset = y * width;
            for (int x = 0; x < width; x++)
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
