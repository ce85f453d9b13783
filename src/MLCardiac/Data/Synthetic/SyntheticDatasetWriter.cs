using MLCardiac.IO;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.ExceptionServices;
using System.Text;
using MLCardiac.Imaging;

namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Writes a synthetic cohort in the M&amp;Ms (2020) on-disk layout, so the M&amp;Ms adapter reads it like the real data:
/// <c>Training/Labeled/&lt;CODE&gt;/&lt;CODE&gt;_sa.nii.gz</c> (4D int16 image), <c>&lt;CODE&gt;_sa_gt.nii.gz</c> (4D uint8 labels,
/// non-zero only at the ED and ES frames), <c>Training/Unlabeled/&lt;CODE&gt;/&lt;CODE&gt;_sa.nii.gz</c> for unlabeled vendors, and
/// <c>Synthetic_Dataset_information.csv</c> with the columns of <see cref="CsvHeader"/> (ED/ES 0-based).
/// Subjects are generated and written in parallel; every file is written atomically.
/// </summary>
public sealed class SyntheticDatasetWriter
{
    /// <summary>Name of the metadata CSV in the dataset root.</summary>
    public const string CsvFileName = "Synthetic_Dataset_information.csv";

    /// <summary>
    /// Header line of the metadata CSV: the M&amp;Ms columns (the first, unnamed column is a 0-based row index, as written by
    /// pandas), then the scanner and its field strength in tesla.
    /// </summary>
    public const string CsvHeader = ",External code,VendorName,Vendor,Centre,ED,ES,Age,Pathology,Sex,Height,Weight,Scanner,FieldStrength";

    private static readonly NiftiWriteOptions ImageOptions = new() { DataType = NiftiDataType.Int16, Description = "MLCardiac synthetic bSSFP cine" };
    private static readonly NiftiWriteOptions LabelOptions = new() { DataType = NiftiDataType.UInt8, Description = "MLCardiac synthetic labels 1 LV 2 MYO 3 RV" };

    // Noisy int16 images: Huffman-only deflate is as fast as level 1 and a third smaller. Labels (mostly zeros): level 1.
    private static readonly ZLibCompressionOptions ImageCompression = new() { CompressionLevel = 1, CompressionStrategy = ZLibCompressionStrategy.HuffmanOnly };
    private static readonly ZLibCompressionOptions LabelCompression = new() { CompressionLevel = 1, CompressionStrategy = ZLibCompressionStrategy.Default };

    private readonly SyntheticCohortGenerator _generator;

    /// <summary>Creates a writer that draws subjects from <paramref name="generator"/>.</summary>
    public SyntheticDatasetWriter(SyntheticCohortGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _generator = generator;
    }

    /// <summary>Path of a subject's image relative to the dataset root.</summary>
    public static string ImagePath(string code, bool labeled) => Path.Combine("Training", labeled ? "Labeled" : "Unlabeled", code, $"{code}_sa.nii.gz");

    /// <summary>Path of a subject's label file relative to the dataset root.</summary>
    public static string LabelPath(string code) => Path.Combine("Training", "Labeled", code, $"{code}_sa_gt.nii.gz");

