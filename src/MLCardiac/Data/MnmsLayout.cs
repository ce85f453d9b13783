using MLCardiac.Imaging;

namespace MLCardiac.Data;

/// <summary>
/// The M&amp;Ms challenge (2020) layout, which the embedded synthetic dataset also uses:
/// <c>Training/Labeled/&lt;CODE&gt;/&lt;CODE&gt;_sa.nii.gz</c> (4D cine: x, y, slice, time) with
/// <c>&lt;CODE&gt;_sa_gt.nii.gz</c> (labels at the ED and ES frames only), <c>Training/Unlabeled/&lt;CODE&gt;/</c>
/// (images without labels: target-domain data), <c>Validation/</c> and <c>Testing/</c>, and a metadata CSV
/// found by its columns (<c>External code, VendorName, Vendor, Centre, ED, ES, ...</c>; ED/ES are 0-based
/// frame indices). Labels are already 1 LV, 2 MYO, 3 RV.
/// </summary>
public static class MnmsLayout
{
    /// <summary>The layout's name in messages and reports.</summary>
    public const string Name = "M&Ms";

    private static readonly string[] SubjectFolders =
    {
        Path.Combine("Training", "Labeled"), Path.Combine("Training", "Unlabeled"), "Validation", "Testing",
    };

    private static readonly string[] RequiredColumns = { "External code", "Vendor", "ED", "ES" };

    /// <summary>True when <paramref name="root"/> looks like this layout (a subject folder or a metadata CSV with its columns).</summary>
    public static bool Detect(string root) =>
        Directory.Exists(root) && (SubjectFolders.Any(f => Directory.Exists(Path.Combine(root, f))) || LayoutChecks.FindCsvWithColumns(root, RequiredColumns) is not null);

    /// <summary>
    /// Indexes the dataset: one ED and one ES record per usable subject, and every problem found (missing
    /// metadata row, missing image, label and image shapes that disagree, ED/ES outside the cine, unreadable
    /// header). Reads NIfTI headers only.
    /// </summary>
    public static DatasetIndex Load(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root)) throw new MLCardiacException($"{root}: no such dataset folder.");
        var problems = new List<DatasetProblem>();
        var records = new List<CaseRecord>();
        string? csvPath = LayoutChecks.FindCsvWithColumns(root, RequiredColumns);
        if (csvPath is null)
        {
            problems.Add(new DatasetProblem(null, root, $"no metadata CSV with columns {string.Join(", ", RequiredColumns)} was found", Fatal: true));
            return new DatasetIndex(Name, root, records, problems);
        }
        var csv = CsvTable.Read(csvPath);
        string dataset = Path.GetFileName(csvPath).StartsWith("Synthetic", StringComparison.OrdinalIgnoreCase) ? "synthetic" : Name;
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var row in csv.Rows)
        {
            string? code = csv.Cell(row, "External code");
            if (code is not null && !rows.TryAdd(code, row))
                problems.Add(new DatasetProblem(code, csvPath, "appears twice in the metadata; the first row is used", Fatal: false));
        }

        foreach (string folder in SubjectFolders)
        {
            string dir = Path.Combine(root, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (string subjectDir in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
            {
                string code = Path.GetFileName(subjectDir);
                string image = Path.Combine(subjectDir, $"{code}_sa.nii.gz");
                string label = Path.Combine(subjectDir, $"{code}_sa_gt.nii.gz");
                int before = problems.Count;
                if (!rows.TryGetValue(code, out var row))
                {
                    problems.Add(new DatasetProblem(code, csvPath, "has no row in the metadata CSV", Fatal: true));
                    continue;
                }
                if (!File.Exists(image))
                {
                    problems.Add(new DatasetProblem(code, image, "image file is missing", Fatal: true));
                    continue;
                }
                bool labeled = File.Exists(label);
                bool expectLabel = folder != SubjectFolders[1];
                if (!labeled && expectLabel)
                    problems.Add(new DatasetProblem(code, label, "label file is missing; the subject is kept as unlabeled", Fatal: false));
                string vendor = csv.Cell(row, "Vendor") ?? "";
                if (vendor.Length == 0) problems.Add(new DatasetProblem(code, csvPath, "has no vendor in the metadata", Fatal: true));
                int? ed = ParseFrame(csv.Cell(row, "ED")), es = ParseFrame(csv.Cell(row, "ES"));
                if (ed is null || es is null) problems.Add(new DatasetProblem(code, csvPath, "ED/ES are not 0-based frame numbers", Fatal: true));
                if (problems.Skip(before).Any(p => p.Fatal)) continue;

                if (!CheckFiles(code, image, labeled ? label : null, ed!.Value, es!.Value, problems)) continue;
                foreach (var (role, frame) in new[] { (FrameRole.ED, ed.Value), (FrameRole.ES, es.Value) })
                {
                    records.Add(new CaseRecord(code, vendor, csv.Cell(row, "Centre"), role, image, frame, labeled ? label : null, frame, dataset)
                    {
                        VendorName = csv.Cell(row, "VendorName"),
                        Pathology = csv.Cell(row, "Pathology"),
                        Sex = csv.Cell(row, "Sex") is { Length: > 0 } sex && char.ToUpperInvariant(sex[0]) is 'M' or 'F' ? char.ToUpperInvariant(sex[0]) : null,
                        AgeYears = Number(csv.Cell(row, "Age")),
                        HeightCm = Number(csv.Cell(row, "Height")),
                        WeightKg = Number(csv.Cell(row, "Weight")),
                        Scanner = csv.Cell(row, "Scanner"),
                        FieldStrengthT = Number(csv.Cell(row, "FieldStrength")),
                    });
                }
            }
        }
        if (records.Count == 0 && !problems.Any(p => p.Fatal))
            problems.Add(new DatasetProblem(null, root, "no subject folders with images were found", Fatal: true));
        return new DatasetIndex(Name, root, records, problems);
    }

    private static bool CheckFiles(string code, string image, string? label, int ed, int es, List<DatasetProblem> problems)
    {
        NiftiHeader? imageHeader = LayoutChecks.ReadHeader(code, image, problems);
        if (imageHeader is null) return false;
        long frames = imageHeader.Dim[0] >= 4 ? imageHeader.Dim[4] : 1;
        bool ok = true;
        foreach (var (name, f) in new[] { ("ED", ed), ("ES", es) })
        {
            if (f >= frames)
            {
                problems.Add(new DatasetProblem(code, image, $"{name} frame {f} is outside the cine's {frames} frame(s)", Fatal: true));
                ok = false;
            }
        }
        return label is null ? ok : LayoutChecks.LabelMatches(code, imageHeader, label, problems) && ok;
    }

    private static double? Number(string? text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null;

    private static int? ParseFrame(string? text) =>
        int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v) && v >= 0 ? v : null;
}
