using MLCardiac.Data;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;

namespace MLCardiac.Planning;

/// <summary>
/// What one labeled frame tells the planner: its grid, its voxel spacing, how far its heart reaches from the image
/// centre, and its intensity range.
/// </summary>
/// <param name="Vendor">Vendor code.</param>
/// <param name="SizeX">Columns.</param>
/// <param name="SizeY">Rows.</param>
/// <param name="Slices">Slices of the 3D frame.</param>
/// <param name="Spacing">Voxel spacing in mm (x, y in-plane; z between slices).</param>
/// <param name="HeartReachMm">
/// Largest distance, in mm along x or y, from the image centre to the outer edge of a labeled voxel: a square crop
/// centred on the image holds every label when its half-side is at least this. NaN when the frame has no label voxel.
/// </param>
/// <param name="Low">0.5th intensity percentile of the frame.</param>
/// <param name="High">99.5th intensity percentile of the frame.</param>
/// <param name="Mean">Mean intensity of the frame.</param>
/// <param name="StdDev">Standard deviation of the frame's intensities.</param>
public sealed record CaseFingerprint(string Vendor, int SizeX, int SizeY, int Slices, Spacing Spacing, double HeartReachMm,
    double Low, double High, double Mean, double StdDev);

/// <summary>
/// The dataset fingerprint of nnU-Net's recipe (Isensee et al., Nature Methods 2021), for short-axis cine CMR: per
/// labeled ED/ES frame the grid, the spacing, the heart's reach from the image centre and the intensity statistics.
/// <see cref="TrainingPlan.From"/> turns it into a plan.
/// </summary>
/// <remarks>
/// nnU-Net's fingerprint also holds the foreground intensities (for CT's global normalisation) and the sizes after
/// cropping to the non-zero region. Neither applies here: MR intensities have no physical scale, so images are z-scored
/// one at a time and global foreground statistics are not used; and cine short-axis images are not zero-padded, so the
/// non-zero crop is the image. What this pipeline needs instead is where the heart lies: its slices are square crops
/// centred on the image (no sliding window at inference), so the crop has to hold every heart of the dataset.
/// </remarks>
public sealed record DatasetFingerprint(IReadOnlyList<CaseFingerprint> Cases)
{
    /// <summary>Voxels sampled per frame for the intensity statistics (an even stride over the frame).</summary>
    public const int IntensitySamples = 50_000;

