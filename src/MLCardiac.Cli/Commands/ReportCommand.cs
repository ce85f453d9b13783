using System.ComponentModel;
using MLCardiac.Experiments;
using MLCardiac.Reports;
using MLCardiac.Search;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac report reports/ID</c>: regenerates metrics.json, cases.csv and report.html from a study's saved results (no
/// training). <c>mlcardiac report --store URL --study study/ID</c>: the same from a distributed study's records in the trial
/// store (<see cref="DistributedStudy.Results"/>: the units' results, every model file checked against its checksum), into
/// the report folder the store names — the report its report unit wrote.
/// </summary>
internal sealed class ReportCommand(IAnsiConsole console) : Command<ReportCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac report</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[DIR]")]
        [Description("A study's report folder, e.g. reports/generalization-study (not with --study).")]
        public string? Directory { get; init; }

        [CommandOption("--store <STORE>")]
        [Description("With --study: the trial store of a distributed study (postgresql://user@host:port/db or a SQLite file). Default: $MLCARDIAC_STORE.")]
        public string? Store { get; init; }

        [CommandOption("--study <ID>")]
        [Description("A distributed study (study/ID, as `mlcardiac run --store` printed it): assemble its report from the store.")]
        public string? Study { get; init; }

        public override ValidationResult Validate()
        {
            if ((Directory is null) == (Study is null)) return ValidationResult.Error("give a report folder, or --study ID (with --store)");
            if (Study is null && Store is not null) return ValidationResult.Error("--store goes with --study");
            return ValidationResult.Success();
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StudyResults results;
        string directory;
        if (settings.Study is { } studyId)
        {
            string location = TrialStores.Resolve(settings.Store, "")
                is { Length: > 0 } l ? l : throw new MLCardiacException($"report: name the store with --store or ${TrialStores.EnvironmentVariable}.");
            ITrialStore store = TrialStores.Open(location);
            try
            {
                results = DistributedStudy.Results(store, studyId, out StudySettings study);
                directory = Path.Combine(study.ReportsRoot, results.Experiment.Id);
            }
            finally
            {
                TrialStores.Close(store);
            }
        }
        else
        {
            directory = settings.Directory!;
            results = StudyResults.Load(directory);
            if (results.Arms.Count == 0) throw new MLCardiacException($"{directory}: no arm has finished yet; run the study first.");
        }
        StudyMetrics metrics = ExperimentReport.Write(results, directory);
        RunCommand.Render(console, metrics);
        console.MarkupLineInterpolated($"report: [bold]{Path.Combine(directory, ExperimentReport.HtmlFile)}[/]");
        return 0;
    }
}
