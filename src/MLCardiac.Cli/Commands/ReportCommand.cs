using System.ComponentModel;
using MLCardiac.Experiments;
using MLCardiac.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary><c>mlcardiac report reports/ID</c>: regenerates metrics.json, cases.csv and report.html from a study's saved results (no training).</summary>
internal sealed class ReportCommand(IAnsiConsole console) : Command<ReportCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac report</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("A study's report folder, e.g. reports/generalization-study.")]
        public string Directory { get; init; } = "";
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StudyResults results = StudyResults.Load(settings.Directory);
        if (results.Arms.Count == 0) throw new MLCardiacException($"{settings.Directory}: no arm has finished yet; run the study first.");
        StudyMetrics metrics = ExperimentReport.Write(results, settings.Directory);
        RunCommand.Render(console, metrics);
        console.MarkupLineInterpolated($"report: [bold]{Path.Combine(settings.Directory, ExperimentReport.HtmlFile)}[/]");
        return 0;
    }
}
