using System.Globalization;

namespace MLCardiac.Data;

/// <summary>
/// The M&amp;Ms-2 challenge layout (Martín-Isla et al. 2023): <c>dataset/&lt;NNN&gt;/&lt;NNN&gt;_SA_ED.nii.gz</c>,
/// <c>_SA_ED_gt</c>, <c>_SA_ES</c>, <c>_SA_ES_gt</c>, <c>_SA_CINE</c>, and long-axis <c>_LA_ED</c>/<c>_LA_ES</c> (+ <c>_gt</c>),
/// with <c>dataset_information.csv</c> (<c>SUBJECT_CODE, DISEASE, VENDOR, SCANNER, FIELD</c>). Labels are already
/// 1 LV, 2 MYO, 3 RV. Short-axis ED/ES frames are what we segment; long-axis files are counted, not required.
/// </summary>
public static class Mnms2Layout
{
    /// <summary>The layout's name in messages and reports.</summary>
    public const string Name = "M&Ms-2";

    private static readonly string[] RequiredColumns = { "SUBJECT_CODE", "VENDOR" };

    /// <summary>True when <paramref name="root"/> has a metadata CSV with M&amp;Ms-2's columns.</summary>
    public static bool Detect(string root) => LayoutChecks.FindCsvWithColumns(root, RequiredColumns) is not null;

    /// <summary>Indexes the dataset: ED and ES short-axis records per usable subject, and every problem found.</summary>
    public static DatasetIndex Load(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root)) throw new MLCardiacException($"{root}: no such dataset folder.");
        var records = new List<CaseRecord>();
        var problems = new List<DatasetProblem>();
        string? csvPath = LayoutChecks.FindCsvWithColumns(root, RequiredColumns);
        if (csvPath is null)
        {
            problems.Add(new DatasetProblem(null, root, $"no metadata CSV with columns {string.Join(", ", RequiredColumns)} was found", Fatal: true));
            return new DatasetIndex(Name, root, records, problems);
        }
        var csv = CsvTable.Read(csvPath);
        string dataDir = Directory.Exists(Path.Combine(root, "dataset")) ? Path.Combine(root, "dataset") : root;
        int longAxis = 0;
        foreach (string[] row in csv.Rows)
        {
            string? code = csv.Cell(row, "SUBJECT_CODE");
            if (code is null) continue;
            if (int.TryParse(code, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number)) code = number.ToString("000", CultureInfo.InvariantCulture);
            string dir = Path.Combine(dataDir, code);
            if (!Directory.Exists(dir))
            {
                problems.Add(new DatasetProblem(code, dir, "is in the metadata but has no folder", Fatal: true));
                continue;
            }
            longAxis += Directory.GetFiles(dir, $"{code}_LA_*.nii.gz").Length;
            string vendor = csv.Cell(row, "VENDOR") ?? "";
            var found = new List<CaseRecord>();
            foreach (var role in new[] { FrameRole.ED, FrameRole.ES })
            {
                string image = Path.Combine(dir, $"{code}_SA_{role}.nii.gz");
                string label = Path.Combine(dir, $"{code}_SA_{role}_gt.nii.gz");
                if (!File.Exists(image))
                {
                    problems.Add(new DatasetProblem(code, image, $"short-axis {role} image is missing", Fatal: true));
                    break;
                }
                bool labeled = File.Exists(label);
                if (!labeled) problems.Add(new DatasetProblem(code, label, $"short-axis {role} label is missing; kept as unlabeled", Fatal: false));
                else if (LayoutChecks.ReadHeader(code, image, problems) is not { } header || !LayoutChecks.LabelMatches(code, header, label, problems)) break;
                found.Add(new CaseRecord(code, vendor, null, role, image, 0, labeled ? label : null, 0, Name)
                {
                    VendorName = vendor,
                    Scanner = csv.Cell(row, "SCANNER"),
                    FieldStrengthT = double.TryParse(csv.Cell(row, "FIELD"), NumberStyles.Float, CultureInfo.InvariantCulture, out double t) ? t : null,
                    Pathology = csv.Cell(row, "DISEASE"),
                });
            }
            if (found.Count == 2) records.AddRange(found);
        }
        if (longAxis > 0)
            problems.Add(new DatasetProblem(null, dataDir, $"{longAxis} long-axis files are present and not used (short-axis only)", Fatal: false));
        return new DatasetIndex(Name, root, records, problems);
    }
}
