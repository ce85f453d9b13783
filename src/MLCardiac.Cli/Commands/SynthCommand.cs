using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using MLCardiac.Data.Synthetic;
using MLCardiac.IO;
using SkiaSharp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac synth</c>: writes the synthetic multi-vendor short-axis cine dataset in the M&amp;Ms layout, and/or a PNG
/// montage of every vendor and centre from base to apex at ED and ES, and/or the vendor profiles as JSON (a starting point
/// for modelling one's own scanners, read back with <c>--profiles</c>).
/// </summary>
internal sealed class SynthCommand(IAnsiConsole console) : Command<SynthCommand.Settings>
{
    /// <summary>Command-line settings of <see cref="SynthCommand"/>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Output dataset folder.</summary>
        [CommandOption("-o|--out <DIR>")]
        [Description("Folder the dataset is written to (M&Ms layout: Training/Labeled, Training/Unlabeled, CSV).")]
        public string? Out { get; init; }

        /// <summary>Subjects per vendor.</summary>
        [CommandOption("-n|--subjects-per-vendor <N>")]
        [Description("Subjects generated per vendor (default 25).")]
        [DefaultValue(25)]
        public int SubjectsPerVendor { get; init; } = 25;

        /// <summary>Labeled vendors, comma-separated.</summary>
        [CommandOption("--vendors <LIST>")]
        [Description("Comma-separated labeled vendors: built-ins A,B,C,D and those of --profiles (default A,B,C,D).")]
        [DefaultValue("A,B,C,D")]
        public string Vendors { get; init; } = "A,B,C,D";

        /// <summary>Unlabeled vendors, comma-separated.</summary>
        [CommandOption("--unlabeled-vendors <LIST>")]
        [Description("Comma-separated vendors that also get unlabeled subjects in Training/Unlabeled (DANN target data, e.g. C); they are other subjects than the labeled ones.")]
        public string? UnlabeledVendors { get; init; }

        /// <summary>Unlabeled subjects per unlabeled vendor.</summary>
        [CommandOption("--unlabeled-per-vendor <N>")]
        [Description("Unlabeled subjects per unlabeled vendor (default: --subjects-per-vendor).")]
        public int? UnlabeledPerVendor { get; init; }

        /// <summary>Cohort seed.</summary>
        [CommandOption("--seed <S>")]
        [Description("Cohort seed; the same seed gives bit-identical data.")]
        public ulong Seed { get; init; } = SyntheticCohortOptions.DefaultSeed;

        /// <summary>Fewest cine frames per subject.</summary>
        [CommandOption("--min-frames <N>")]
        [Description("Fewest cine frames per subject (default 20; ≥ 4).")]
        [DefaultValue(20)]
        public int MinFrames { get; init; } = 20;

        /// <summary>Most cine frames per subject.</summary>
        [CommandOption("--max-frames <N>")]
        [Description("Most cine frames per subject (default 30).")]
        [DefaultValue(30)]
        public int MaxFrames { get; init; } = 30;

        /// <summary>Scanner-profile JSON file.</summary>
        [CommandOption("--profiles <JSON>")]
        [Description("Vendor/centre profiles (JSON) on top of the built-ins; see src/MLCardiac/Data/Synthetic/README.md and --write-profiles.")]
        public string? Profiles { get; init; }

        /// <summary>Where to write the profiles in use as JSON.</summary>
        [CommandOption("--write-profiles <JSON>")]
        [Description("Write the vendor profiles in use (built-ins, plus --profiles) as a JSON file to edit.")]
        public string? WriteProfiles { get; init; }

        /// <summary>Preview PNG path.</summary>
        [CommandOption("--preview <PNG>")]
        [Description("Also write a PNG montage: for every vendor and centre one subject, base to apex, at ED and at ES, with label contours.")]
        public string? Preview { get; init; }

        /// <summary>Subjects per centre in the preview.</summary>
        [CommandOption("--preview-subjects <N>")]
        [Description("Subjects shown per vendor and centre in the preview (default 1; two rows each, ED and ES).")]
        [DefaultValue(1)]
        public int PreviewSubjects { get; init; } = 1;

