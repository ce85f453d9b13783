using System.ComponentModel;
using System.Globalization;
using MLCardiac.Experiments;
using MLCardiac.Reports;
using MLCardiac.Tracking;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>Shared pieces of the <c>mlcardiac runs</c> commands.</summary>
internal static class RunsCommand
{
    /// <summary>Default store path.</summary>
    public const string DefaultStore = "reports/mlcardiac.db";

    /// <summary>Settings every <c>runs</c> command shares.</summary>
    internal class StoreSettings : CommandSettings
    {
        [CommandOption("--db <FILE>")]
        [Description("Tracking store (SQLite). Default: reports/mlcardiac.db.")]
        public string Db { get; init; } = DefaultStore;
    }

    /// <summary>Records a finished study in the store at <paramref name="store"/>; returns the run id.</summary>
    public static long Record(string store, ExperimentDefinition experiment, StudyResults results, StudyMetrics metrics, string reportDirectory, ExperimentRunner runner, DateTime startedUtc)
    {
        var artifacts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["report"] = Path.Combine(reportDirectory, ExperimentReport.HtmlFile),
            ["metrics"] = Path.Combine(reportDirectory, ExperimentReport.MetricsFile),
            ["cases"] = Path.Combine(reportDirectory, ExperimentReport.CasesFile),
        };
        foreach (ArmRunResult r in results.Arms) artifacts[$"model.{r.Arm}.seed-{r.Seed}"] = runner.ModelDirectory(experiment, r.Arm, r.Seed);
        using var db = new RunStore(store);
        return db.Add(StudyRunRecord.From(experiment, results, metrics, artifacts, startedUtc));
    }

    /// <summary>Opens an existing store.</summary>
    public static RunStore Open(string path) =>
        File.Exists(path) ? new RunStore(path) : throw new MLCardiacException($"{path}: no run store yet (`mlcardiac run` and `mlcardiac search` create it).");

    internal static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("G5", CultureInfo.InvariantCulture);
}

/// <summary><c>mlcardiac runs list</c>: the recorded runs, newest first.</summary>
internal sealed class RunsListCommand(IAnsiConsole console) : Command<RunsListCommand.Settings>
{
    /// <summary>Arguments of <c>runs list</c>.</summary>
    internal sealed class Settings : RunsCommand.StoreSettings
    {
        [CommandOption("--limit <N>")]
        [Description("Most runs to list. Default: 50.")]
        public int Limit { get; init; } = 50;
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using RunStore store = RunsCommand.Open(settings.Db);
        var table = new Table().AddColumns("id", "kind", "name", "profile", "status", "started (UTC)", "minutes");
        foreach (RunRecord r in store.List(settings.Limit))
            table.AddRow(r.Id.ToString(CultureInfo.InvariantCulture), r.Kind, Markup.Escape(r.Name), Markup.Escape(r.Profile ?? "–"), r.Status,
                r.StartedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), ((r.FinishedUtc - r.StartedUtc).TotalMinutes).ToString("F1", CultureInfo.InvariantCulture));
        console.Write(table);
        return 0;
    }
}

/// <summary><c>mlcardiac runs show ID</c>: one run's parameters, metrics, timings and artifacts.</summary>
internal sealed class RunsShowCommand(IAnsiConsole console) : Command<RunsShowCommand.Settings>
{
    /// <summary>Arguments of <c>runs show</c>.</summary>
    internal sealed class Settings : RunsCommand.StoreSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("Run id (see `mlcardiac runs list`).")]
        public long Id { get; init; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using RunStore store = RunsCommand.Open(settings.Db);
        RunRecord r = store.Get(settings.Id);
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"run [bold]#{r.Id}[/] {r.Kind} [bold]{r.Name}[/]{(r.Profile is null ? "" : $" (profile {r.Profile})")}, {r.Status}, {r.StartedUtc:yyyy-MM-dd HH:mm:ss} → {r.FinishedUtc:HH:mm:ss} UTC, from {r.Source ?? "–"}");
        void Section(string title, IEnumerable<(string Key, string Value)> rows)
        {
            var t = new Table().Title(title).AddColumns("key", "value");
            foreach (var (k, v) in rows) t.AddRow(Markup.Escape(k), Markup.Escape(v));
            console.Write(t);
        }
        Section("metrics", r.Metrics.Select(p => (p.Key, RunsCommand.F(p.Value))));
        Section("timings (s)", r.TimingsSeconds.Select(p => (p.Key, p.Value.ToString("F1", CultureInfo.InvariantCulture))));
        Section("parameters", r.Parameters.Select(p => (p.Key, p.Value)));
        Section("artifacts", r.Artifacts.Select(p => (p.Key, p.Value)));
        return 0;
    }
}

/// <summary><c>mlcardiac runs compare ID1 ID2</c>: metrics and timings side by side with differences, and the parameters that differ.</summary>
internal sealed class RunsCompareCommand(IAnsiConsole console) : Command<RunsCompareCommand.Settings>
{
    /// <summary>Arguments of <c>runs compare</c>.</summary>
    internal sealed class Settings : RunsCommand.StoreSettings
    {
        [CommandArgument(0, "<ID1>")]
        [Description("First run id.")]
        public long First { get; init; }

        [CommandArgument(1, "<ID2>")]
        [Description("Second run id.")]
        public long Second { get; init; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using RunStore store = RunsCommand.Open(settings.Db);
        RunRecord a = store.Get(settings.First), b = store.Get(settings.Second);
        string ha = $"#{a.Id}", hb = $"#{b.Id}";
        var metrics = new Table().Title($"metrics: {Markup.Escape(a.Name)} {ha} vs {Markup.Escape(b.Name)} {hb}").AddColumns("key", ha, hb, $"{hb} − {ha}");
        foreach (string key in a.Metrics.Keys.Union(b.Metrics.Keys).Order(StringComparer.Ordinal))
        {
            double x = a.Metrics.GetValueOrDefault(key, double.NaN), y = b.Metrics.GetValueOrDefault(key, double.NaN);
            metrics.AddRow(Markup.Escape(key), RunsCommand.F(x), RunsCommand.F(y), RunsCommand.F(y - x));
        }
        console.Write(metrics);
        var timings = new Table().Title("timings (s)").AddColumns("key", ha, hb);
        foreach (string key in a.TimingsSeconds.Keys.Union(b.TimingsSeconds.Keys).Order(StringComparer.Ordinal))
            timings.AddRow(Markup.Escape(key), RunsCommand.F(a.TimingsSeconds.GetValueOrDefault(key, double.NaN)), RunsCommand.F(b.TimingsSeconds.GetValueOrDefault(key, double.NaN)));
        console.Write(timings);
        var differing = a.Parameters.Keys.Union(b.Parameters.Keys).Order(StringComparer.Ordinal)
            .Where(k => a.Parameters.GetValueOrDefault(k) != b.Parameters.GetValueOrDefault(k)).ToList();
        var parameters = new Table().Title($"parameters that differ ({differing.Count})").AddColumns("key", ha, hb);
        foreach (string k in differing) parameters.AddRow(Markup.Escape(k), Markup.Escape(a.Parameters.GetValueOrDefault(k) ?? "–"), Markup.Escape(b.Parameters.GetValueOrDefault(k) ?? "–"));
        console.Write(parameters);
        return 0;
    }
}
