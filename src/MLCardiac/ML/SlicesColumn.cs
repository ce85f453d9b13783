using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Augmentation;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>Reads preprocessed rows (the <c>Slices</c> column and its annotations) into training slices.</summary>
internal static class SlicesColumn
{
    public static void Require(SchemaShape shape, string who, bool labels)
    {
        ColumnAccess.Require(shape, CardiacColumnNames.Slices, c => ColumnAccess.IsVectorOf(c, NumberDataViewType.Single), "a vector of Single (put Preprocess before the trainer)", who);
        if (labels) ColumnAccess.Require(shape, CardiacColumnNames.LabelSlices, c => ColumnAccess.IsVectorOf(c, NumberDataViewType.Byte), "a vector of Byte", who);
        ColumnAccess.Require(shape, CardiacColumnNames.Vendor, c => ColumnAccess.IsScalarOf(c, TextDataViewType.Instance), "text", who);
        ColumnAccess.Require(shape, CardiacColumnNames.Subject, c => ColumnAccess.IsScalarOf(c, TextDataViewType.Instance), "text", who);
    }

    /// <summary>The preprocessing and augmentation recorded on the <c>Slices</c> column.</summary>
    public static (PreprocessingOptions Preprocessing, AugmentationOptions Augmentation) Settings(DataViewSchema schema, string who)
    {
        var slices = ColumnAccess.Require(schema, CardiacColumnNames.Slices, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Single), "a vector of Single (put Preprocess before the trainer)", who);
        string json = ColumnAccess.TextAnnotation(slices, CardiacColumnNames.PreprocessingAnnotation)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{who}: column '{CardiacColumnNames.Slices}' carries no '{CardiacColumnNames.PreprocessingAnnotation}' annotation; produce it with Transforms.Preprocess.");
        var preprocessing = JsonSerializer.Deserialize<PreprocessingOptions>(json)!;
        string? augmentation = ColumnAccess.TextAnnotation(slices, CardiacColumnNames.AugmentationAnnotation);
        return (preprocessing, augmentation is null ? new AugmentationOptions { Name = "none" } : JsonSerializer.Deserialize<AugmentationOptions>(augmentation)!);
    }

    /// <summary>One preprocessed row.</summary>
    public sealed record Row(string Subject, string Vendor, float[] Slices, byte[] Labels);

    /// <summary>Every row of <paramref name="data"/> (slices, labels, vendor, subject), in order.</summary>
    public static IEnumerable<Row> Read(IDataView data, bool labels, CancellationToken cancellationToken)
    {
        var names = new List<string> { CardiacColumnNames.Slices, CardiacColumnNames.Vendor, CardiacColumnNames.Subject };
        if (labels) names.Add(CardiacColumnNames.LabelSlices);
        using var cursor = data.GetRowCursor(names.Select(n => data.Schema[n]));
        var slices = ColumnAccess.Vector<float>(cursor, CardiacColumnNames.Slices);
        var labelSlices = labels ? ColumnAccess.Vector<byte>(cursor, CardiacColumnNames.LabelSlices) : () => [];
        var vendor = ColumnAccess.Text(cursor, CardiacColumnNames.Vendor);
        var subject = ColumnAccess.Text(cursor, CardiacColumnNames.Subject);
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new Row(subject(), vendor(), slices(), labelSlices());
        }
    }

    /// <summary>
    /// The slices of one row as training slices of domain <paramref name="domain"/>, labels kept when <paramref name="withLabels"/>,
    /// numbered as volume <paramref name="volume"/> (<see cref="TrainingSlice.Volume"/>; 3D networks need it).
    /// </summary>
    public static IEnumerable<TrainingSlice> ToTrainingSlices(Row row, int size, int domain, bool withLabels, int volume = -1)
    {
        int px = size * size;
        if (row.Slices.Length % px != 0)
            throw new MLCardiacException($"Subject {row.Subject}: {row.Slices.Length} values in '{CardiacColumnNames.Slices}' are not whole {size}×{size} slices.");
        bool labeled = withLabels && row.Labels.Length > 0;
        if (labeled && row.Labels.Length != row.Slices.Length)
            throw new MLCardiacException($"Subject {row.Subject}: '{CardiacColumnNames.LabelSlices}' holds {row.Labels.Length} values, '{CardiacColumnNames.Slices}' {row.Slices.Length}.");
        for (int z = 0; z < row.Slices.Length / px; z++)
            yield return new TrainingSlice(row.Slices.AsSpan(z * px, px).ToArray(), labeled ? row.Labels.AsSpan(z * px, px).ToArray() : null, size, size, domain, row.Subject) { Volume = volume };
    }
}