    /// <summary>
    /// Measures the labeled frames of <paramref name="index"/>: each subject's image and label files are read once.
    /// </summary>
    /// <param name="index">The dataset.</param>
    /// <param name="progress">Receives the number of subjects done.</param>
    /// <param name="cancellationToken">Stops between subjects.</param>
    /// <exception cref="MLCardiacException">The dataset has no labeled frame, or a file cannot be read (names the file).</exception>
    public static DatasetFingerprint Measure(DatasetIndex index, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        var cases = new List<CaseFingerprint>();
        int done = 0;
        foreach (var subject in index.Records.Where(r => r.IsLabeled).GroupBy(r => (r.Vendor, r.Subject)).OrderBy(g => g.Key.Vendor, StringComparer.Ordinal).ThenBy(g => g.Key.Subject, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var images = new Dictionary<string, Volume>(StringComparer.Ordinal);
            var labels = new Dictionary<string, Volume>(StringComparer.Ordinal);
            foreach (CaseRecord r in subject)
            {
                Volume image = Read(images, r.ImagePath);
                Volume label = Read(labels, r.LabelPath!);
                if (label.SizeX != image.SizeX || label.SizeY != image.SizeY || label.SizeZ != image.SizeZ)
                    throw new MLCardiacException($"{r.LabelPath}: the label grid {label.SizeX}×{label.SizeY}×{label.SizeZ} does not match the image's {image.SizeX}×{image.SizeY}×{image.SizeZ} ({r.ImagePath}).");
                if (r.ImageFrame >= image.Frames) throw new MLCardiacException($"{r.ImagePath}: has {image.Frames} frame(s); frame {r.ImageFrame} was asked for.");
                if (r.LabelFrame >= label.Frames) throw new MLCardiacException($"{r.LabelPath}: has {label.Frames} frame(s); frame {r.LabelFrame} was asked for.");
                float[] labelFrame = label.Frame(r.LabelFrame).ToArray();
                r.ToOurLabels(labelFrame);
                var (low, high, mean, sd) = Intensities(image.Frame(r.ImageFrame).Span);
                cases.Add(new CaseFingerprint(r.Vendor, image.SizeX, image.SizeY, image.SizeZ, image.SpacingMm,
                    HeartReach(labelFrame, image.SizeX, image.SizeY, image.SizeZ, image.SpacingMm), low, high, mean, sd));
            }
            progress?.Report(++done);
        }
        if (cases.Count == 0) throw new MLCardiacException($"{index.Root}: no labeled frame to plan from (a plan needs the labels to know where the hearts are).");
        return new DatasetFingerprint(cases);
    }

    /// <summary>Vendors of the fingerprinted cases, in order.</summary>
    public IReadOnlyList<string> Vendors => [.. Cases.Select(c => c.Vendor).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>
    /// Largest distance from the image centre to the outer edge of a labeled voxel, along x or y, in mm (NaN without labels).
    /// Voxel i of n lies at (i + ½ − n/2) voxels from the centre; its outer edge half a voxel further out.
    /// </summary>
    public static double HeartReach(ReadOnlySpan<float> labels, int sizeX, int sizeY, int sizeZ, Spacing spacing)
    {
        int minX = int.MaxValue, maxX = -1, minY = int.MaxValue, maxY = -1;
        for (int z = 0; z < sizeZ; z++)
            for (int y = 0; y < sizeY; y++)
            {
                ReadOnlySpan<float> row = labels.Slice((z * sizeY + y) * sizeX, sizeX);
                for (int x = 0; x < sizeX; x++)
                {
                    if (row[x] == 0) continue;
                    if (x < minX) minX = x;
                    if (x > maxX) maxX = x;
                    if (y < minY) minY = y;
                    if (y > maxY) maxY = y;
                }
            }
        if (maxX < 0) return double.NaN;
        double reachX = Math.Max(sizeX / 2.0 - minX, maxX + 1 - sizeX / 2.0) * spacing.X;
        double reachY = Math.Max(sizeY / 2.0 - minY, maxY + 1 - sizeY / 2.0) * spacing.Y;
        return Math.Max(reachX, reachY);
    }

    private static (double Low, double High, double Mean, double StdDev) Intensities(ReadOnlySpan<float> frame)
    {
        int stride = Math.Max(1, frame.Length / IntensitySamples);
        var list = new List<double>(frame.Length / stride + 1);
        for (int i = 0; i < frame.Length; i += stride) if (float.IsFinite(frame[i])) list.Add(frame[i]);
        if (list.Count == 0) return (double.NaN, double.NaN, double.NaN, double.NaN);
        double[] sample = [.. list.Order()];
        double mean = sample.Average();
        double sd = Math.Sqrt(sample.Sum(v => (v - mean) * (v - mean)) / sample.Length);
        return (OverlapMetrics.Percentile(sample, 0.5), OverlapMetrics.Percentile(sample, 99.5), mean, sd);
    }

    private static Volume Read(Dictionary<string, Volume> cache, string path)
    {
        if (cache.TryGetValue(path, out Volume? v)) return v;
        try
        {
            return cache[path] = NiftiReader.Read(path);
        }
        catch (Exception e) when (e is IOException or NiftiFormatException or UnauthorizedAccessException)
        {
            throw new MLCardiacException($"{path}: cannot be read for the dataset fingerprint: {e.Message}", e);
        }
    }
}
