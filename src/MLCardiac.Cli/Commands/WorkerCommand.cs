using System.ComponentModel;
using System.Globalization;
using MLCardiac.Experiments;
using MLCardiac.Search;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac worker --store postgresql://… --search ID</c>: claims and runs trials of a search that <c>mlcardiac search</c>
/// registered (its pipeline and choices come from the store), on any machine that reaches the store, until the search's
/// trial budget is spent, <c>--max-units</c> trials were finished here, or <c>--budget</c> has passed. Trials run through the
/// same objective and the same worker loop as <c>mlcardiac search</c> (<see cref="SearchExperiment.WorkAsync"/>); the report
/// and the refit stay with the registering command.
/// </summary>
internal sealed class WorkerCommand(IAnsiConsole console) : Command<WorkerCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac worker</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--store <STORE>")]
        [Description("The store that holds the search: postgresql://user@host:port/db, or a SQLite file on this machine. Default: $MLCARDIAC_STORE.")]
        public string? Store { get; init; }

        [CommandOption("--search <ID>")]
        [Description("Id of the search to work on (as `mlcardiac search` printed it).")]
        public string Search { get; init; } = "";

        [CommandOption("--study <ID>")]
        [Description("Id of the study to work on instead (study/ID, as `mlcardiac run --store` printed it): claims its units (arm × seed, the vendor classifier); the worker that completes the last one writes the report.")]
        public string? Study { get; init; }

        [CommandOption("--max-units <N>")]
        [Description("Finish at most N trials here, then stop. Default: until the search's budget is spent.")]
        public int? MaxUnits { get; init; }

        [CommandOption("--budget <DURATION>")]
        [Description("Stop after this wall time (e.g. 2h); running trials go back to the pool. Required when the search has no trial budget.")]
        public string? Budget { get; init; }

        [CommandOption("--data <DIR>")]
        [Description("Dataset folder on this machine instead of the one the search was started with.")]
        public string? Data { get; init; }

        [CommandOption("--concurrency <N>")]
        [Description("Trials at once in this process (default: the pipeline's search.concurrency).")]
        public int? Concurrency { get; init; }

        [CommandOption("--threads <N>")]
        [Description("Compute threads per trial (0: cores / concurrency).")]
        public int Threads { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Search) == (Study is null)) return ValidationResult.Error("give --search ID or --study ID");
            if (MaxUnits is < 1) return ValidationResult.Error("--max-units must be ≥ 1");
            if (Concurrency is < 1) return ValidationResult.Error("--concurrency must be ≥ 1");
            if (Threads < 0) return ValidationResult.Error("--threads must be ≥ 0");
            return ValidationResult.Success();
        }
    }

    /// <summary>A worker's name in the store: machine, process and a random suffix (two workers of one process differ).</summary>
    internal static string WorkerName() => $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Claims and runs a registered study's units; writes the report when it claims the report unit.</summary>
    private int WorkOnStudy(ITrialStore store, string studyId, Settings settings, CancellationToken cancellationToken)
    {
        StudySettings study = DistributedStudy.Settings(store, studyId)
            ?? throw new MLCardiacException($"{store.Location}: has no study \"{studyId}\" (it has: {string.Join(", ", store.ListSearches().DefaultIfEmpty("none"))}).");
        ExperimentDefinition experiment = ExperimentLoader.Load(study.PipelineFile, study.Profile);
        var queue = DistributedStudy.For(store, experiment, study);
        if (queue.Id != studyId) throw new MLCardiacException($"{study.PipelineFile} now defines study \"{queue.Id}\", not \"{studyId}\".");
        queue.Register(study); // refuses a pipeline file changed since the study was registered
        var runner = new ExperimentRunner(new ExperimentRunOptions { DataDirectory = settings.Data ?? study.Data, ModelsRoot = study.ModelsRoot, ReportsRoot = study.ReportsRoot });
        string worker = WorkerName();
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"worker {worker} on study [bold]{studyId}[/] in {store.Location}{(settings.MaxUnits is int n ? $", at most {n} units" : "")}");
        var started = DateTime.UtcNow;
        TrialRecord? report;
        try
        {
            report = queue.Work(runner, worker, settings.MaxUnits, s => console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]{s}[/]"), cancellationToken: cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]interrupted[/]: this worker's unit went back to the pool.");
            return 130;
        }
        var (completed, total) = queue.Count();
        if (report is null)
        {
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"worker done: {completed} of {total} units of the study completed.");
            return 0;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        StudyResults results;
        try
        {
            results = DistributedStudy.Results(store, studyId, out _);
        }
        catch (MLCardiacException e)
        {
            queue.Fail(report, worker, clock.Elapsed.TotalSeconds, e.Message);
            throw;
        }
        int code = RunCommand.Publish(console, experiment, results, runner, Path.Combine(study.ReportsRoot, "mlcardiac.db"), started);
        queue.Complete(report, worker, clock.Elapsed.TotalSeconds);
        return code;
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string location = TrialStores.Resolve(settings.Store, "")
            is { Length: > 0 } l ? l : throw new MLCardiacException($"worker: name the store with --store or ${TrialStores.EnvironmentVariable}.");
        ITrialStore store = TrialStores.Open(location);
        try
        {
            if (settings.Study is { } studyId) return WorkOnStudy(store, studyId, settings, cancellationToken);
            StoredSearch stored = store.LoadSearch(settings.Search)
                ?? throw new MLCardiacException($"{store.Location}: has no search \"{settings.Search}\" (it has: {string.Join(", ", store.ListSearches().DefaultIfEmpty("none"))}).");
            SearchManifest manifest = SearchManifest.FromJson(stored.SettingsJson, store.Location, settings.Search);
            if (settings.Data is not null) manifest = manifest with { Data = settings.Data };
            var log = new SyncProgress<string>(s => console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]{s}[/]"));
            TimeSpan? wallTime = settings.Budget is null ? null : SearchBudget.ParseDuration(settings.Budget);
            SearchSetup setup = SearchSetup.Build(manifest, store, settings.Search, wallTime, pipelineTime: false, settings.Concurrency, settings.Threads, log, cancellationToken);
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"worker on search [bold]{settings.Search}[/] in {store.Location}: {setup.Concurrency} trial(s) at once{(settings.MaxUnits is int n ? $", at most {n}" : "")}{(setup.Budget.MaxTrials is int t ? $", search budget {t} trials" : "")}{(wallTime is { } w ? $", stopping after {w.TotalMinutes:F0} min" : "")}");
            setup.Objective.Prepare();
            Action<TrialRecord> finished = t => console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"trial {t.Trial} {t.Status.ToString().ToLowerInvariant()} after {t.Intermediate.Keys.DefaultIfEmpty().Max()}/{t.Epochs} epochs: {t.Metric?.ToString("F4", CultureInfo.InvariantCulture) ?? "–"}  ({t.Parameters})");
            SearchResult result;
            try
            {
                result = setup.Experiment.WorkAsync(settings.MaxUnits, null, finished, cancellationToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                console.MarkupLine("[yellow]interrupted[/]: this worker's running trials went back to the pool.");
                return 130;
            }
            int done = result.Trials.Count(t => t.IsFinished);
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"worker done: {result.TrialsRun} trial(s) run here in {result.WallTime.TotalMinutes:F1} min; the search has {done} finished of {result.Trials.Count} trials{(result.Best is { } b ? $", best so far {b.Metric?.ToString("F4", CultureInfo.InvariantCulture)} (trial {b.Trial})" : "")}.");
            return 0;
        }
        finally
        {
            TrialStores.Close(store);
        }
    }
}
