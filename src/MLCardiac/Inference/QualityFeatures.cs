using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Inference;

/// <summary>
/// What a segmentation network says about one preprocessed stack without any ground truth — the inputs of the quality
/// control stage (<see cref="QualityAssessor"/>).
/// </summary>
/// <param name="Shift">
/// The vector whose distance to the training cases' vectors is the shift score: per-channel mean and standard deviation
/// over the stack of the network's first convolution before normalisation (<see cref="SegmentationNetwork.StemResponse"/>: the image's
/// contrast and texture through the network's own filter bank), then texture statistics of the normalised stack (gradient
/// energy along x and y, their log ratio, Laplacian energy at two scales and their log ratio, the background's Laplacian
/// median, lag-1 and lag-2 autocorrelations along x and y: resolution, reconstruction filtering, noise and the
/// phase-encoding direction, which differ between vendors and protocols), then quantiles of the normalised intensities.
/// </param>
/// <remarks>
/// Chosen by measurement on the generalization study's held-out scans (2 arms, quick profile; see ML/README.md): later
/// encoder stages and the bottleneck — the features González et al. (MICCAI 2021) take from nnU-Net — separated the
/// never-seen vendors worse (AUROC 0.43–0.72 for vendor D) than the pre-normalisation stem with texture and intensity
/// statistics: instance normalisation removes from every later feature exactly the acquisition differences a shift
/// score must see, which is also why the segmentation itself tolerates them.
/// </remarks>
/// <param name="Agreement">Per structure (LV, MYO, RV): mean Dice between the arg-max of the stack and the arg-max of its x and y mirror images (1 when both are empty).</param>
/// <param name="SoftDice">Per structure: the Dice the network expects of its own arg-max under its own probabilities (1 when both are empty).</param>
/// <param name="Predicted">The arg-max labels of the stack itself [count, size, size].</param>
public sealed record QualityFeatures(float[] Shift, double[] Agreement, double[] SoftDice, byte[] Predicted)
{
    /// <summary>Structures scored, in label order: LV blood pool (1), LV myocardium (2), RV blood pool (3).</summary>
    public static readonly string[] Structures = ["LV", "MYO", "RV"];

    /// <summary>Quantiles of the normalised intensities appended to <see cref="Shift"/>.</summary>
    public static readonly double[] IntensityQuantiles = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

    /// <summary>Number of texture statistics in <see cref="Shift"/>.</summary>
    public const int TextureCount = 11;

    /// <summary>Length of <see cref="Shift"/> for a network built with <paramref name="options"/>.</summary>
    public static int ShiftLength(UNetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return 2 * options.FiltersAt(0) + TextureCount + IntensityQuantiles.Length;
    }

    /// <summary>
    /// The features of <paramref name="count"/> preprocessed slices [count, size, size] through <paramref name="network"/>
    /// (three forward passes: the stack and its two mirror images; with <paramref name="shiftOnly"/> one, and
    /// <see cref="Agreement"/> and <see cref="SoftDice"/> are left empty). The caller serialises calls on one network.
    /// </summary>
    public static QualityFeatures Compute(SegmentationNetwork network, ReadOnlySpan<float> slices, int count, int size, int batchSize = 16, bool shiftOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        int px = size * size, classes = network.Options.Classes;
        if (count < 1 || slices.Length != count * px) throw new ArgumentException($"Expected {count}×{size}×{size} values, got {slices.Length}.", nameof(slices));
        double[]? sums = null, squares = null;
        long positions = 0;
        var plain = new byte[count * px];
        var mirrored = new byte[Mirrors][];
        var soft = new double[classes, 2]; // Σ p·[ŷ = k], Σ p
        network.eval();
        if (network.IsVolumetric) batchSize = count; // a 3D network sees the volume's stack at once
        using var mode = torch.inference_mode();
        for (int m = 0; m <= (shiftOnly ? 0 : Mirrors); m++)
        {
            byte[] labels = m == 0 ? plain : mirrored[m - 1] = new byte[count * px];
            for (int z0 = 0; z0 < count; z0 += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(batchSize, count - z0);
                using var scope = torch.NewDisposeScope();
                Tensor x = tensor(slices.Slice(z0 * px, n * px).ToArray(), new long[] { n, 1, size, size });
                if (m == 0)
                {
                    // Sums accumulate in float64 without a float64 copy of the response (memory: the service budgets per pixel).
                    using Tensor stem = network.StemResponse(x);
                    double[] sum = stem.sum([0, 2, 3], false, ScalarType.Float64).data<double>().ToArray();
                    double[] sq = stem.square().sum([0, 2, 3], false, ScalarType.Float64).data<double>().ToArray();
                    sums ??= new double[sum.Length];
                    squares ??= new double[sum.Length];
                    for (int c = 0; c < sum.Length; c++)
                    {
                        sums[c] += sum[c];
                        squares[c] += sq[c];
                    }
                    positions += n * stem.shape[2] * stem.shape[3];
                    if (shiftOnly) continue;
                }
                if (m > 0) x = x.flip(Axes(m));
                Tensor probabilities = nn.functional.softmax(network.StackLogits(x), 1);
                if (m > 0) probabilities = probabilities.flip(Axes(m));
                torch.argmax(probabilities, 1).to_type(ScalarType.Byte).data<byte>().CopyTo(labels.AsSpan(z0 * px, n * px));
                if (m != 0) continue;
                float[] p = probabilities.data<float>().ToArray();
                byte[] batchLabels = labels.AsSpan(z0 * px, n * px).ToArray();
                for (int i = 0; i < n; i++)
                    for (int k = 1; k < classes; k++)
                    {
                        ReadOnlySpan<float> pk = p.AsSpan((i * classes + k) * px, px);
                        double inside = 0, all = 0;
                        for (int j = 0; j < px; j++)
                        {
                            all += pk[j];
                            if (batchLabels[i * px + j] == k) inside += pk[j];
                        }
                        soft[k, 0] += inside;
                        soft[k, 1] += all;
                    }
            }
        }
        var shift = new List<float>();
        foreach (double v in sums!) shift.Add((float)(v / positions));
        for (int c = 0; c < sums.Length; c++)
        {
            double mean = sums[c] / positions;
            shift.Add((float)Math.Sqrt(Math.Max(0, squares![c] / positions - mean * mean)));
        }
        shift.AddRange(Texture(slices, count, size));
        float[] sorted = slices.ToArray();
        Array.Sort(sorted);
        foreach (double q in IntensityQuantiles) shift.Add(sorted[(int)Math.Round(q * (sorted.Length - 1))]);

        if (shiftOnly) return new QualityFeatures([.. shift], [], [], []);
        var agreement = new double[classes - 1];
        var softDice = new double[classes - 1];
        var counts = Counts(plain, classes);
        for (int k = 1; k < classes; k++)
        {
            double sum = 0;
            foreach (byte[] other in mirrored) sum += Dice(plain, other, (byte)k);
            agreement[k - 1] = sum / mirrored.Length;
            double denominator = soft[k, 1] + counts[k];
            softDice[k - 1] = denominator == 0 ? 1 : 2 * soft[k, 0] / denominator;
        }
        return new QualityFeatures([.. shift], agreement, softDice, plain);
    }

