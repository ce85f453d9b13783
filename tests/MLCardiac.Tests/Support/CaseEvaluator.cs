using MLCardiac.Data;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Support;

/// <summary>
/// The tests' reference for the catalog's <c>Evaluate</c>: a segmenter (image, frame → labels on the image grid) run on
/// labeled records and scored in 3D on each image's own grid, straight from the NIfTI files, without the ML.NET chain —
/// so that the chain's evaluation is checked against a second, plain computation. Not product code (the product
/// evaluates through the chain only); <c>bench int8</c> uses it to score two segmenters on the same files.
/// </summary>
public static class CaseEvaluator
{
    /// <summary>
    /// Runs <paramref name="segment"/> (image, frame → 3D label volume on the image grid) on every labeled record;
    /// each image and label file is read once. <paramref name="progress"/> counts finished records.
    /// </summary>
    public static IReadOnlyList<CaseResult> Evaluate(Func<Volume, int, Volume> segment, IEnumerable<CaseRecord> records, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(records);
        var results = new List<CaseResult>();
        int done = 0;
        foreach (var group in records.Where(r => r.IsLabeled).GroupBy(r => r.ImagePath, StringComparer.Ordinal))
        {
            Volume image = NiftiReader.Read(group.Key);
            var labelFiles = new Dictionary<string, Volume>(StringComparer.Ordinal);
            foreach (CaseRecord record in group)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!labelFiles.TryGetValue(record.LabelPath!, out Volume? labels))
                    labelFiles[record.LabelPath!] = labels = NiftiReader.Read(record.LabelPath!);
                if (labels.SizeX != image.SizeX || labels.SizeY != image.SizeY || labels.SizeZ != image.SizeZ)
                    throw new MLCardiacException($"{record.LabelPath}: label grid {labels.SizeX}×{labels.SizeY}×{labels.SizeZ} differs from the image's {image.SizeX}×{image.SizeY}×{image.SizeZ}.");
                float[] truth = labels.Frame(record.LabelFrame).ToArray();
                record.ToOurLabels(truth);
                Volume predicted = segment(image, record.ImageFrame);
                var s = image.SpacingMm;
                OverlapMetrics M(int label) => OverlapMetrics.Compute(predicted.Data, truth, label, image.SizeX, image.SizeY, image.SizeZ, s.X, s.Y, s.Z);
                results.Add(new CaseResult(record, M(1), M(2), M(3)));
                progress?.Report(++done);
            }
        }
        return results;
    }
}