        /// <inheritdoc />
        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out) && string.IsNullOrWhiteSpace(Preview) && string.IsNullOrWhiteSpace(WriteProfiles))
            {
                return ValidationResult.Error("Give --out DIR (the dataset), --preview PNG and/or --write-profiles JSON.");
            }
            if (SubjectsPerVendor < 1)
            {
                return ValidationResult.Error($"--subjects-per-vendor must be at least 1 (got {SubjectsPerVendor}).");
            }
            if (PreviewSubjects < 1)
            {
                return ValidationResult.Error($"--preview-subjects must be at least 1 (got {PreviewSubjects}).");
            }
            return ValidationResult.Success();
        }
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        VendorProfileSet profiles = VendorProfileSet.Load(settings.Profiles);
        List<VendorProfile> labeled = ParseVendors(profiles, settings.Vendors);
        List<VendorProfile> unlabeled = ParseVendors(profiles, settings.UnlabeledVendors);
        var generator = new SyntheticCohortGenerator(new SyntheticCohortOptions { Seed = settings.Seed, MinFrames = settings.MinFrames, MaxFrames = settings.MaxFrames }, profiles);

        if (!string.IsNullOrWhiteSpace(settings.WriteProfiles))
        {
            AtomicFile.WriteAllText(settings.WriteProfiles, profiles.ToJson());
            console.MarkupLineInterpolated($"vendor profiles ({string.Join(", ", profiles.Codes)}) written to {settings.WriteProfiles}");
        }

        if (!string.IsNullOrWhiteSpace(settings.Out))
        {
            var request = new SyntheticDatasetRequest
            {
                Vendors = labeled, UnlabeledVendors = unlabeled, SubjectsPerVendor = settings.SubjectsPerVendor, UnlabeledPerVendor = settings.UnlabeledPerVendor,
            };
            int total = (labeled.Count * settings.SubjectsPerVendor) + (unlabeled.Count * (settings.UnlabeledPerVendor ?? settings.SubjectsPerVendor));
            var writer = new SyntheticDatasetWriter(generator);
            var watch = Stopwatch.StartNew();
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask($"synthesising {total} subjects", maxValue: total);
                    writer.Write(settings.Out, request, new SyncProgress<int>(n => task.Value = Math.Max(task.Value, n)), cancellationToken);
                    task.Value = total;
                });
            console.MarkupLineInterpolated(
                $"wrote [green]{total}[/] subjects ({string.Join(",", labeled.Select(v => v.Code))} labeled{(unlabeled.Count > 0 ? "; " + string.Join(",", unlabeled.Select(v => v.Code)) + " unlabeled" : "")}) to {settings.Out} in {watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        }

        if (!string.IsNullOrWhiteSpace(settings.Preview))
        {
            IReadOnlyList<VendorProfile> shown = [.. labeled.Concat(unlabeled).DistinctBy(v => v.Code)];
            // For every vendor and centre, the first subjects (by index) scanned there.
            var picks = new List<(VendorProfile Vendor, CentreProfile Centre, int Index)>();
            foreach (VendorProfile vendor in shown)
                foreach (CentreProfile centre in vendor.Centres.Where(c => c.Share > 0))
                {
                    int found = 0;
                    for (int i = 0; i < 2000 && found < settings.PreviewSubjects; i++)
                    {
                        if (generator.DescribeSubject(vendor, i).Centre != centre.Id) continue;
                        picks.Add((vendor, centre, i));
                        found++;
                    }
                }
            var subjects = new SyntheticSubject[picks.Count];
            Parallel.For(0, picks.Count, new ParallelOptions { CancellationToken = cancellationToken }, k => subjects[k] = generator.Generate(picks[k].Vendor, picks[k].Index));
            var rows = new List<PreviewRow>();
            var captions = new List<string>();
            for (int k = 0; k < picks.Count; k++)
            {
                SyntheticSubjectInfo info = subjects[k].Info;
                foreach (var (frame, name) in new[] { (info.EdFrame, "ED"), (info.EsFrame, "ES") })
                {
                    rows.Add(new PreviewRow(subjects[k], frame));
                    captions.Add(string.Create(CultureInfo.InvariantCulture, $"{info.VendorCode} centre {info.Centre} ({picks[k].Centre.Scanner}), {info.PathologyCode}, {name}"));
                }
            }
            PreviewMontage montage = PreviewMontage.Create(rows);
            WritePng(montage, captions, settings.Preview);
            console.MarkupLineInterpolated($"preview ({picks.Count} subjects: every vendor and centre of {string.Join(", ", shown.Select(v => v.Code))}, base to apex at ED and ES) written to {settings.Preview}");
        }
        return 0;
    }

    private static List<VendorProfile> ParseVendors(VendorProfileSet profiles, string? list) =>
        string.IsNullOrWhiteSpace(list)
            ? []
            : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(profiles.Get).DistinctBy(v => v.Code)];

    /// <summary>Writes the montage with a caption band above each row.</summary>
    private static void WritePng(PreviewMontage montage, List<string> captions, string path)
    {
        const int band = 14;
        int tileRow = (montage.Height - PreviewMontage.Gap) / Math.Max(1, captions.Count);
        var info = new SKImageInfo(montage.Width, montage.Height + (band * captions.Count), SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        using (var source = new SKBitmap(new SKImageInfo(montage.Width, montage.Height, SKColorType.Rgba8888, SKAlphaType.Opaque)))
        using (var font = new SKFont(SKTypeface.Default, 11))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true })
        {
            montage.Rgba.Span.CopyTo(source.GetPixelSpan());
            canvas.Clear(SKColors.Black);
            for (int r = 0; r < captions.Count; r++)
            {
                int top = r * (tileRow + band);
                canvas.DrawText(captions[r], 6, top + band - 3, font, paint);
                var src = new SKRectI(0, PreviewMontage.Gap + (r * tileRow), montage.Width, PreviewMontage.Gap + ((r + 1) * tileRow));
                canvas.DrawBitmap(source, src, new SKRect(0, top + band, montage.Width, top + band + tileRow));
            }
        }
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new MLCardiacException($"{path}: SkiaSharp could not encode the PNG.");
        AtomicFile.Write(path, data.SaveTo);
    }
}