    /// <summary>The texture statistics of a normalised stack (see <see cref="Shift"/>), away from a two-pixel border.</summary>
    private static float[] Texture(ReadOnlySpan<float> v, int count, int size)
    {
        int px = size * size;
        double mean = 0;
        foreach (float x in v) mean += x;
        mean /= v.Length;
        float[] sorted = v.ToArray();
        Array.Sort(sorted);
        float background = sorted[(int)(0.3 * (sorted.Length - 1))];
        double gx = 0, gy = 0, lap = 0, lap2 = 0, cx1 = 0, cy1 = 0, cx2 = 0, cy2 = 0, variance = 0;
        long n1 = 0, n2 = 0;
        var backgroundLaplacian = new List<float>();
        for (int z = 0; z < count; z++)
        {
            ReadOnlySpan<float> s = v.Slice(z * px, px);
            for (int y = 2; y < size - 2; y++)
                for (int x = 2; x < size - 2; x++)
                {
                    int i = y * size + x;
                    double c = s[i] - mean;
                    gx += Math.Abs(s[i + 1] - s[i]);
                    gy += Math.Abs(s[i + size] - s[i]);
                    double l = 4 * s[i] - s[i - 1] - s[i + 1] - s[i - size] - s[i + size];
                    lap += Math.Abs(l);
                    if (s[i] < background) backgroundLaplacian.Add((float)Math.Abs(l));
                    cx1 += c * (s[i + 1] - mean);
                    cy1 += c * (s[i + size] - mean);
                    cx2 += c * (s[i + 2] - mean);
                    cy2 += c * (s[i + 2 * size] - mean);
                    variance += c * c;
                    n1++;
                }
            // The Laplacian of the 2×2-averaged slice: energy one octave down.
            for (int y = 2; y + 3 < size - 2; y += 2)
                for (int x = 2; x + 3 < size - 2; x += 2)
                {
                    lap2 += Math.Abs(4 * Mean2(s, size, y, x) - Mean2(s, size, y, x - 2) - Mean2(s, size, y, x + 2) - Mean2(s, size, y - 2, x) - Mean2(s, size, y + 2, x));
                    n2++;
                }
        }
        backgroundLaplacian.Sort();
        const double tiny = 1e-9;
        double g1 = gx / Math.Max(1, n1), g2 = gy / Math.Max(1, n1), l1 = lap / Math.Max(1, n1), l2 = lap2 / Math.Max(1, n2);
        variance = Math.Max(variance, tiny);
        return
        [
            (float)g1, (float)g2, (float)Math.Log((g1 + tiny) / (g2 + tiny)), (float)l1, (float)l2, (float)Math.Log((l1 + tiny) / (l2 + tiny)),
            backgroundLaplacian.Count > 0 ? backgroundLaplacian[backgroundLaplacian.Count / 2] : 0f,
            (float)(cx1 / variance), (float)(cy1 / variance), (float)(cx2 / variance), (float)(cy2 / variance),
        ];
    }

    private static float Mean2(ReadOnlySpan<float> s, int size, int y, int x) =>
        (s[y * size + x] + s[y * size + x + 1] + s[(y + 1) * size + x] + s[(y + 1) * size + x + 1]) / 4;

    /// <summary>Mirror images whose predictions are compared with the stack's: along x and along y. (The xy mirror as well was measured to cost a quarter more time for a study's quality control and is left out.)</summary>
    private const int Mirrors = 2;

    private static long[] Axes(int mirror) => mirror == 1 ? [3] : [2];

    private static long[] Counts(byte[] labels, int classes)
    {
        var counts = new long[classes];
        foreach (byte l in labels) if (l < classes) counts[l]++;
        return counts;
    }

    /// <summary>Dice of label <paramref name="k"/> between two label arrays of one grid (1 when both lack it).</summary>
    internal static double Dice(byte[] a, byte[] b, byte k)
    {
        long both = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            bool inA = a[i] == k, inB = b[i] == k;
            if (inA) na++;
            if (inB) nb++;
            if (inA && inB) both++;
        }
        return na + nb == 0 ? 1 : 2.0 * both / (na + nb);
    }
}
