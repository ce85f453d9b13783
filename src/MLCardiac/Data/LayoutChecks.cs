using MLCardiac.Imaging;

namespace MLCardiac.Data;

/// <summary>The checks every dataset layout makes while indexing: finding its metadata CSV, reading headers, comparing grids.</summary>
internal static class LayoutChecks
{
    /// <summary>The first <c>*.csv</c> directly in <paramref name="root"/> whose header line names every column of <paramref name="columns"/>.</summary>
    public static string? FindCsvWithColumns(string root, IReadOnlyCollection<string> columns)
    {
        if (!Directory.Exists(root)) return null;
        foreach (string csv in Directory.GetFiles(root, "*.csv").Order(StringComparer.Ordinal))
        {
            try
            {
                string? first = File.ReadLines(csv).FirstOrDefault();
                if (first is not null && columns.All(c => first.Contains(c, StringComparison.OrdinalIgnoreCase))) return csv;
            }
            catch (IOException)
            {
                // An unreadable CSV is not the metadata we look for; the next one may be.
            }
        }
        return null;
    }

    /// <summary>The NIfTI header of <paramref name="path"/>, or null after recording a fatal problem.</summary>
    public static NiftiHeader? ReadHeader(string? subject, string path, List<DatasetProblem> problems)
    {
        try
        {
            return NiftiReader.ReadHeader(path);
        }
        catch (MLCardiacException e)
        {
            problems.Add(new DatasetProblem(subject, path, e.Message, Fatal: true));
            return null;
        }
    }

    /// <summary>True when the label file has the image's x, y and slice sizes; otherwise records a fatal problem.</summary>
    public static bool LabelMatches(string subject, NiftiHeader image, string labelPath, List<DatasetProblem> problems)
    {
        NiftiHeader? label = ReadHeader(subject, labelPath, problems);
        if (label is null) return false;
        if (label.Dim[1] == image.Dim[1] && label.Dim[2] == image.Dim[2] && label.Dim[3] == image.Dim[3]) return true;
        problems.Add(new DatasetProblem(subject, labelPath,
            $"label shape {label.Dim[1]}×{label.Dim[2]}×{label.Dim[3]} differs from the image's {image.Dim[1]}×{image.Dim[2]}×{image.Dim[3]}", Fatal: true));
        return false;
    }
}