    /// <summary>
    /// Generates and writes the dataset under <paramref name="outputDirectory"/>; returns the subjects' metadata in CSV order.
    /// <paramref name="progress"/> receives the number of subjects written so far.
    /// </summary>
    /// <exception cref="MLCardiacException">The request is invalid.</exception>
    public IReadOnlyList<SyntheticSubjectInfo> Write(string outputDirectory, SyntheticDatasetRequest request,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        ArgumentNullException.ThrowIfNull(request);
        if (request.SubjectsPerVendor < 1)
        {
            throw new MLCardiacException($"SubjectsPerVendor must be at least 1 (got {request.SubjectsPerVendor}).");
        }
        int unlabeledPerVendor = request.UnlabeledPerVendor ?? request.SubjectsPerVendor;
        if (unlabeledPerVendor < 0)
        {
            throw new MLCardiacException($"UnlabeledPerVendor must be at least 0 (got {unlabeledPerVendor}).");
        }
        var jobs = new List<(VendorProfile Vendor, int Index, bool Labeled)>();
        var labeledCodes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (VendorProfile vendor in request.Vendors.DistinctBy(v => v.Code, StringComparer.OrdinalIgnoreCase))
        {
            labeledCodes.Add(vendor.Code);
            for (int i = 0; i < request.SubjectsPerVendor; i++)
            {
                jobs.Add((vendor, i, true));
            }
        }
        foreach (VendorProfile vendor in request.UnlabeledVendors.DistinctBy(v => v.Code, StringComparer.OrdinalIgnoreCase))
        {
            // Other subjects than the vendor's labeled ones: indices continue after them.
            int first = labeledCodes.Contains(vendor.Code) ? request.SubjectsPerVendor : 0;
            for (int i = first; i < first + unlabeledPerVendor; i++)
            {
                jobs.Add((vendor, i, false));
            }
        }
        if (jobs.Count == 0)
        {
            throw new MLCardiacException("No vendor to write: give at least one labeled or unlabeled vendor.");
        }

        Directory.CreateDirectory(outputDirectory);
        var infos = new SyntheticSubjectInfo[jobs.Count];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.MaxDegreeOfParallelism), CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, jobs.Count, parallel, k =>
            {
                var (vendor, index, labeled) = jobs[k];
                SyntheticSubject subject = _generator.Generate(vendor, index);
                WriteSubject(outputDirectory, subject, labeled);
                infos[k] = subject.Info;
                progress?.Report(Interlocked.Increment(ref done));
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // Report the first failure itself (e.g. an IOException naming the file), not the parallel wrapper.
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            throw;
        }
        WriteCsv(Path.Combine(outputDirectory, CsvFileName), infos);
        return infos;
    }

    /// <summary>Writes one subject's image (and labels when <paramref name="labeled"/>) under <paramref name="outputDirectory"/>.</summary>
    public static void WriteSubject(string outputDirectory, SyntheticSubject subject, bool labeled)
    {
        ArgumentNullException.ThrowIfNull(subject);
        string code = subject.Info.Code;
        string imagePath = Path.Combine(outputDirectory, ImagePath(code, labeled));
        Directory.CreateDirectory(Path.GetDirectoryName(imagePath)!);
        var spacing = new Spacing(subject.PixelSpacingMm, subject.PixelSpacingMm, subject.SliceSpacingMm);
        double frameTimeS = 60.0 / subject.Info.HeartRateBpm / subject.FrameCount;
        int[] shape = [subject.SizeX, subject.SizeY, subject.SliceCount, subject.FrameCount];
        Affine affine = StoredAffine(subject);

        // Stored numbers × the rescale slope are the values; the writer divides by the slope again, so the file holds the
        // generator's whole numbers and scl_slope. dcm2niix's row flip reverses the rows of every slice.
        float slope = (float)subject.ScaleSlope;
        var image = new float[subject.ImageArray.Length];
        CopyRows(subject.Image, image, subject.SizeX, subject.SizeY, subject.FlipRows, v => v * slope);
        WriteGzipAtomically(new Volume(image, shape, spacing, affine, frameTimeS), imagePath, new NiftiWriteOptions
        {
            DataType = ImageOptions.DataType, Description = ImageOptions.Description, ScaleSlope = subject.ScaleSlope,
        }, ImageCompression);
        if (!labeled)
        {
            return;
        }
        var labels = new float[subject.ImageArray.Length];
        int frameSize = subject.SizeX * subject.SizeY * subject.SliceCount;
        var source = new float[frameSize];
        foreach (int frame in (int[])[subject.Info.EdFrame, subject.Info.EsFrame])
        {
            ReadOnlySpan<byte> frameLabels = subject.Labels.Slice(frame * frameSize, frameSize);
            for (int i = 0; i < frameSize; i++)
            {
                source[i] = frameLabels[i];
            }
            CopyRows(source, labels.AsSpan(frame * frameSize, frameSize), subject.SizeX, subject.SizeY, subject.FlipRows, v => v);
        }
        WriteGzipAtomically(new Volume(labels, shape, spacing, affine, frameTimeS), Path.Combine(outputDirectory, LabelPath(code)), LabelOptions, LabelCompression);
    }

    /// <summary>
    /// The affine of the stored arrays: the subject's display-order affine, with the rows reversed when the converter flips
    /// them (the first stored row is the last displayed one: origin moved by (rows − 1)·Δy, the y column negated).
    /// </summary>
    public static Affine StoredAffine(SyntheticSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        Affine a = subject.DisplayVoxelToWorld ?? Affine.FromSpacing(new Spacing(subject.PixelSpacingMm, subject.PixelSpacingMm, subject.SliceSpacingMm));
        if (!subject.FlipRows)
        {
            return a;
        }
        double rows = subject.SizeY - 1;
        return new Affine(
        [
            a[0, 0], -a[0, 1], a[0, 2], a[0, 3] + (rows * a[0, 1]),
            a[1, 0], -a[1, 1], a[1, 2], a[1, 3] + (rows * a[1, 1]),
            a[2, 0], -a[2, 1], a[2, 2], a[2, 3] + (rows * a[2, 1]),
            0, 0, 0, 1,
        ]);
    }

    private static void CopyRows(ReadOnlySpan<float> source, Span<float> target, int width, int height, bool flip, Func<float, float> map)
    {
        int planes = source.Length / (width * height);
        for (int p = 0; p < planes; p++)
        {
            for (int y = 0; y < height; y++)
            {
                int from = ((p * height) + y) * width, to = ((p * height) + (flip ? height - 1 - y : y)) * width;
                for (int x = 0; x < width; x++)
                {
                    target[to + x] = map(source[from + x]);
                }
            }
        }
    }

    /// <summary>
    /// Writes a .nii.gz through <see cref="NiftiWriter"/>'s stream overload with our own deflate settings, atomically
    /// (temporary file + rename). Unlike <see cref="NiftiWriter.Write(Volume, string, NiftiWriteOptions?)"/> it does not
    /// force the file to disk: a synthetic dataset can be regenerated, and per-file fsync would serialise the writers.
    /// </summary>
    private static void WriteGzipAtomically(Volume volume, string path, NiftiWriteOptions options, ZLibCompressionOptions compression) =>
        AtomicFile.Write(path, file =>
        {
            using var gz = new GZipStream(file, compression, leaveOpen: true);
            NiftiWriter.Write(volume, gz, options, path);
        }, durable: false);

    /// <summary>Writes the metadata CSV atomically.</summary>
    public static void WriteCsv(string path, IReadOnlyList<SyntheticSubjectInfo> subjects)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var sb = new StringBuilder();
        sb.Append(CsvHeader).Append('\n');
        for (int i = 0; i < subjects.Count; i++)
        {
            SyntheticSubjectInfo s = subjects[i];
            sb.Append(CultureInfo.InvariantCulture,
                $"{i},{s.Code},{s.VendorName},{s.VendorCode},{s.Centre},{s.EdFrame},{s.EsFrame},{s.AgeYears},{s.PathologyCode},{s.Sex},{s.HeightCm:0.#},{s.WeightKg:0.#},{s.Scanner},{s.FieldStrengthT:0.0#}\n");
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
