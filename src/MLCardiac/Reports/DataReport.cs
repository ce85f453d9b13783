using System.Globalization;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.IO;
using MLCardiac.Preprocessing;

namespace MLCardiac.Reports;

/// <summary>
/// The dataset exploration a researcher does first, as one self-contained HTML page (<c>report.html</c>): subjects
/// per vendor, centre and pathology; pixel spacing, slice thickness and matrix size per vendor; intensity histograms
/// per vendor before and after the preprocessing's normalisation (the picture of the domain shift); LV/RV volumes,
/// EF and myocardial mass from the reference labels per vendor; and a grid of mid-ventricular ED slices with the
/// label contours, per vendor. Only dataset codes appear, never header free text.
/// </summary>
public static class DataReport
{
    /// <summary>The page's file name.</summary>
    public const string HtmlFile = "report.html";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Writes the report of <paramref name="index"/> into <paramref name="outputDirectory"/>. Images are read for at most
    /// <paramref name="subjectsPerVendor"/> subjects of each vendor (headers for all); <paramref name="progress"/> counts
    /// subjects read.
    /// </summary>
    public static string Write(DatasetIndex index, string outputDirectory, int subjectsPerVendor = 20, PreprocessingOptions? preprocessing = null,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        if (subjectsPerVendor < 1) throw new MLCardiacException($"subjects per vendor must be at least 1 (was {subjectsPerVendor}).");
        if (index.Records.Count == 0) throw new MLCardiacException($"{index.Root}: no usable subject to report on.");
        var preprocessor = new Preprocessor(preprocessing ?? new PreprocessingOptions());
        string[] vendors = [.. index.Vendors];
        var subjects = index.Records.GroupBy(r => r.Subject, StringComparer.Ordinal).Select(g => g.ToList()).ToList();

        var page = new HtmlPage($"Dataset: {Path.GetFileName(Path.GetFullPath(index.Root).TrimEnd('/'))} ({index.Layout})");
        page.Paragraph(string.Create(Inv, $"{subjects.Count} subjects, {vendors.Length} vendors; {subjects.Count(s => s.Any(r => r.IsLabeled))} labeled. Images read for up to {subjectsPerVendor} subjects per vendor; normalisation as in training ({preprocessor.Options.SpacingMm} mm, {preprocessor.Options.ClipLowPercentile}–{preprocessor.Options.ClipHighPercentile} percentile clip, z-score)."), "muted");

        page.Heading(2, "Subjects");
        int Count(string vendor, Func<List<CaseRecord>, bool> pick) => subjects.Count(s => s[0].Vendor == vendor && pick(s));
        page.Table(["vendor", "subjects", "labeled", "unlabeled", "centres"],
            vendors.Select(v => (IReadOnlyList<string>)[v, Count(v, _ => true).ToString(Inv), Count(v, s => s.Any(r => r.IsLabeled)).ToString(Inv),
                Count(v, s => !s.Any(r => r.IsLabeled)).ToString(Inv), string.Join(", ", subjects.Where(s => s[0].Vendor == v).Select(s => s[0].Centre ?? "–").Distinct().Order(StringComparer.Ordinal))]),
            "Subjects per vendor");
        page.Figure(Figures.Bars("subjects per vendor", "subjects", vendors, [.. vendors.Select(v => (double)Count(v, _ => true))]), "Subjects per vendor");
        var centres = subjects.GroupBy(s => (s[0].Vendor, Centre: s[0].Centre ?? "–")).OrderBy(g => g.Key.Vendor, StringComparer.Ordinal).ThenBy(g => g.Key.Centre, StringComparer.Ordinal);
        page.Table(["vendor", "centre", "subjects"], centres.Select(g => (IReadOnlyList<string>)[g.Key.Vendor, g.Key.Centre, g.Count().ToString(Inv)]), "Subjects per centre");
        string[] pathologies = [.. subjects.Select(s => s[0].Pathology ?? "unknown").Distinct().Order(StringComparer.Ordinal)];
        page.Table(["vendor", .. pathologies], vendors.Select(v => (IReadOnlyList<string>)[v, .. pathologies.Select(p => Count(v, s => (s[0].Pathology ?? "unknown") == p).ToString(Inv))]), "Subjects per pathology");

        page.Heading(2, "Acquisition geometry");
        var headers = subjects.Select(s => (Vendor: s[0].Vendor, Header: NiftiReader.ReadHeader(s[0].ImagePath))).ToList();
        static string Range(IEnumerable<double> v, string f = "0.##")
        {
            double[] x = [.. v.Order()];
            return x.Length == 0 ? "–" : $"{x[0].ToString(f, Inv)} / {x[x.Length / 2].ToString(f, Inv)} / {x[^1].ToString(f, Inv)}";
        }
        page.Table(["vendor", "pixel mm (min / median / max)", "slice mm", "matrix x", "matrix y", "slices", "frames"],
            vendors.Select(v =>
            {
                var h = headers.Where(x => x.Vendor == v).Select(x => x.Header).ToList();
                return (IReadOnlyList<string>)[v, Range(h.Select(x => x.PixDim[1])), Range(h.Select(x => x.PixDim[3])), Range(h.Select(x => (double)x.Dim[1]), "F0"),
                    Range(h.Select(x => (double)x.Dim[2]), "F0"), Range(h.Select(x => (double)x.Dim[3]), "F0"), Range(h.Select(x => x.Dim[0] >= 4 ? (double)x.Dim[4] : 1), "F0")];
            }), "Spacing and matrix size per vendor");
        page.Figure(Figures.BoxStrip("in-plane pixel spacing", "mm", vendors, ["subjects"], (v, _) => [.. headers.Where(x => x.Vendor == vendors[v]).Select(x => x.Header.PixDim[1])], width: 440, height: 300), "Pixel spacing per vendor");
        page.Figure(Figures.BoxStrip("slice thickness", "mm", vendors, ["subjects"], (v, _) => [.. headers.Where(x => x.Vendor == vendors[v]).Select(x => x.Header.PixDim[3])], width: 440, height: 300), "Slice spacing per vendor");
        page.Figure(Figures.BoxStrip("matrix size (x)", "pixels", vendors, ["subjects"], (v, _) => [.. headers.Where(x => x.Vendor == vendors[v]).Select(x => (double)x.Header.Dim[1])], width: 440, height: 300), "Matrix size per vendor");

        // Image statistics from a sample of each vendor's subjects: ED frames.
        var raw = vendors.ToDictionary(v => v, _ => new List<double>());
        var normalised = vendors.ToDictionary(v => v, _ => new List<double>());
        var indices = vendors.ToDictionary(v => v, _ => new List<ClinicalIndices>());
        var grid = vendors.ToDictionary(v => v, _ => new List<byte[]>());
        var perSubject = new List<(CaseRecord Record, ClinicalIndices Indices)>();
        int done = 0;
        foreach (string vendor in vendors)
        {
            var sample = subjects.Where(s => s[0].Vendor == vendor).OrderByDescending(s => s.Any(r => r.IsLabeled)).ThenBy(s => s[0].Subject, StringComparer.Ordinal).Take(subjectsPerVendor).ToList();
            foreach (var records in sample)
            {
                cancellationToken.ThrowIfCancellationRequested();
                CaseRecord? ed = records.FirstOrDefault(r => r.Role == FrameRole.ED) ?? records[0];
                CaseRecord? es = records.FirstOrDefault(r => r.Role == FrameRole.ES);
                Volume image = NiftiReader.Read(ed.ImagePath);
                var frame = image.Frame(ed.ImageFrame).Span;
                int stride = Math.Max(1, frame.Length / 20_000);
                for (int i = 0; i < frame.Length; i += stride) raw[vendor].Add(frame[i]);
                SliceGeometry geometry = preprocessor.Plan(image);
                float[] slices = Preprocessor.Image(image, ed.ImageFrame, geometry, preprocessor.MeasureIntensity(image, ed.ImageFrame));
                int nstride = Math.Max(1, slices.Length / 20_000);
                for (int i = 0; i < slices.Length; i += nstride) normalised[vendor].Add(slices[i]);
                if (ed.IsLabeled)
                {
                    Volume labels = NiftiReader.Read(ed.LabelPath!);
                    float[] edLabels = labels.Frame(ed.LabelFrame).ToArray();
                    ed.ToOurLabels(edLabels);
                    var s = image.SpacingMm;
                    if (es is not null && es.LabelPath is not null)
                    {
                        float[] esLabels = (es.LabelPath == ed.LabelPath ? labels : NiftiReader.Read(es.LabelPath)).Frame(es.LabelFrame).ToArray();
                        es.ToOurLabels(esLabels);
                        if (esLabels.Length == edLabels.Length)
                        {
                            var subjectIndices = ClinicalIndices.FromLabels(edLabels, esLabels, s.X * s.Y * s.Z / 1000);
                            indices[vendor].Add(subjectIndices);
                            perSubject.Add((ed, subjectIndices));
                        }
                    }
                    if (grid[vendor].Count < 4)
                    {
                        int px = image.VoxelsPerSlice;
                        int z = MidVentricular(edLabels, image.SizeZ, px);
                        var panel = new OverlayPanel(image.SizeX, image.SizeY, image.Slice(z, ed.ImageFrame).ToArray(),
                            [.. edLabels.AsSpan(z * px, px).ToArray().Select(v => (byte)v)], new byte[px]);
                        grid[vendor].Add(OverlayFigure.Render(panel, 160));
                    }
                }
                progress?.Report(++done);
            }
        }

        page.Heading(2, "Intensities: the domain shift");
        page.Figure(Figures.Histograms("raw intensities (ED frames)", "intensity", vendors, [.. vendors.Select(v => (IReadOnlyList<double>)raw[v])]), "Raw voxel intensities per vendor: scales and offsets differ");
        page.Figure(Figures.Histograms("after normalisation", "normalised intensity", vendors, [.. vendors.Select(v => (IReadOnlyList<double>)normalised[v])]), "After the training preprocessing (resampled, cropped, clipped, z-scored): what the network sees");

        if (indices.Values.Any(l => l.Count > 0))
        {
            page.Heading(2, "Structure volumes from the reference labels");
            var metrics = new (string Name, string Unit, Func<ClinicalIndices, double> Pick)[]
            {
                ("LV EDV", "ml", c => c.LvEdvMl), ("LV ESV", "ml", c => c.LvEsvMl), ("LV EF", "%", c => c.LvEfPercent),
                ("RV EDV", "ml", c => c.RvEdvMl), ("RV ESV", "ml", c => c.RvEsvMl), ("RV EF", "%", c => c.RvEfPercent), ("LV mass", "g", c => c.MyoMassG),
            };
            page.Table(["vendor", "subjects", .. metrics.Select(m => $"{m.Name} ({m.Unit}) mean ± SD")],
                vendors.Where(v => indices[v].Count > 0).Select(v => (IReadOnlyList<string>)[v, indices[v].Count.ToString(Inv), .. metrics.Select(m => MeanSd([.. indices[v].Select(m.Pick)]))]),
                "Per vendor, from the labeled subjects read (mass = myocardial volume at ED × 1.05 g/ml)");
            foreach (var m in metrics.Where(m => m.Name is "LV EDV" or "LV EF" or "RV EDV" or "LV mass"))
                page.Figure(Figures.BoxStrip(m.Name, m.Unit, vendors, ["subjects"], (v, _) => [.. indices[vendors[v]].Select(m.Pick)], width: 440, height: 300), $"{m.Name} per vendor");
        }

        if (perSubject.Count > 0) WriteRealismCheck(page, perSubject);

        if (grid.Values.Any(g => g.Count > 0))
        {
            page.Heading(2, "Mid-ventricular ED slices");
            page.Paragraph("Reference contours: LV blood pool green, myocardium gold, RV blue.", "muted");
            var sb = new System.Text.StringBuilder("<table class=\"grid\">");
            foreach (string v in vendors.Where(v => grid[v].Count > 0))
                sb.Append($"<tr><th>vendor {HtmlPage.E(v)}</th>").Append(string.Concat(grid[v].Select(p => $"<td>{HtmlPage.Image(p, $"vendor {v} mid-ventricular ED slice")}</td>"))).Append("</tr>");
            page.Raw(sb.Append("</table>").ToString());
        }
        if (index.Problems.Count > 0)
        {
            page.Heading(2, "Problems found");
            page.List(index.Problems.Select(p => $"{(p.Fatal ? "unusable" : "warning")}: {p.Subject ?? "dataset"}: {p.Message}"));
        }

        Directory.CreateDirectory(outputDirectory);
        string path = Path.Combine(outputDirectory, HtmlFile);
        AtomicFile.WriteAllText(path, page.ToString());
        return path;
    }

