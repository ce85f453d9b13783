using System.Globalization;

namespace MLCardiac.Data;

/// <summary>
/// A layout any user can fill: a CSV named <c>cases.csv</c> in the dataset folder, one row per frame, with columns
/// <c>subject, vendor, frame, image</c> (required) and <c>label, centre, scanner, field, pathology, image_frame,
/// label_frame</c> (optional). <c>frame</c> is ED or ES; paths are relative to the folder; <c>image_frame</c> /
/// <c>label_frame</c> are 0-based frames of 4D files (default 0). Labels must follow our convention
/// (0 background, 1 LV, 2 MYO, 3 RV).
/// </summary>
public static class FolderCsvLayout
{
    /// <summary>The layout's name in messages and reports.</summary>
    public const string Name = "folder+CSV";

    /// <summary>The CSV file this layout reads.</summary>
    public const string CsvName = "cases.csv";

    private static readonly string[] RequiredColumns = { "subject", "vendor", "frame", "image" };

    /// <summary>True when <paramref name="root"/> holds a <c>cases.csv</c>.</summary>
    public static bool Detect(string root) => File.Exists(Path.Combine(root, CsvName));

    /// <summary>Indexes the rows; every problem is reported, a row with a fatal one is left out.</summary>
    public static DatasetIndex Load(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        string path = Path.Combine(root, CsvName);
        var records = new List<CaseRecord>();
        var problems = new List<DatasetProblem>();
        var csv = CsvTable.Read(path);
        if (!csv.HasColumns(RequiredColumns))
        {
            problems.Add(new DatasetProblem(null, path, $"needs the columns {string.Join(", ", RequiredColumns)} (has {string.Join(", ", csv.Header)})", Fatal: true));
            return new DatasetIndex(Name, root, records, problems);
        }
        int line = 1;
        foreach (string[] row in csv.Rows)
        {
            line++;
            string where = $"{path}:{line}";
            string? subject = csv.Cell(row, "subject"), vendor = csv.Cell(row, "vendor"), image = csv.Cell(row, "image");
            if (subject is null || vendor is null || image is null)
            {
                problems.Add(new DatasetProblem(subject, where, "subject, vendor and image must not be empty", Fatal: true));
                continue;
            }
            if (!Enum.TryParse(csv.Cell(row, "frame"), ignoreCase: true, out FrameRole role))
            {
                problems.Add(new DatasetProblem(subject, where, $"frame must be ED or ES (was \"{csv.Cell(row, "frame")}\")", Fatal: true));
                continue;
            }
            string imagePath = Path.Combine(root, image);
            string? label = csv.Cell(row, "label");
            string? labelPath = label is null ? null : Path.Combine(root, label);
            int imageFrame = Int(csv.Cell(row, "image_frame")), labelFrame = Int(csv.Cell(row, "label_frame"));
            if (imageFrame < 0 || labelFrame < 0)
            {
                problems.Add(new DatasetProblem(subject, where, "image_frame and label_frame must be 0-based frame numbers", Fatal: true));
                continue;
            }
            if (!Check(subject, imagePath, imageFrame, problems) || (labelPath is not null && !Check(subject, labelPath, labelFrame, problems))) continue;
            records.Add(new CaseRecord(subject, vendor, csv.Cell(row, "centre"), role, imagePath, imageFrame, labelPath, labelFrame, Name)
            {
                Scanner = csv.Cell(row, "scanner"),
                FieldStrengthT = double.TryParse(csv.Cell(row, "field"), NumberStyles.Float, CultureInfo.InvariantCulture, out double t) ? t : null,
                Pathology = csv.Cell(row, "pathology"),
            });
        }
        return new DatasetIndex(Name, root, records, problems);
    }

    private static int Int(string? text) =>
        text is null ? 0 : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : -1;

    private static bool Check(string subject, string file, int frame, List<DatasetProblem> problems)
    {
        if (!File.Exists(file))
        {
            problems.Add(new DatasetProblem(subject, file, "file is missing", Fatal: true));
            return false;
        }
        if (LayoutChecks.ReadHeader(subject, file, problems) is not { } h) return false;
        long frames = h.Dim[0] >= 4 ? h.Dim[4] : 1;
        if (frame < frames) return true;
        problems.Add(new DatasetProblem(subject, file, $"frame {frame} is outside the file's {frames} frame(s)", Fatal: true));
        return false;
    }
}
