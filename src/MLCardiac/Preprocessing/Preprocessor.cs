using MLCardiac.Imaging;

namespace MLCardiac.Preprocessing;

/// <summary>
/// Turns a short-axis volume into fixed-size 2D slices and maps predictions back: in-plane resampling to
/// <see cref="PreprocessingOptions.SpacingMm"/> (bilinear for images; label-wise bilinear then arg-max for
/// labels, so no label is invented by blending), a centred square crop or pad to
/// <see cref="PreprocessingOptions.Size"/>, and per-volume percentile clip + z-score.
/// </summary>
/// <remarks>
/// <para>Orientation: short-axis stacks are kept in their acquired geometry — slices along the third voxel
/// axis, rows along y, columns along x, as M&amp;Ms, M&amp;Ms-2 and ACDC store them. Reorienting to the world axes
/// (RAS) would cut an oblique short-axis stack across its slices; in-plane flips and rotations between
/// centres are instead covered by the mirroring and rotation augmentations, as in nnU-Net.</para>
/// <para>Resampling keeps the field of view: a volume of n pixels at spacing s becomes round(n·s/t) pixels
/// (t the target spacing) whose centres span the same extent. <see cref="Restore"/> inverts every step, so a
/// label map sent forward and back is unchanged when no resampling is needed and the crop holds the volume.</para>
/// </remarks>
public sealed class Preprocessor
{
    private const int Classes = 4;

    /// <summary>Creates a preprocessor; throws <see cref="ArgumentException"/> for invalid options.</summary>
    public Preprocessor(PreprocessingOptions? options = null)
    {
        Options = options ?? new PreprocessingOptions();
        Options.Validate();
    }

    /// <summary>The options in force.</summary>
    public PreprocessingOptions Options { get; }

    /// <summary>The resampled size and crop of <paramref name="volume"/>'s grid.</summary>
    public SliceGeometry Plan(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return Plan(volume.SizeX, volume.SizeY, volume.SizeZ, volume.SpacingMm, volume.VoxelToWorld);
    }

    /// <summary>The resampled size and crop of a grid of <paramref name="sizeX"/> × <paramref name="sizeY"/> × <paramref name="sizeZ"/> voxels.</summary>
    public SliceGeometry Plan(int sizeX, int sizeY, int sizeZ, Spacing spacingMm, Affine? voxelToWorld = null)
    {
        int rx = Math.Max(1, (int)Math.Round(sizeX * spacingMm.X / Options.SpacingMm));
        int ry = Math.Max(1, (int)Math.Round(sizeY * spacingMm.Y / Options.SpacingMm));
        int s = Options.Size;
        return new SliceGeometry(sizeX, sizeY, sizeZ, spacingMm, voxelToWorld ?? Affine.FromSpacing(spacingMm),
            rx, ry, (rx - s) / 2 - ((rx - s) % 2 < 0 ? 1 : 0), (ry - s) / 2 - ((ry - s) % 2 < 0 ? 1 : 0), s);
    }

    /// <summary>
    /// Intensity statistics of frame <paramref name="frame"/> of <paramref name="volume"/>, for <see cref="Image"/>: every
    /// image is normalised on its own statistics, one 3D frame at a time, in training, evaluation, prediction and serving alike.
    /// </summary>
    public IntensityNormalization MeasureIntensity(Volume volume, int frame)
    {
        ArgumentNullException.ThrowIfNull(volume);
        if (frame < 0 || frame >= volume.Frames) throw new ArgumentOutOfRangeException(nameof(frame), frame, $"the volume has {volume.Frames} frame(s)");
        return IntensityNormalization.Measure(volume.Frame(frame).Span, Options.ClipLowPercentile, Options.ClipHighPercentile);
    }

    /// <summary>Frame <paramref name="frame"/> as normalised slices [Z, Size, Size] (row-major, rows = y).</summary>
    public static float[] Image(Volume volume, int frame, SliceGeometry geometry, IntensityNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(normalization);
        CheckFrame(volume, frame, geometry);
        int s = geometry.Size, px = s * s;
        var output = new float[geometry.SizeZ * px];
        var xs = Axis.Forward(geometry.SizeX, geometry.ResampledX, geometry.OffsetX, s);
        var ys = Axis.Forward(geometry.SizeY, geometry.ResampledY, geometry.OffsetY, s);
        var normalized = new float[volume.VoxelsPerSlice];
        float pad = normalization.Floor;
        for (int z = 0; z < geometry.SizeZ; z++)
        {
            volume.Slice(z, frame).Span.CopyTo(normalized);
            normalization.Apply(normalized);
            Bilinear(normalized, geometry.SizeX, output.AsSpan(z * px, px), s, xs, ys, pad);
        }
        return output;
    }

