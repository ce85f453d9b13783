using System.ComponentModel;
using System.Globalization;
using MLCardiac.Search;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac runs progress [--store S] [--search ID]</c>: how far the searches in a trial store have got, across every
/// worker that shares it — trials pending, running, finished, failed, the budget, the best metric — and, per worker, what
/// it runs now and how fresh its heartbeat is (a heartbeat older than <c>--stale</c> marks a trial that another worker
/// will take over). Read-only: it claims nothing, so it can watch a PostgreSQL store from any machine.
/// </summary>
internal sealed class RunsProgressCommand(IAnsiConsole console) : Command<RunsProgressCommand.Settings>
{
    /// <summary>Arguments of <c>runs progress</c>.</summary>
    internal sealed class Settings : RunsCommand.StoreSettings
    {
        [CommandOption("--store <STORE>")]
        [Description("The trial store: postgresql://user@host:port/db, or a SQLite file. Default: $MLCARDIAC_STORE, else --db.")]
        public string? Store { get; init; }

        [CommandOption("--search <ID>")]
        [Description("Only this search (default: every search in the store; workers are listed when there is one).")]
        public string? Search { get; init; }

        [CommandOption("--stale <DURATION>")]
        [Description("A running trial whose heartbeat is older than this is shown as stale (default 10m, the workers' default).")]
        public string Stale { get; init; } = "10m";
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        TimeSpan stale = SearchBudget.ParseDuration(settings.Stale);
        string location = TrialStores.Resolve(settings.Store, settings.Db);
        if (!PostgresUrl.IsUrl(location) && !File.Exists(location))
            throw new MLCardiacException($"{location}: no trial store (`mlcardiac search` creates one; name another with --store).");
        ITrialStore store = TrialStores.Open(location);
        try
        {
            IReadOnlyList<string> ids = settings.Search is { } one
                ? (store.LoadSearch(one) is null ? throw new MLCardiacException($"{store.Location}: has no search \"{one}\" (it has: {string.Join(", ", store.ListSearches().DefaultIfEmpty("none"))}).") : [one])
                : store.ListSearches();
            if (ids.Count == 0)
            {
                console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"{store.Location}: no search yet.");
                return 0;
            }
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var table = new Table().Title($"Searches in {Markup.Escape(store.Location)}")
                .AddColumns("search", "finished / budget", "pending", "running", "completed", "stopped", "failed", "workers", "best metric");
            var trialsOf = new Dictionary<string, IReadOnlyList<TrialRecord>>(StringComparer.Ordinal);
            foreach (string id in ids)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IReadOnlyList<TrialRecord> trials = trialsOf[id] = store.LoadTrials(id);
                int Count(TrialStatus s) => trials.Count(t => t.Status == s);
                int? budget = Budget(store.LoadSearch(id), store.Location, id);
                double? best = trials.Where(t => t.Status == TrialStatus.Completed && t.Metric is not null).Select(t => t.Metric).Max();
                int workers = trials.Where(t => t.Status == TrialStatus.Running && now - t.HeartbeatUnixMs <= stale.TotalMilliseconds).Select(t => t.Worker).Distinct().Count();
                table.AddRow(Markup.Escape(id), $"{trials.Count(t => t.IsFinished)} / {(budget?.ToString(CultureInfo.InvariantCulture) ?? "–")}",
                    I(Count(TrialStatus.Pending)), I(Count(TrialStatus.Running)), I(Count(TrialStatus.Completed)), I(Count(TrialStatus.Stopped)), I(Count(TrialStatus.Failed)),
                    I(workers), best?.ToString("F4", CultureInfo.InvariantCulture) ?? "–");
            }
            console.Write(table);
            if (ids.Count == 1) WriteWorkers(trialsOf[ids[0]], now, stale);
            return 0;
        }
        finally
        {
            TrialStores.Close(store);
        }
    }

    /// <summary>Per worker that has run a trial of the search: what it runs now, its heartbeat's age, what it finished.</summary>
    private void WriteWorkers(IReadOnlyList<TrialRecord> trials, long now, TimeSpan stale)
    {
        var byWorker = trials.Where(t => t.Worker is not null).GroupBy(t => t.Worker!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (byWorker.Count == 0) return;
        var table = new Table().Title("Workers").AddColumns("worker", "running now", "heartbeat", "finished", "failed", "mean minutes per finished trial");
        foreach (var g in byWorker)
        {
            var running = g.Where(t => t.Status == TrialStatus.Running).ToList();
            string heartbeat = running.Count == 0 ? "–" : string.Join(", ", running.Select(t =>
            {
                double age = Math.Max(0, (now - t.HeartbeatUnixMs) / 1000.0);
                return string.Create(CultureInfo.InvariantCulture, $"{age:F0} s ago{(age * 1000 > stale.TotalMilliseconds ? " (stale: another worker will retry it)" : "")}");
            }));
            var finished = g.Where(t => t.IsFinished).ToList();
            double minutes = finished.Where(t => t.Seconds is not null).Select(t => t.Seconds!.Value / 60).DefaultIfEmpty(double.NaN).Average();
            table.AddRow(Markup.Escape(g.Key), running.Count == 0 ? "–" : string.Join(", ", running.Select(t => $"trial {t.Trial}")), heartbeat,
                I(finished.Count(t => t.Status != TrialStatus.Failed)), I(finished.Count(t => t.Status == TrialStatus.Failed)),
                double.IsNaN(minutes) ? "–" : minutes.ToString("F1", CultureInfo.InvariantCulture));
        }
        console.Write(table);
    }

    /// <summary>The search's trial budget from its stored settings (null: unlimited or not readable by this build).</summary>
    private static int? Budget(StoredSearch? search, string location, string id)
    {
        if (search is null) return null;
        try
        {
            SearchManifest manifest = SearchManifest.FromJson(search.SettingsJson, location, id);
            return manifest.Trials ?? manifest.Definition().Budget.MaxTrials;
        }
        catch (Exception e) when (e is MLCardiacException or System.Text.Json.JsonException or ArgumentException or IOException) { return null; }
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
