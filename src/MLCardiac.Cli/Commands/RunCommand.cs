using System.ComponentModel;
using System.Globalization;
using MLCardiac.Experiments;
using MLCardiac.Reports;
using MLCardiac.Search;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac run pipelines/NAME.json [--profile quick|full]</c>: runs (or resumes) a declarative study, writes
/// models/ID/ARM/seed-N/ and reports/ID/ (metrics.json, cases.csv, report.html), records the run in the tracking
/// store and prints the headline table.
/// </summary>
internal sealed class RunCommand(IAnsiConsole console) : Command<RunCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac run</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<EXPERIMENT>")]
        [Description("Experiment definition, e.g. pipelines/generalization-study.json.")]
        public string Experiment { get; init; } = "";

        [CommandOption("--profile <NAME>")]
        [Description("Profile of the experiment file to apply (e.g. quick or full). Default: none (the file's own values).")]
        public string? Profile { get; init; }

        [CommandOption("--data <DIR>")]
        [Description("Dataset folder: used as it is when it holds a dataset; otherwise the experiment's synthetic data is written there. Default: data/ID-HASH (synthetic) or data.path. With several data sources: the folder of the synthetic ones (DIR/NAME each); path sources keep their path.")]
        public string? Data { get; init; }

        [CommandOption("--out-models <DIR>")]
        [Description("Root of the model folders. Default: models (ARTIFACTS/models with --artifacts).")]
        public string? OutModels { get; init; }

        [CommandOption("--out-reports <DIR>")]
        [Description("Root of the report folders. Default: reports (ARTIFACTS/reports with --artifacts).")]
        public string? OutReports { get; init; }

        [CommandOption("--artifacts <PATH>")]
        [Description("Where models and reports go: PATH/models and PATH/reports (a folder or file:// URI; for a distributed study, a folder every worker mounts — the store records it, so workers write there whatever their working folder).")]
        public string? Artifacts { get; init; }

        /// <summary>The models root: --out-models, else ARTIFACTS/models, else models.</summary>
        public string ModelsRoot => OutModels ?? (ArtifactsFolder is { } a ? Path.Combine(a, "models") : "models");

        /// <summary>The reports root: --out-reports, else ARTIFACTS/reports, else reports.</summary>
        public string ReportsRoot => OutReports ?? (ArtifactsFolder is { } a ? Path.Combine(a, "reports") : "reports");

        /// <summary>The --artifacts folder (a file:// URI as its local path), or null.</summary>
        public string? ArtifactsFolder => Artifacts is null ? null
            : Uri.TryCreate(Artifacts, UriKind.Absolute, out Uri? uri) && uri.IsFile ? uri.LocalPath : Artifacts;

        [CommandOption("--runs-db <FILE>")]
        [Description("Tracking store (SQLite). Default: reports/mlcardiac.db under --out-reports.")]
        public string? RunsDb { get; init; }

        [CommandOption("--store <STORE>")]
        [Description("Run the study's units through a trial store that workers on other machines share: postgresql://user@host:port/db or a SQLite file (see `mlcardiac worker --study`). Default: none (this machine runs every unit).")]
        public string? Store { get; init; }

        [CommandOption("--stale <DURATION>")]
        [Description("With --store: a unit whose worker has not beaten for this long goes to another worker (e.g. 2m, 30s; workers beat every sixth of it). Recorded with the study. Default: 2m.")]
        public string Stale { get; init; } = "2m";

        [CommandOption("--enqueue-only")]
        [Description("With --store: register the study and leave its units to workers.")]
        public bool EnqueueOnly { get; init; }

        public override ValidationResult Validate()
        {
            if (EnqueueOnly && Store is null) return ValidationResult.Error("--enqueue-only needs --store");
            if (Artifacts is not null && (OutModels is not null || OutReports is not null)) return ValidationResult.Error("give --artifacts or --out-models/--out-reports, not both");
            if (Artifacts is not null && Artifacts.Contains("://", StringComparison.Ordinal) && !(Uri.TryCreate(Artifacts, UriKind.Absolute, out Uri? uri) && uri.IsFile))
                return ValidationResult.Error($"--artifacts {Artifacts}: only a folder or a file:// URI (mount shared storage as a folder on every worker)");
            return ValidationResult.Success();
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ExperimentDefinition experiment = ExperimentLoader.Load(settings.Experiment, settings.Profile);
        var runner = new ExperimentRunner(new ExperimentRunOptions { DataDirectory = settings.Data, ModelsRoot = settings.ModelsRoot, ReportsRoot = settings.ReportsRoot });
        var started = DateTime.UtcNow;
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"[bold]{experiment.Id}[/]{(experiment.Profile is null ? "" : $" (profile {experiment.Profile})")}: {experiment.Arms.Count} arms × {experiment.Seeds.Count} seeds{(experiment.VendorClassifier is null ? "" : " + vendor classifier")}");
        // Ctrl-C cancels the study cleanly (finished units stay finished; the current one resumes from its checkpoint next time).
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            string runsDb = settings.RunsDb ?? Path.Combine(settings.ReportsRoot, "mlcardiac.db");
            if (settings.Store is null) return Run(console, experiment, runner, runsDb, started, interrupt.Token);
            return RunThroughStore(settings, experiment, runner, runsDb, started, interrupt.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// The study through a trial store (<see cref="DistributedStudy"/>): registers it, then — unless <c>--enqueue-only</c> — works on
    /// its units like any worker; when every unit is done (here or elsewhere), writes the report as <see cref="Run"/> does.
    /// </summary>
    private int RunThroughStore(Settings settings, ExperimentDefinition experiment, ExperimentRunner runner, string runsDb, DateTime started, CancellationToken cancellationToken)
    {
        ITrialStore store = TrialStores.Open(settings.Store!);
        try
        {
            bool existed = new DistributedStudy(store, experiment).Register(new StudySettings
            {
                PipelineFile = Path.GetFullPath(settings.Experiment), Profile = settings.Profile,
                Data = settings.Data is null ? null : Path.GetFullPath(settings.Data),
                ModelsRoot = Path.GetFullPath(settings.ModelsRoot), ReportsRoot = Path.GetFullPath(settings.ReportsRoot),
                StaleAfterSeconds = SearchBudget.ParseDuration(settings.Stale).TotalSeconds,
            });
            // The study as registered (by this command or an earlier one): its folders and timeouts are every worker's.
            StudySettings study = DistributedStudy.Settings(store, DistributedStudy.StoreId(experiment))!;
            var queue = DistributedStudy.For(store, experiment, study);
            runner = new ExperimentRunner(new ExperimentRunOptions { DataDirectory = settings.Data ?? study.Data, ModelsRoot = study.ModelsRoot, ReportsRoot = study.ReportsRoot });
            runsDb = settings.RunsDb ?? Path.Combine(study.ReportsRoot, "mlcardiac.db");
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"study [bold]{queue.Id}[/] {(existed ? "found" : "registered")} in {store.Location}: {ExperimentRunner.Units(experiment).Count} units; on other machines: mlcardiac worker --store {store.Location} --study {queue.Id}");
            if (settings.EnqueueOnly) return 0;
            string worker = WorkerCommand.WorkerName();
            TrialRecord? report = queue.Work(runner, worker, log: s => console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]{worker}: {s}[/]"), cancellationToken: cancellationToken);
            var (completed, total) = queue.Count();
            if (report is null && completed < total)
            {
                console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"{completed} of {total} units completed; the worker that completes the last one writes the report (`mlcardiac runs progress --store {store.Location} --search {queue.Id}`).");
                return 0;
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            StudyResults results;
            try
            {
                results = DistributedStudy.Results(store, queue.Id, out _);
            }
            catch (MLCardiacException e) when (report is not null)
            {
                queue.Fail(report, worker, clock.Elapsed.TotalSeconds, e.Message);
                throw;
            }
            int code = Publish(console, experiment, results, runner, runsDb, started);
            if (report is not null) queue.Complete(report, worker, clock.Elapsed.TotalSeconds);
            return code;
        }
        finally
        {
            TrialStores.Close(store);
        }
    }

    /// <summary>Runs (or resumes; with every unit finished, only assembles) the study, writes its report, records the run and prints the summary.</summary>
    internal static int Run(IAnsiConsole console, ExperimentDefinition experiment, ExperimentRunner runner, string runsDb, DateTime started, CancellationToken cancellationToken)
    {
        StudyResults results = null!;
        console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var study = ctx.AddTask("study", maxValue: 1000);
                ProgressTask? current = null;
                string? currentUnit = null;
                results = runner.Run(experiment, new SyncProgress<StudyProgress>(p =>
                {
                    study.Value = 1000 * p.StudyFraction;
                    study.Description = string.Create(CultureInfo.InvariantCulture, $"study: unit {Math.Min(p.UnitIndex + 1, p.Units)}/{p.Units}");
                    if (p.Unit != currentUnit)
                    {
                        current?.StopTask();
                        current = ctx.AddTask(Markup.Escape(p.Unit), maxValue: 1000);
                        currentUnit = p.Unit;
                    }
                    current!.Value = 1000 * p.UnitFraction;
                    current.Description = Markup.Escape($"{p.Unit}: {p.Stage}{(p.Detail.Length > 0 ? "  " + p.Detail : "")}");
                }), cancellationToken);
                current?.StopTask();
                study.Value = 1000;
            });
        return Publish(console, experiment, results, runner, runsDb, started);
    }

    /// <summary>Writes the report of <paramref name="results"/> (<see cref="ExperimentReport.Write"/>), records the run and prints the summary.</summary>
    internal static int Publish(IAnsiConsole console, ExperimentDefinition experiment, StudyResults results, ExperimentRunner runner, string runsDb, DateTime started)
    {
        string reportDirectory = runner.ReportDirectory(experiment);
        StudyMetrics metrics = ExperimentReport.Write(results, reportDirectory);
        long id = RunsCommand.Record(runsDb, experiment, results, metrics, reportDirectory, runner, started);
        Render(console, metrics);
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"report: [bold]{Path.Combine(reportDirectory, ExperimentReport.HtmlFile)}[/] (metrics.json, cases.csv beside it); run #{id} in the tracking store; wall time {results.WallSeconds / 60:F1} min");
        return 0;
    }

    /// <summary>Prints the headline table and the findings.</summary>
    internal static void Render(IAnsiConsole console, StudyMetrics metrics)
    {
        var table = new Table().Title("Held-out subjects, 3D: mean Dice [[95 % CI, subjects resampled]] on seen, never-seen (unseen) and DANN target vendors");
        foreach (string h in new[] { "arm", "converged", "vendors", "cases", "LV", "MYO", "RV", "mean", "HD95 mm", "gap" })
            table.AddColumn(new TableColumn(h).NoWrap());
        static string F(double v, string f = "F3") => double.IsNaN(v) ? "–" : v.ToString(f, CultureInfo.InvariantCulture);
        foreach (ArmMetrics a in metrics.Arms)
            foreach (GroupMetrics g in a.ByRole)
            {
                double hd = new[] { g.Lv.Hd95Mm, g.Myo.Hd95Mm, g.Rv.Hd95Mm }.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
                // Whether the arm converged, once per arm; the findings below give the reason and withhold its verdicts.
                string converged = g == a.ByRole[0] ? (a.Convergence.Converged ? "yes" : "NO") : "";
                table.AddRow(Markup.Escape(a.Arm), converged, g.Group, g.Cases.ToString(CultureInfo.InvariantCulture), F(g.Lv.Dice.Mean), F(g.Myo.Dice.Mean), F(g.Rv.Dice.Mean),
                    Markup.Escape($"{F(g.MeanDice.Mean)} [{F(g.MeanDice.Lower)}, {F(g.MeanDice.Upper)}]"), F(hd, "F1"),
                    g.Group == "seen" ? "" : g.Group == "unseen" ? Markup.Escape($"{F(a.DiceGap.Mean)} [{F(a.DiceGap.Lower)}, {F(a.DiceGap.Upper)}]")
                        : Markup.Escape($"{F(a.TargetDiceGap.Mean)} [{F(a.TargetDiceGap.Lower)}, {F(a.TargetDiceGap.Upper)}]"));
            }
        console.Write(table);
        var judged = metrics.Arms.Where(a => a.Reliability is not null).ToList();
        if (judged.Count > 0)
        {
            string[] others = [.. judged.SelectMany(a => a.Reliability!.ShiftAuroc.Keys).Distinct().Order(StringComparer.Ordinal)];
            var qc = new Table().Title("When not to trust a segmentation (each arm's QualityControl stage, against the true Dice of the held-out cases)");
            foreach (string h in (string[])["arm", .. others.Select(v => $"shift AUROC {v}"), "false alarms", "Spearman ρ", "failed caught", "seen flagged"])
                qc.AddColumn(new TableColumn(h).NoWrap());
            static string P(double v) => double.IsNaN(v) ? "–" : v.ToString("P0", CultureInfo.InvariantCulture);
            foreach (ArmMetrics a in judged)
            {
                var r = a.Reliability!;
                qc.AddRow([Markup.Escape(a.Arm), .. others.Select(v => r.ShiftAuroc.TryGetValue(v, out double x) ? F(x) : "–"), P(r.ShiftFalseAlarms), F(r.Spearman, "F2"),
                    $"{P(r.CatchRate)} of {r.FailedCases}", P(r.SeenFlagRate)]);
            }
            console.Write(qc);
        }
        foreach (string f in metrics.Findings) console.MarkupLine("• " + Markup.Escape(f));
    }
}
