using System.ComponentModel;
using MLCardiac.Data;
using MLCardiac.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary><c>mlcardiac data report DIR --out reports/data-NAME/</c>: the dataset exploration page (subjects, geometry, intensities, volumes, slices per vendor).</summary>
internal sealed class DataReportCommand(IAnsiConsole console) : Command<DataReportCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac data report</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("Dataset folder (any layout `data inspect` reads).")]
        public string Directory { get; init; } = "";

        [CommandOption("--out <DIR>")]
        [Description("Output folder. Default: reports/data-NAME (NAME: the dataset folder's name).")]
        public string? Out { get; init; }

        [CommandOption("--subjects-per-vendor <N>")]
        [Description("Subjects per vendor whose images are read for histograms, volumes and the slice grid. Default: 20.")]
        public int SubjectsPerVendor { get; init; } = 20;
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        DatasetIndex index = DatasetLayouts.Load(settings.Directory);
        string name = Path.GetFileName(Path.GetFullPath(settings.Directory).TrimEnd('/', '\\'));
        string output = settings.Out ?? Path.Combine("reports", $"data-{name}");
        string path = "";
        int subjects = index.Vendors.Sum(v => Math.Min(settings.SubjectsPerVendor, index.Records.Where(r => r.Vendor == v).Select(r => r.Subject).Distinct().Count()));
        console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("reading subjects", maxValue: Math.Max(1, subjects));
                path = DataReport.Write(index, output, settings.SubjectsPerVendor, progress: new SyncProgress<int>(n => task.Value = n), cancellationToken: cancellationToken);
            });
        console.MarkupLineInterpolated($"dataset report: [bold]{path}[/]");
        return 0;
    }
}
