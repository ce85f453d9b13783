using MLCardiac.Imaging;
using MLCardiac.Preprocessing;

namespace MLCardiac.Inference;

/// <summary>
/// Segments a volume with any <see cref="ISegmentationBackend"/>: preprocessing (resample, crop, per-frame z-score),
/// batches of slices through the backend, optional mirror test-time augmentation, arg-max, restoring the original grid
/// and the largest-component filter. One implementation for TorchSharp and ONNX Runtime, so both backends give the
/// same labels for the same network.
/// </summary>
public sealed class VolumeSegmenter
{
    private static readonly MirrorAxis[] Mirrors = [MirrorAxis.X, MirrorAxis.Y, MirrorAxis.X | MirrorAxis.Y];

    /// <summary>Runs <paramref name="backend"/> (not owned) with <paramref name="preprocessor"/>.</summary>
    public VolumeSegmenter(Preprocessor preprocessor, ISegmentationBackend backend)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentNullException.ThrowIfNull(backend);
        Preprocessor = preprocessor;
        Backend = backend;
    }

    /// <summary>The preprocessing the network expects.</summary>
    public Preprocessor Preprocessor { get; }

    /// <summary>The forward pass.</summary>
    public ISegmentationBackend Backend { get; }

    /// <summary>
    /// Structures the largest-component filter applies to (the model's post-processing, chosen on validation by
    /// <see cref="PostProcessingChoice"/>); null: every structure.
    /// </summary>
    public IReadOnlyList<int>? LargestComponentLabels { get; init; }

    /// <summary>
    /// Labels 0..3 of frame <paramref name="frame"/> of <paramref name="image"/> on the image's own grid (3D): the frame is
    /// normalised on its own intensity statistics, exactly as the pipeline's <c>Preprocess</c> stage does for a row. With
    /// <paramref name="mirrorTta"/> the probabilities of the slices and of their x, y and xy mirror images are averaged;
    /// with <paramref name="largestComponent"/> the structures of <see cref="LargestComponentLabels"/> keep their largest 3D component.
    /// </summary>
    public Volume Segment(Volume image, int frame = 0, bool mirrorTta = false, bool largestComponent = true, int batchSize = 16, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        SliceGeometry geometry = Preprocessor.Plan(image);
        float[] slices = Preprocessor.Image(image, frame, geometry, Preprocessor.MeasureIntensity(image, frame));
        return Segment(slices, geometry, mirrorTta, largestComponent, batchSize, cancellationToken);
    }

    /// <summary>
    /// Labels 0..3 on the original grid of slices already preprocessed (<see cref="Preprocessor.Image"/>) with
    /// <paramref name="geometry"/>: the backend, optional mirror averaging, arg-max, restoring and the largest-component filter.
    /// </summary>
    public Volume Segment(ReadOnlySpan<float> slices, SliceGeometry geometry, bool mirrorTta = false, bool largestComponent = true, int batchSize = 16, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        byte[] labels = PredictSlices(slices, geometry.SizeZ, geometry.Size, mirrorTta, batchSize, cancellationToken);
        Volume result = Preprocessor.Restore(labels, geometry);
        if (largestComponent) LargestComponent.Apply(result.Voxels, result.SizeX, result.SizeY, result.SizeZ, Backend.Classes, LargestComponentLabels);
        return result;
    }

    /// <summary>Labels [count, size, size] of preprocessed slices [count, size, size] (arg-max of the probabilities, optionally mirror-averaged).</summary>
    public byte[] PredictSlices(ReadOnlySpan<float> slices, int count, int size, bool mirrorTta = false, int batchSize = 16, CancellationToken cancellationToken = default)
    {
        int px = size * size, classes = Backend.Classes;
        if (slices.Length != count * px) throw new ArgumentException($"Expected {count}×{size}×{size} values, got {slices.Length}.", nameof(slices));
        var labels = new byte[count * px];
        if (Backend.WholeStack) batchSize = count; // a 3D network sees the volume's stack at once
        var probabilities = new float[Math.Min(batchSize, count) * classes * px];
        var mirrored = mirrorTta ? new float[probabilities.Length] : [];
        var flipped = mirrorTta ? new float[Math.Min(batchSize, count) * px] : [];
        for (int z0 = 0; z0 < count; z0 += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(batchSize, count - z0);
            ReadOnlySpan<float> batch = slices.Slice(z0 * px, n * px);
            Span<float> p = probabilities.AsSpan(0, n * classes * px);
            Backend.Predict(batch, n, size, p);
            if (mirrorTta)
            {
                foreach (MirrorAxis axis in Mirrors)
                {
                    Span<float> f = flipped.AsSpan(0, n * px), m = mirrored.AsSpan(0, n * classes * px);
                    Flip(batch, f, n, size, axis);
                    Backend.Predict(f, n, size, m);
                    FlipInPlace(m, n * classes, size, axis);
                    System.Numerics.Tensors.TensorPrimitives.Add(p, m, p);
                }
            }
            ArgMax(p, n, classes, px, labels.AsSpan(z0 * px, n * px));
        }
        return labels;
    }

    [Flags]
    private enum MirrorAxis { X = 1, Y = 2 }

    private static void Flip(ReadOnlySpan<float> src, Span<float> dst, int planes, int size, MirrorAxis axis)
    {
        src.CopyTo(dst);
        FlipInPlace(dst, planes, size, axis);
    }

    private static void FlipInPlace(Span<float> data, int planes, int size, MirrorAxis axis)
    {
        int px = size * size;
        for (int p = 0; p < planes; p++)
        {
            Span<float> plane = data.Slice(p * px, px);
            if (axis.HasFlag(MirrorAxis.X))
                for (int y = 0; y < size; y++) plane.Slice(y * size, size).Reverse();
            if (axis.HasFlag(MirrorAxis.Y))
                for (int y = 0; y < size / 2; y++)
                {
                    Span<float> a = plane.Slice(y * size, size), b = plane.Slice((size - 1 - y) * size, size);
                    for (int x = 0; x < size; x++) (a[x], b[x]) = (b[x], a[x]);
                }
        }
    }

    private static void ArgMax(ReadOnlySpan<float> p, int count, int classes, int px, Span<byte> labels)
    {
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> s = p.Slice(n * classes * px, classes * px);
            for (int i = 0; i < px; i++)
            {
                int best = 0;
                float bestValue = s[i];
                for (int c = 1; c < classes; c++)
                {
                    float v = s[c * px + i];
                    if (v > bestValue) { best = c; bestValue = v; }
                }
                labels[n * px + i] = (byte)best;
            }
        }
    }
}