    /// <summary>
    /// Per pathology: LV EDV, ESV, EF, mass and RV EDV, EF measured from the reference labels beside the published range of
    /// each subject (its sex, age and body surface area; <see cref="PathologyModel.Range"/>: healthy = mean ± 2 SD of the UK
    /// Biobank reference, pathologies = the diagnostic-criteria ranges the phantom draws from), and how many subjects fall inside.
    /// For a synthetic cohort this checks the generator; for real data it shows how the cohort compares with the literature.
    /// </summary>
    private static void WriteRealismCheck(HtmlPage page, List<(CaseRecord Record, ClinicalIndices Indices)> subjects)
    {
        page.Heading(2, "Realism check: cardiac indices per pathology beside published ranges", "realism");
        page.Paragraph("Measured from the reference labels (volumes = voxel count × voxel volume, EF = (EDV − ESV)/EDV, mass = ED myocardium × 1.05 g/ml). "
            + "Reference range per subject from its sex, age and body surface area (Mosteller; 1.9 m² and age 60 when the metadata lacks them): healthy mean ± 2 SD from Petersen et al. 2017 (UK Biobank, 1.5 T bSSFP, papillary muscles in the blood pool), pathologies the ranges named in the source column.", "muted");
        var metrics = new (PopulationReference.Index Index, string Name, Func<ClinicalIndices, double> Pick)[]
        {
            (PopulationReference.Index.LvEdv, "LV EDV (ml)", c => c.LvEdvMl), (PopulationReference.Index.LvEsv, "LV ESV (ml)", c => c.LvEsvMl),
            (PopulationReference.Index.LvEf, "LV EF (%)", c => c.LvEfPercent), (PopulationReference.Index.LvMass, "LV mass (g)", c => c.MyoMassG),
            (PopulationReference.Index.RvEdv, "RV EDV (ml)", c => c.RvEdvMl), (PopulationReference.Index.RvEf, "RV EF (%)", c => c.RvEfPercent),
        };
        var rows = new List<IReadOnlyList<string>>();
        var groups = subjects.GroupBy(s => s.Record.Pathology ?? "unknown").OrderBy(g => PathologyCodes.TryParse(g.Key, out Pathology p) ? (int)p : 99).ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            bool known = PathologyCodes.TryParse(group.Key, out Pathology pathology);
            foreach (var (index, name, pick) in metrics)
            {
                double[] values = [.. group.Select(s => pick(s.Indices)).Where(v => !double.IsNaN(v))];
                if (values.Length == 0) continue;
                string reference = "–", inside = "–", source = "–";
                if (known)
                {
                    var ranges = group.Select(s => PathologyModel.Range(pathology, index, s.Record.Sex ?? 'M', s.Record.AgeYears ?? 60,
                        s.Record.HeightCm is double h && s.Record.WeightKg is double w ? PopulationReference.BodySurfaceArea(h, w) : 1.9)).ToList();
                    int n = group.Zip(ranges).Count(p => pick(p.First.Indices) is double v && v >= p.Second.Lower && v <= p.Second.Upper);
                    reference = $"{ranges.Min(r => r.Lower).ToString("F0", Inv)}–{ranges.Max(r => r.Upper).ToString("F0", Inv)}";
                    inside = $"{n}/{group.Count()}";
                    source = PathologyModel.Source(pathology, index);
                }
                rows.Add([group.Key, name, values.Length.ToString(Inv), MeanSd(values), $"{values.Min().ToString("F0", Inv)}–{values.Max().ToString("F0", Inv)}", reference, inside, source]);
            }
        }
        page.Table(["pathology", "index", "subjects", "measured mean ± SD", "measured range", "reference range", "inside", "reference"], rows,
            "Per pathology: measured against each subject's published range (the reference-range column spans the subjects' ranges)");
        string[] names = [.. groups.Select(g => g.Key)];
        page.Figure(Figures.BoxStrip("LV ejection fraction by pathology", "%", names, ["subjects"], (i, _) => [.. subjects.Where(s => (s.Record.Pathology ?? "unknown") == names[i]).Select(s => s.Indices.LvEfPercent)], width: 520, height: 300), "LV EF per pathology (from the labels)");
        page.Figure(Figures.BoxStrip("LV end-diastolic volume by pathology", "ml", names, ["subjects"], (i, _) => [.. subjects.Where(s => (s.Record.Pathology ?? "unknown") == names[i]).Select(s => s.Indices.LvEdvMl)], width: 520, height: 300), "LV EDV per pathology (from the labels)");
    }

    private static string MeanSd(double[] v)
    {
        v = [.. v.Where(x => !double.IsNaN(x))];
        if (v.Length == 0) return "–";
        double mean = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return $"{mean.ToString("F1", Inv)} ± {sd.ToString("F1", Inv)}";
    }

    private static int MidVentricular(float[] labels, int slices, int px)
    {
        var full = new List<int>();
        for (int z = 0; z < slices; z++)
        {
            bool lv = false, myo = false, rv = false;
            for (int i = 0; i < px; i++)
            {
                float v = labels[z * px + i];
                lv |= v == 1;
                myo |= v == 2;
                rv |= v == 3;
            }
            if (lv && myo && rv) full.Add(z);
        }
        return full.Count > 0 ? full[full.Count / 2] : slices / 2;
    }
}
