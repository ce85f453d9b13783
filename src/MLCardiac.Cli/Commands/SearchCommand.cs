using System.ComponentModel;
using System.Globalization;
using MLCardiac.Search;
using MLCardiac.Tracking;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac search pipelines/search-unet.json --budget 30m</c>: searches the pipeline's space with a tuner,
/// trials stored in the project's SQLite store or a PostgreSQL store that workers on other machines share (running the same
/// command again resumes; the finished search is recorded as a run), shows a live table of trials, refits the best
/// pipeline on all training vendors, tests it on the test vendors and writes <c>reports/&lt;id&gt;/report.html</c>. With
/// <c>--enqueue-only</c> it only registers the search for <c>mlcardiac worker</c>s (<see cref="WorkerCommand"/>).
/// </summary>
internal sealed class SearchCommand(IAnsiConsole console) : Command<SearchCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac search</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PIPELINE>")]
        [Description("Pipeline file with a search section (e.g. pipelines/search-unet.json).")]
        public string Pipeline { get; init; } = "";

        [CommandOption("--profile <NAME>")]
        [Description("Apply the pipeline's profiles.NAME (study-format files).")]
        public string? Profile { get; init; }

        [CommandOption("--data <DIR>")]
        [Description("Dataset folder instead of the pipeline's data (synthetic data is generated there on first use).")]
        public string? Data { get; init; }

        [CommandOption("--budget <DURATION>")]
        [Description("Wall-time budget of this run, e.g. 30m, 1h, 90s (overrides search.budget.time).")]
        public string? Budget { get; init; }

        [CommandOption("--trials <N>")]
        [Description("Trial budget over all runs of this search (overrides search.budget.trials).")]
        public int? Trials { get; init; }

        [CommandOption("--tuner <TUNER>")]
        [Description("cfo+asha, asha, cfo or random (overrides search.tuner).")]
        public string? Tuner { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Tuner seed (overrides search.seed).")]
        public int? Seed { get; init; }

        [CommandOption("--id <ID>")]
        [Description("Search id in the store. Default: <pipeline name>-<tuner>; the same id resumes.")]
        public string? Id { get; init; }

        [CommandOption("--store|--db <STORE>")]
        [Description("Where trials live: a SQLite file (shared with `mlcardiac run` and `mlcardiac runs`; processes of one machine) or postgresql://user@host:port/db (workers on many machines). Default: $MLCARDIAC_STORE, else <reports>/mlcardiac.db.")]
        public string? Store { get; init; }

        [CommandOption("--enqueue-only")]
        [Description("Register the search in the store and stop: `mlcardiac worker --store STORE --search ID` on any machine runs its trials; this command again (without the flag) reports and refits.")]
        public bool EnqueueOnly { get; init; }

        [CommandOption("--concurrency <N>")]
        [Description("Trials at once in this process; each gets cores / N threads (overrides search.concurrency).")]
        public int? Concurrency { get; init; }

        [CommandOption("--threads <N>")]
        [Description("Compute threads per trial (0: cores / concurrency). On a busy machine 1 avoids threads spinning on each other.")]
        public int Threads { get; init; }

        [CommandOption("--reports <DIR>")]
        [Description("Folder of report folders. Default: reports.")]
        public string Reports { get; init; } = "reports";

        [CommandOption("--models <DIR>")]
        [Description("Folder of model folders; the best pipeline goes to <DIR>/<id>/best. Default: models.")]
        public string Models { get; init; } = "models";

        [CommandOption("--no-refit")]
        [Description("Do not refit and test the best pipeline.")]
        public bool NoRefit { get; init; }

        [CommandOption("--refit-default")]
        [Description("Also refit and test the default pipeline, to compare on the test vendors.")]
        public bool RefitDefault { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Pipeline)) return ValidationResult.Error("PIPELINE is required");
            if (Trials is < 1) return ValidationResult.Error("--trials must be ≥ 1");
            if (Concurrency is < 1) return ValidationResult.Error("--concurrency must be ≥ 1");
            if (Threads < 0) return ValidationResult.Error("--threads must be ≥ 0");
            return ValidationResult.Success();
        }
    }

    private sealed class Row
    {
        public required int Trial { get; init; }
        public required string Params { get; init; }
        public required int Epochs { get; init; }
        public int Epoch { get; set; }
        public double? Metric { get; set; }
        public TrialStatus Status { get; set; }
        public bool Default { get; init; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!File.Exists(settings.Pipeline)) throw new MLCardiacException($"{settings.Pipeline}: experiment file not found.");
        var manifest = new SearchManifest
        {
            PipelineFile = settings.Pipeline, PipelineJson = File.ReadAllText(settings.Pipeline), Profile = settings.Profile, Data = settings.Data,
            Tuner = settings.Tuner, Seed = settings.Seed, Trials = settings.Trials,
        };
        SearchDefinition declared = manifest.Definition();
        if (declared.Experiment?.Data.Source == "synthetic" && settings.Data is null)
            console.MarkupLine("[grey]preparing the synthetic dataset (generated once, then reused)…[/]");
        TunerKind declaredTuner = settings.Tuner is null ? declared.Tuner : TunerKinds.Parse(settings.Tuner);
        string id = settings.Id ?? $"{declared.Name}-{declaredTuner.ToName().Replace('+', '-')}";
        if (id.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) throw new MLCardiacException($"--id \"{id}\" must be a plain file name.");
        string reportDir = Path.Combine(settings.Reports, id);
        string defaultDb = Path.Combine(settings.Reports, "mlcardiac.db");
        ITrialStore store = TrialStores.Open(TrialStores.Resolve(settings.Store, defaultDb));
        try
        {
            return Execute(settings, manifest, store, id, reportDir, defaultDb, cancellationToken);
        }
        finally
        {
            TrialStores.Close(store);
        }
    }

    private int Execute(Settings settings, SearchManifest manifest, ITrialStore store, string id, string reportDir, string defaultDb, CancellationToken cancellationToken)
    {
        string storePath = store.Location;
        // Tracked runs stay in the project's SQLite file: the trial store's file when it is one, else <reports>/mlcardiac.db.
        string runsPath = store is SqliteTrialStore sqlite ? sqlite.Path : defaultDb;
        DateTime started = DateTime.UtcNow;

        var log = new SyncProgress<string>(s => console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]{s}[/]"));
        TimeSpan? wallTime = settings.Budget is null ? null : SearchBudget.ParseDuration(settings.Budget);
        SearchSetup setup = SearchSetup.Build(manifest, store, id, wallTime, pipelineTime: true, settings.Concurrency, settings.Threads, log, cancellationToken);
        (SearchDefinition definition, SegmentationTrialObjective objective, SearchExperiment experiment, TunerKind tuner, int seed, SearchBudget budget, int concurrency) = setup;
        if (!settings.NoRefit) experiment.SetRefit(Path.Combine(settings.Models, id), settings.RefitDefault);
        if (settings.EnqueueOnly)
        {
            bool existed = experiment.Enqueue();
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"search [bold]{id}[/] {(existed ? "is already" : "is now")} in {storePath}: run `mlcardiac worker --store STORE --search {id}` on each machine (STORE as here, with its password), then this command again without --enqueue-only for the report and the refit.");
            return 0;
        }

        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"search [bold]{id}[/]: tuner {tuner.ToName()}, {definition.Space.Dimensions} parameters, budget {(budget.MaxTrials is int n ? $"{n} trials" : "")}{(budget.MaxTrials is not null && budget.WallTime is not null ? " / " : "")}{(budget.WallTime is { } w ? $"{w.TotalMinutes:F0} min" : "")}, validation: leave one of {string.Join(", ", definition.TrainVendors)} out ({definition.Folds} fold{(definition.Folds > 1 ? "s" : "")}), test vendors {string.Join(", ", definition.TestVendors)} untouched; store {storePath}");
        console.MarkupLine("[grey]reading the dataset index…[/]");
        objective.Prepare();

        var rows = new SortedDictionary<int, Row>();
        var gate = new object();
        var progress = new SyncProgress<SearchEvent>(e =>
        {
            lock (gate)
            {
                if (!rows.TryGetValue(e.Trial, out var row))
                    rows[e.Trial] = row = new Row { Trial = e.Trial, Params = e.Parameters.ToString(), Epochs = e.Epochs, Default = e.Trial == 0 && definition.IncludeDefault };
                row.Status = e.Status;
                if (e.Epoch is int ep) row.Epoch = ep;
                if (e.Metric is double m) row.Metric = m;
            }
        });
        bool interactive = console.Profile.Capabilities.Interactive;
        Action<TrialRecord> finished = t =>
        {
            if (!interactive)
                console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"trial {t.Trial} {t.Status.ToString().ToLowerInvariant()} after {t.Intermediate.Keys.DefaultIfEmpty().Max()}/{t.Epochs} epochs: {t.Metric?.ToString("F4", CultureInfo.InvariantCulture) ?? "–"}  ({t.Parameters})");
        };
        Task<SearchResult> run = experiment.RunAsync(progress, finished, cancellationToken);
        if (interactive)
        {
            console.Live(Render(rows, gate, definition.Metric)).AutoClear(false).Start(ctx =>
            {
                while (!((IAsyncResult)run).AsyncWaitHandle.WaitOne(1000))
                {
                    ctx.UpdateTarget(Render(rows, gate, definition.Metric));
                }
                ctx.UpdateTarget(Render(rows, gate, definition.Metric));
            });
        }
        SearchResult result;
        try
        {
            result = run.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[yellow]interrupted[/]: finished trials are in {storePath}; run the same command again to resume.");
            return 130;
        }

        var settingsTable = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pipeline"] = Path.GetFileName(settings.Pipeline),
            ["train vendors (validation: leave one out)"] = $"{string.Join(", ", definition.TrainVendors)} ({definition.Folds} fold{(definition.Folds > 1 ? "s" : "")})",
            ["test vendors"] = string.Join(", ", definition.TestVendors),
            ["slices"] = $"{definition.Size}×{definition.Size} px at {definition.SpacingMm.ToString(CultureInfo.InvariantCulture)} mm",
            ["plan"] = definition.Experiment?.PlanFile is { } planFile ? $"{planFile}: {string.Join(", ", definition.Experiment.Unspecified)}" : "none (every value from the pipeline file)",
            ["budget"] = $"{(budget.MaxTrials is int mt ? $"{mt} trials" : "–")}, {(budget.WallTime is { } wt ? $"{wt.TotalMinutes:F0} min" : "no time limit")}",
            ["ASHA"] = tuner.UsesAsha() ? $"rungs at {string.Join(", ", experiment.Scheduler!.Rungs)} epochs, η = {definition.AshaReductionFactor.ToString(CultureInfo.InvariantCulture)}" : "off",
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["trials"] = $"each fits the ML.NET pipeline; prepared slices shared through {objective.Cache.Directory}",
            ["concurrency"] = $"{concurrency} trial(s), {(settings.Threads > 0 ? settings.Threads : Math.Max(1, Environment.ProcessorCount / concurrency))} thread(s) each, {Environment.ProcessorCount} cores",
        };
        SearchReport.Write(reportDir, result, definition.Space, $"Search {id}", settingsTable);
        var artifacts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["report"] = Path.Combine(reportDir, SearchReport.HtmlFile),
            ["summary"] = Path.Combine(reportDir, SearchReport.JsonFile),
            ["trials"] = Path.Combine(reportDir, SearchReport.CsvFile),
        };
        long runId;
        using (var runs = new RunStore(runsPath))
            runId = runs.Add(SearchRunRecord.From(result, settings.Pipeline, settingsTable, artifacts, started));
        RenderSummary(result);
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"report: [bold]{Path.Combine(reportDir, SearchReport.HtmlFile)}[/] ({SearchReport.JsonFile}, {SearchReport.CsvFile}); trials in {storePath}, run #{runId} in {runsPath} (`mlcardiac runs show {runId} --db {runsPath}`)");
        return 0;
    }

    private static Table Render(SortedDictionary<int, Row> rows, object gate, string metric)
    {
        var table = new Table().Title("trials");
        foreach (string h in new[] { "#", "status", "epoch", metric, "parameters" }) table.AddColumn(new TableColumn(h).NoWrap());
        lock (gate)
        {
            double? best = rows.Values.Where(r => r.Status == TrialStatus.Completed && r.Metric is not null).Select(r => r.Metric).DefaultIfEmpty().Max();
            foreach (var r in rows.Values.Skip(Math.Max(0, rows.Count - 18)))
            {
                string status = r.Status switch
                {
                    TrialStatus.Running => "[blue]running[/]",
                    TrialStatus.Completed => "[green]completed[/]",
                    TrialStatus.Stopped => "[yellow]stopped[/]",
                    TrialStatus.Failed => "[red]failed[/]",
                    _ => "pending",
                };
                string m = r.Metric?.ToString("F4", CultureInfo.InvariantCulture) ?? "–";
                if (r.Metric == best && r.Status == TrialStatus.Completed) m = $"[bold green]{m}[/]";
                table.AddRow(r.Trial.ToString(CultureInfo.InvariantCulture) + (r.Default ? " (default)" : ""), status,
                    $"{r.Epoch}/{r.Epochs}", m, Markup.Escape(r.Params.Length > 110 ? r.Params[..110] + "…" : r.Params));
            }
        }
        return table;
    }

    private void RenderSummary(SearchResult r)
    {
        var table = new Table().Title($"search {r.SearchId}: {r.Trials.Count} trials, {r.WallTime.TotalMinutes:F1} min");
        table.AddColumn("");
        table.AddColumn(new TableColumn("best").RightAligned());
        table.AddColumn(new TableColumn("default").RightAligned());
        static string F(double? v) => v is double d && double.IsFinite(d) ? d.ToString("F4", CultureInfo.InvariantCulture) : "–";
        table.AddRow("trial", r.Best?.Trial.ToString(CultureInfo.InvariantCulture) ?? "–", r.Default?.Trial.ToString(CultureInfo.InvariantCulture) ?? "–");
        table.AddRow($"validation {r.MetricName}", F(r.Best?.Metric), F(r.Default?.Metric) + (r.Default?.Status == TrialStatus.Stopped ? " (stopped)" : ""));
        var keys = (r.BestRefit?.TestMetrics.Keys ?? []).Concat(r.DefaultRefit?.TestMetrics.Keys ?? []).Distinct().Where(k => k.EndsWith("meanDice", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        foreach (string k in keys)
            table.AddRow($"test {k}", F(r.BestRefit?.TestMetrics.GetValueOrDefault(k, double.NaN)), F(r.DefaultRefit?.TestMetrics.GetValueOrDefault(k, double.NaN)));
        console.Write(table);
        if (r.Best is not null) console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"best: {r.Best.Parameters}");
        if (r.BestRefit is not null)
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"best model: [bold]{r.BestRefit.ModelFile ?? r.BestRefit.ModelDirectory}[/] (ML.NET model file; the folder {r.BestRefit.ModelDirectory} also serves mlcardiac predict/serve)");
    }
}