    /// <summary>Frame <paramref name="frame"/> of a label volume as slices [Z, Size, Size] with values 0..3.</summary>
    public static byte[] Label(Volume labels, int frame, SliceGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(geometry);
        CheckFrame(labels, frame, geometry);
        int s = geometry.Size, px = s * s;
        var output = new byte[geometry.SizeZ * px];
        var source = new byte[labels.VoxelsPerSlice];
        var xs = Axis.Forward(geometry.SizeX, geometry.ResampledX, geometry.OffsetX, s);
        var ys = Axis.Forward(geometry.SizeY, geometry.ResampledY, geometry.OffsetY, s);
        for (int z = 0; z < geometry.SizeZ; z++)
        {
            ReadOnlySpan<float> slice = labels.Slice(z, frame).Span;
            for (int i = 0; i < source.Length; i++)
            {
                float v = slice[i];
                if (v is < 0 or > 3 || v != MathF.Round(v))
                    throw new MLCardiacException($"Label value {v} at slice {z} is not one of 0, 1, 2, 3.");
                source[i] = (byte)v;
            }
            LabelBilinear(source, geometry.SizeX, output.AsSpan(z * px, px), s, xs, ys);
        }
        return output;
    }

    /// <summary>
    /// Maps label slices [Z, Size, Size] (a prediction) back onto the original grid: a 3D volume with the
    /// original shape, spacing and affine, voxels 0..3.
    /// </summary>
    public static Volume Restore(ReadOnlySpan<byte> slices, SliceGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        int s = geometry.Size, px = s * s;
        if (slices.Length != geometry.SizeZ * px)
            throw new ArgumentException($"Expected {geometry.SizeZ}×{s}×{s} labels, got {slices.Length} values.", nameof(slices));
        int nx = geometry.SizeX, ny = geometry.SizeY;
        var data = new float[nx * ny * geometry.SizeZ];
        var xs = Axis.Backward(nx, geometry.ResampledX, geometry.OffsetX, s);
        var ys = Axis.Backward(ny, geometry.ResampledY, geometry.OffsetY, s);
        var slice = new byte[nx * ny];
        for (int z = 0; z < geometry.SizeZ; z++)
        {
            LabelBilinear(slices.Slice(z * px, px), s, slice, nx, xs, ys, outputHeight: ny);
            for (int i = 0; i < slice.Length; i++) data[z * nx * ny + i] = slice[i];
        }
        return new Volume(data, [nx, ny, geometry.SizeZ], geometry.SpacingMm, geometry.VoxelToWorld, 0, NiftiDataType.UInt8);
    }

    private static void CheckFrame(Volume v, int frame, SliceGeometry g)
    {
        if (frame < 0 || frame >= v.Frames) throw new ArgumentOutOfRangeException(nameof(frame), frame, $"the volume has {v.Frames} frame(s)");
        if (v.SizeX != g.SizeX || v.SizeY != g.SizeY || v.SizeZ != g.SizeZ)
            throw new MLCardiacException($"Volume {v.SizeX}×{v.SizeY}×{v.SizeZ} does not match the planned grid {g.SizeX}×{g.SizeY}×{g.SizeZ}.");
    }

    /// <summary>Bilinear sampling of src (width <paramref name="srcWidth"/>) at the sample positions, pad where invalid.</summary>
    private static void Bilinear(ReadOnlySpan<float> src, int srcWidth, Span<float> dst, int dstWidth, Axis xs, Axis ys, float pad)
    {
        for (int j = 0; j < ys.Count; j++)
        {
            Span<float> row = dst.Slice(j * dstWidth, dstWidth);
            if (!ys.Valid[j]) { row.Fill(pad); continue; }
            ReadOnlySpan<float> r0 = src.Slice(ys.I0[j] * srcWidth, srcWidth), r1 = src.Slice(ys.I1[j] * srcWidth, srcWidth);
            float wy = ys.W[j];
            for (int i = 0; i < xs.Count; i++)
            {
                if (!xs.Valid[i]) { row[i] = pad; continue; }
                int a = xs.I0[i], b = xs.I1[i];
                float wx = xs.W[i];
                float top = r0[a] + wx * (r0[b] - r0[a]);
                float bottom = r1[a] + wx * (r1[b] - r1[a]);
                row[i] = top + wy * (bottom - top);
            }
        }
    }

