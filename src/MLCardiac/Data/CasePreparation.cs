using System.Collections.Concurrent;
using MLCardiac.Imaging;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.Data;

/// <summary>
/// Loads records' NIfTI files and preprocesses them into <see cref="PreparedCase"/>s (each file is read once
/// even when ED and ES share a cine; every frame normalised on its own statistics, as the pipeline's Preprocess stage
/// does), then into training slices. Subjects load in parallel. For library users and benchmarks that train
/// <see cref="Training.SegmentationTrainer"/> directly; the product's commands prepare data through the ML.NET chain.
/// </summary>
public sealed class CasePreparation
{
    private readonly Preprocessor _preprocessor;

    /// <summary>Creates a preparation step with the given preprocessing.</summary>
    public CasePreparation(Preprocessor preprocessor)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        _preprocessor = preprocessor;
    }

    /// <summary>Prepares every record, in the order given; <paramref name="progress"/> counts finished subjects.</summary>
    public IReadOnlyList<PreparedCase> Prepare(IReadOnlyList<CaseRecord> records, bool includeLabels = true, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var bySubject = records.Select((r, i) => (r, i)).GroupBy(x => x.r.ImagePath, StringComparer.Ordinal).ToArray();
        var results = new PreparedCase[records.Count];
        int done = 0;
        var errors = new ConcurrentQueue<Exception>();
        Parallel.ForEach(bySubject, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, group =>
        {
            try
            {
                Volume image = NiftiReader.Read(group.Key);
                SliceGeometry geometry = _preprocessor.Plan(image);
                var labelFiles = new Dictionary<string, Volume>(StringComparer.Ordinal);
                foreach (var (record, index) in group)
                {
                    byte[]? labels = null;
                    if (includeLabels && record.LabelPath is not null)
                    {
                        if (!labelFiles.TryGetValue(record.LabelPath, out Volume? labelVolume))
                            labelFiles[record.LabelPath] = labelVolume = NiftiReader.Read(record.LabelPath);
                        if (labelVolume.SizeX != image.SizeX || labelVolume.SizeY != image.SizeY || labelVolume.SizeZ != image.SizeZ)
                            throw new MLCardiacException($"{record.LabelPath}: label grid {labelVolume.SizeX}×{labelVolume.SizeY}×{labelVolume.SizeZ} differs from the image's {image.SizeX}×{image.SizeY}×{image.SizeZ}.");
                        try { labels = Preprocessor.Label(Mapped(labelVolume, record), record.LabelFrame, geometry); }
                        catch (MLCardiacException e) { throw new MLCardiacException($"{record.LabelPath}: {e.Message}", e); }
                    }
                    results[index] = new PreparedCase(record, geometry, Preprocessor.Image(image, record.ImageFrame, geometry, _preprocessor.MeasureIntensity(image, record.ImageFrame)), labels);
                }
                progress?.Report(Interlocked.Increment(ref done));
            }
            catch (Exception e) when (e is MLCardiacException or IOException)
            {
                errors.Enqueue(e);
            }
        });
        if (!errors.IsEmpty)
        {
            var list = errors.ToArray();
            throw new MLCardiacException(list.Length == 1 ? list[0].Message : $"{list.Length} subjects could not be prepared:\n  " + string.Join("\n  ", list.Select(e => e.Message)), list[0]);
        }
        return results;
    }

    /// <summary>The slices of <paramref name="cases"/> as a training set; each case's vendor is looked up in <paramref name="domains"/>.</summary>
    public static SliceDataset ToSlices(IEnumerable<PreparedCase> cases, IReadOnlyList<string> domains, bool onlySlicesWithHeart = false)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(domains);
        var slices = new List<TrainingSlice>();
        foreach (var c in cases)
        {
            int domain = IndexOf(domains, c.Record.Vendor);
            int s = c.Geometry.Size, px = s * s;
            for (int z = 0; z < c.Slices; z++)
            {
                byte[]? label = c.Labels?.AsSpan(z * px, px).ToArray();
                if (onlySlicesWithHeart && label is not null && label.AsSpan().IndexOfAnyExcept((byte)0) < 0) continue;
                slices.Add(new TrainingSlice(c.Images.AsSpan(z * px, px).ToArray(), label, s, s, domain, c.Record.Subject));
            }
        }
        if (slices.Count == 0) throw new MLCardiacException("No slices: the selection of subjects is empty.");
        return new SliceDataset(slices, domains);
    }

    private static int IndexOf(IReadOnlyList<string> domains, string vendor)
    {
        for (int i = 0; i < domains.Count; i++) if (domains[i] == vendor) return i;
        throw new MLCardiacException($"Vendor \"{vendor}\" is not among the known domains [{string.Join(", ", domains)}].");
    }

    private static Volume Mapped(Volume labels, CaseRecord record)
    {
        if (record.LabelMap is null) return labels;
        var data = (float[])labels.Data.Clone();
        record.ToOurLabels(data);
        return new Volume(data, labels.Shape, labels.SpacingMm, labels.VoxelToWorld, labels.TimeStepS, labels.SourceDataType);
    }
}
