using System.Globalization;
using System.Text.RegularExpressions;

namespace MLCardiac.Data;

/// <summary>
/// The ACDC challenge layout (Bernard et al., IEEE TMI 2018): <c>patientNNN/</c> folders (under
/// <c>training/</c>, <c>testing/</c> or directly under the root) holding <c>patientNNN_frameYY.nii.gz</c> with
/// <c>_gt</c> labels for the ED and ES frames, <c>patientNNN_4d.nii.gz</c>, and <c>Info.cfg</c> with
/// <c>key: value</c> lines (ED, ES, Group, Height, NbFrame, Weight). ED and ES are 1-based frame numbers.
/// Labels are 1 RV, 2 MYO, 3 LV and are translated to ours (1 LV, 2 MYO, 3 RV). ACDC comes from one centre
/// (Dijon) and one vendor (Siemens, 1.5 T and 3 T), which the records say.
/// </summary>
public static partial class AcdcLayout
{
    /// <summary>The layout's name in messages and reports.</summary>
    public const string Name = "ACDC";

    /// <summary>ACDC's vendor, as the records carry it.</summary>
    public const string Vendor = "Siemens";

    /// <summary>File label → our label: 0 → 0, 1 (RV) → 3, 2 (MYO) → 2, 3 (LV) → 1.</summary>
    public static IReadOnlyList<byte> LabelMap { get; } = [0, 3, 2, 1];

    [GeneratedRegex(@"^patient\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex PatientFolder();

    /// <summary>True when <paramref name="root"/> holds at least one <c>patientNNN</c> folder with an Info.cfg.</summary>
    public static bool Detect(string root) => Directory.Exists(root) && PatientFolders(root).Any();

    /// <summary>Indexes the dataset: ED and ES records per usable patient, and every problem found. Reads headers only.</summary>
    public static DatasetIndex Load(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root)) throw new MLCardiacException($"{root}: no such dataset folder.");
        var records = new List<CaseRecord>();
        var problems = new List<DatasetProblem>();
        foreach (string dir in PatientFolders(root))
        {
            string code = Path.GetFileName(dir);
            string cfg = Path.Combine(dir, "Info.cfg");
            var info = ReadInfo(cfg, code, problems);
            if (info is null) continue;
            if (!TryFrame(info, "ED", out int ed) || !TryFrame(info, "ES", out int es))
            {
                problems.Add(new DatasetProblem(code, cfg, "ED/ES are missing or not positive frame numbers", Fatal: true));
                continue;
            }
            if (info.TryGetValue("NbFrame", out string? nb) && int.TryParse(nb, NumberStyles.Integer, CultureInfo.InvariantCulture, out int frames)
                && (ed > frames || es > frames))
            {
                problems.Add(new DatasetProblem(code, cfg, $"ED {ed} / ES {es} exceed NbFrame {frames}", Fatal: true));
                continue;
            }
            var found = new List<CaseRecord>();
            foreach (var (role, frame) in new[] { (FrameRole.ED, ed), (FrameRole.ES, es) })
            {
                string image = Path.Combine(dir, $"{code}_frame{frame:00}.nii.gz");
                string label = Path.Combine(dir, $"{code}_frame{frame:00}_gt.nii.gz");
                if (!File.Exists(image))
                {
                    problems.Add(new DatasetProblem(code, image, $"{role} image is missing", Fatal: true));
                    continue;
                }
                bool labeled = File.Exists(label);
                if (!labeled) problems.Add(new DatasetProblem(code, label, $"{role} label is missing; kept as unlabeled", Fatal: false));
                if (LayoutChecks.ReadHeader(code, image, problems) is not { } header
                    || (labeled && !LayoutChecks.LabelMatches(code, header, label, problems))) continue;
                found.Add(new CaseRecord(code, Vendor, "Dijon", role, image, 0, labeled ? label : null, 0, Name)
                {
                    VendorName = Vendor,
                    Pathology = info.GetValueOrDefault("Group"),
                    LabelMap = LabelMap,
                });
            }
            if (found.Count == 2) records.AddRange(found);
        }
        if (records.Count == 0 && problems.Count == 0)
            problems.Add(new DatasetProblem(null, root, "no patientNNN folder with Info.cfg was found", Fatal: true));
        return new DatasetIndex(Name, root, records, problems);
    }

    private static IEnumerable<string> PatientFolders(string root) =>
        Directory.EnumerateDirectories(root, "patient*", SearchOption.AllDirectories)
            .Where(d => PatientFolder().IsMatch(Path.GetFileName(d)) && File.Exists(Path.Combine(d, "Info.cfg")))
            .Order(StringComparer.Ordinal);

    private static Dictionary<string, string>? ReadInfo(string cfg, string code, List<DatasetProblem> problems)
    {
        try
        {
            var info = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in File.ReadLines(cfg))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) info[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            return info;
        }
        catch (IOException e)
        {
            problems.Add(new DatasetProblem(code, cfg, $"unreadable ({e.Message})", Fatal: true));
            return null;
        }
    }

    /// <summary>Reads a 1-based frame number, as ACDC names its frame files (patientNNN_frameYY).</summary>
    private static bool TryFrame(Dictionary<string, string> info, string key, out int frame)
    {
        frame = 0;
        if (!info.TryGetValue(key, out string? v) || !int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int oneBased) || oneBased < 1)
            return false;
        frame = oneBased;
        return true;
    }
}