    /// <summary>Label-wise bilinear interpolation then arg-max; invalid samples and out-of-source neighbours are background.</summary>
    private static void LabelBilinear(ReadOnlySpan<byte> src, int srcWidth, Span<byte> dst, int dstWidth, Axis xs, Axis ys, int outputHeight = -1)
    {
        int height = outputHeight < 0 ? ys.Count : outputHeight;
        Span<float> weight = stackalloc float[Classes];
        for (int j = 0; j < height; j++)
        {
            Span<byte> row = dst.Slice(j * dstWidth, dstWidth);
            if (!ys.Valid[j]) { row.Clear(); continue; }
            for (int i = 0; i < xs.Count; i++)
            {
                if (!xs.Valid[i]) { row[i] = 0; continue; }
                weight.Clear();
                float wx = xs.W[i], wy = ys.W[j];
                Add(src, srcWidth, xs.I0[i], ys.I0[j], xs.In0[i] && ys.In0[j], (1 - wx) * (1 - wy), weight);
                Add(src, srcWidth, xs.I1[i], ys.I0[j], xs.In1[i] && ys.In0[j], wx * (1 - wy), weight);
                Add(src, srcWidth, xs.I0[i], ys.I1[j], xs.In0[i] && ys.In1[j], (1 - wx) * wy, weight);
                Add(src, srcWidth, xs.I1[i], ys.I1[j], xs.In1[i] && ys.In1[j], wx * wy, weight);
                int best = 0;
                for (int c = 1; c < Classes; c++) if (weight[c] > weight[best]) best = c;
                row[i] = (byte)best;
            }
        }

        static void Add(ReadOnlySpan<byte> src, int width, int x, int y, bool inside, float w, Span<float> weight)
        {
            if (w <= 0) return;
            weight[inside ? src[y * width + x] : 0] += w;
        }
    }

    /// <summary>
    /// Sample positions along one axis: for output index i, the source position p(i) = (i + 0.5)·ratio − 0.5 + shift,
    /// split into the two neighbours I0/I1 (clamped to the source), the weight of I1, whether each neighbour lies
    /// inside the source (In0/In1), and whether the output index is inside the resampled field of view (Valid).
    /// </summary>
    private sealed class Axis
    {
        public required int Count { get; init; }
        public required int[] I0 { get; init; }
        public required int[] I1 { get; init; }
        public required float[] W { get; init; }
        public required bool[] In0 { get; init; }
        public required bool[] In1 { get; init; }
        public required bool[] Valid { get; init; }

        /// <summary>Original (n) → resampled (r) → crop at offset, output size s.</summary>
        public static Axis Forward(int n, int r, int offset, int s) =>
            Build(s, n, i => (i + offset + 0.5) * n / r - 0.5, i => i + offset >= 0 && i + offset < r);

        /// <summary>Crop grid (size s at offset in the resampled grid r) → original (n).</summary>
        public static Axis Backward(int n, int r, int offset, int s) =>
            Build(n, s, i => (i + 0.5) * r / n - 0.5 - offset, _ => true);

        private static Axis Build(int count, int sourceSize, Func<int, double> position, Func<int, bool> valid)
        {
            var a = new Axis
            {
                Count = count, I0 = new int[count], I1 = new int[count], W = new float[count],
                In0 = new bool[count], In1 = new bool[count], Valid = new bool[count],
            };
            for (int i = 0; i < count; i++)
            {
                double p = position(i);
                int f = (int)Math.Floor(p);
                double w = p - f;
                a.In0[i] = f >= 0 && f < sourceSize;
                a.In1[i] = f + 1 >= 0 && f + 1 < sourceSize;
                a.I0[i] = Math.Clamp(f, 0, sourceSize - 1);
                a.I1[i] = Math.Clamp(f + 1, 0, sourceSize - 1);
                // Images clamp to the edge inside the field of view: give the inside neighbour all the weight there.
                a.W[i] = (float)(f < 0 ? 1 : f + 1 >= sourceSize ? 0 : w);
                if (f < 0 && !a.In1[i]) a.W[i] = 0;
                a.Valid[i] = valid(i);
            }
            return a;
        }
    }
}
