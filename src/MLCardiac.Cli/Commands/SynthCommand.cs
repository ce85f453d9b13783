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
/// <c>mlcardiac synth</c>: writes the synthetic multi-vendor short-axis cine dataset in the M&amp;Ms layout and/or a
/// PNG montage of mid-ventricular ED slices per vendor.
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
        [Description("Comma-separated labeled vendors among A,B,C,D (default A,B,C,D).")]
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

        /// <summary>Preview PNG path.</summary>
        [CommandOption("--preview <PNG>")]
        [Description("Also write a PNG montage: rows = vendors, mid-ventricular ED slices with label contours.")]
        public string? Preview { get; init; }

        /// <summary>Subjects per vendor in the preview.</summary>
        [CommandOption("--preview-subjects <N>")]
        [Description("Subjects per vendor shown in the preview (default 4).")]
        [DefaultValue(4)]
        public int PreviewSubjects { get; init; } = 4;

        /// <inheritdoc />
        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out) && string.IsNullOrWhiteSpace(Preview))
            {
                return ValidationResult.Error("Give --out DIR (the dataset) and/or --preview PNG.");
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
        List<VendorProfile> labeled = ParseVendors(settings.Vendors);
        List<VendorProfile> unlabeled = ParseVendors(settings.UnlabeledVendors);
        var generator = new SyntheticCohortGenerator(new SyntheticCohortOptions { Seed = settings.Seed, MinFrames = settings.MinFrames, MaxFrames = settings.MaxFrames });

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
            var rows = new SyntheticSubject[shown.Count][];
            Parallel.For(0, shown.Count * settings.PreviewSubjects, new ParallelOptions { CancellationToken = cancellationToken }, k =>
            {
                int r = k / settings.PreviewSubjects, c = k % settings.PreviewSubjects;
                lock (rows)
                {
                    rows[r] ??= new SyntheticSubject[settings.PreviewSubjects];
                }
                rows[r][c] = generator.Generate(shown[r], c);
            });
            PreviewMontage montage = PreviewMontage.Create(rows);
            WritePng(montage, settings.Preview);
            console.MarkupLineInterpolated($"preview (rows: vendors {string.Join(", ", shown.Select(v => v.Code))}) written to {settings.Preview}");
        }
        return 0;
    }

    private static List<VendorProfile> ParseVendors(string? list) =>
        string.IsNullOrWhiteSpace(list)
            ? []
            : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(VendorProfiles.Get).DistinctBy(v => v.Code)];

    private static void WritePng(PreviewMontage montage, string path)
    {
        var info = new SKImageInfo(montage.Width, montage.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        montage.Rgba.Span.CopyTo(bitmap.GetPixelSpan());
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new MLCardiacException($"{path}: SkiaSharp could not encode the PNG.");
        AtomicFile.Write(path, data.SaveTo);
    }
}
