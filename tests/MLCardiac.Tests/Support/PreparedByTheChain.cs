using Microsoft.ML;
using MLCardiac.Data;
using MLCardiac.ML;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.Tests.Support;

/// <summary>
/// Preprocessed cases the way the product makes them — the ML.NET chain <c>LoadNifti → Preprocess</c> — for tests of the
/// layouts and of the trainer's internals, which need the slices themselves rather than a fitted pipeline.
/// </summary>
public static class PreparedByTheChain
{
    /// <summary>One record's preprocessed slices (slice-major, <see cref="Size"/>² each) and labels (null when unlabeled).</summary>
    public sealed record PreparedCase(CaseRecord Record, float[] Images, byte[]? Labels, int Size)
    {
        /// <summary>Number of slices.</summary>
        public int Slices => Images.Length / (Size * Size);
    }

    /// <summary>Every record through <c>LoadNifti → Preprocess(<paramref name="options"/>)</c>, in order.</summary>
    public static IReadOnlyList<PreparedCase> Prepare(IReadOnlyList<CaseRecord> records, PreprocessingOptions options)
    {
        var cardiac = new MLContext(seed: 1).CardiacSegmentation();
        IDataView data = cardiac.Data.FromRecords(records);
        IDataView prepared = cardiac.Transforms.LoadNifti().Append(cardiac.Transforms.Preprocess(options)).Fit(data).Transform(data);
        var rows = SlicesColumn.Read(prepared, labels: true, CancellationToken.None).ToList();
        Assert.HasCount(records.Count, rows, "one prepared row per record");
        return [.. records.Zip(rows, (r, row) => new PreparedCase(r, row.Slices, row.Labels.Length == 0 ? null : row.Labels, options.Size))];
    }

    /// <summary>The slices of <paramref name="cases"/> as a training set; each case's vendor is its domain in <paramref name="domains"/>.</summary>
    public static SliceDataset ToSlices(IEnumerable<PreparedCase> cases, IReadOnlyList<string> domains) =>
        new([.. cases.SelectMany((c, i) => SlicesColumn.ToTrainingSlices(new SlicesColumn.Row(c.Record.Subject, c.Record.Vendor, c.Images, c.Labels ?? []),
            c.Size, IndexOf(domains, c.Record.Vendor), withLabels: true, volume: i))], domains);

    private static int IndexOf(IReadOnlyList<string> domains, string vendor)
    {
        for (int i = 0; i < domains.Count; i++) if (domains[i] == vendor) return i;
        throw new ArgumentException($"vendor {vendor} is not among [{string.Join(", ", domains)}]");
    }
}
