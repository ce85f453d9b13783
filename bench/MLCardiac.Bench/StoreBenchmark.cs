using System.Diagnostics;
using System.Globalization;
using MLCardiac.Search;
using MLCardiac.StoreWorker;
using MLCardiac.Tests.Support;

namespace MLCardiac.Bench;

/// <summary>
/// The trial stores side by side, SQLite (a file in the temporary folder) and PostgreSQL (a private server started here
/// from Debian's binaries with its default, durable settings: fsync and synchronous commit on):
/// <list type="number">
/// <item>store overhead per unit: one worker runs the store operations of a unit back to back — claim, three heartbeats,
/// three intermediate results, finish — with no work between them (median and p95 over the units);</item>
/// <item>the same through the whole worker loop (<see cref="SearchExperiment.WorkAsync"/> with a 0 ms objective: adds the
/// tuner's replay of the history at each claim and reading the finished trial back);</item>
/// <item>units per minute with 1, 2 and 4 workers — each with its own store object and connections, as separate machines
/// would have — on an objective that sleeps <c>--unit-ms</c> per unit (no CPU: what limits the scaling is the store), counted
/// from the start to the last unit's end.</item>
/// </list>
/// </summary>
internal static class StoreBenchmark
{
    private static readonly int[] WorkerCounts = [1, 2, 4];

    /// <summary>Runs the benchmark; arguments: [--units N] [--scaling-units N] [--unit-ms MS] [--fsync on|off].</summary>
    public static int Run(string[] args)
    {
        int units = 200, scalingUnits = 60, unitMs = 200;
        bool durable = true;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--units": units = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--scaling-units": scalingUnits = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--unit-ms": unitMs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--fsync": durable = args[i + 1] != "off"; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (PostgresServer.FindBinaries() is null)
        {
            Console.Error.WriteLine(PostgresServer.MissingMessage);
            return 1;
        }
        string dir = Directory.CreateTempSubdirectory("mlcardiac-store-bench-").FullName;
        using var server = PostgresServer.Start(durable);
        Console.WriteLine($"PostgreSQL {Path.GetFileName(Path.GetDirectoryName(PostgresServer.FindBinaries()))} on loopback, fsync {(durable ? "on (defaults)" : "off")}; SQLite WAL, synchronous=NORMAL");
        try
        {
            var stores = new (string Name, Func<string> NewStore)[]
            {
                ("SQLite", () => Path.Combine(dir, $"{Guid.NewGuid():N}.db")),
                ("PostgreSQL", server.NewDatabase),
            };
            Console.WriteLine($"store overhead per unit (claim + 3 heartbeats + 3 intermediate results + finish, {units} units, 1 worker), ms:");
            Console.WriteLine($"{"store",-11} {"median",8} {"p95",8} {"mean",8}   {"worker loop median",18} {"mean",8}");
            foreach (var (name, newStore) in stores)
            {
                double[] ops = StoreOperations(newStore(), units);
                double[] loop = WorkerLoop(newStore(), units);
                Console.WriteLine($"{name,-11} {Median(ops),8:F2} {Percentile(ops, 0.95),8:F2} {ops.Average(),8:F2}   {Median(loop),18:F2} {loop.Average(),8:F2}");
            }
            Console.WriteLine($"units per minute, {scalingUnits} units of {unitMs} ms (sleep) each; ideal for W workers: {60_000.0 / unitMs:F0} × W:");
            Console.WriteLine($"{"store",-11} {"1 worker",10} {"2 workers",10} {"4 workers",10}   {"4 vs 1",7}");
            foreach (var (name, newStore) in stores)
            {
                double[] rates = [.. WorkerCounts.Select(w => UnitsPerMinute(newStore(), w, scalingUnits, unitMs))];
                Console.WriteLine($"{name,-11} {rates[0],10:F0} {rates[1],10:F0} {rates[2],10:F0}   {rates[2] / rates[0],6:F2}×");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Per unit, ms: the store calls of one unit back to back.</summary>
    private static double[] StoreOperations(string location, int units)
    {
        ITrialStore store = TrialStores.Open(location);
        try
        {
            store.EnsureSearch("bench", "fp", "{}");
            var p = CheapSearch.Space.Default();
            NewTrial? Propose(IReadOnlyList<TrialRecord> h) => h.Count >= units ? null : new NewTrial(p, "tuner", 3);
            var times = new double[units];
            var clock = new Stopwatch();
            for (int u = 0; u < units; u++)
            {
                clock.Restart();
                TrialRecord t = store.Claim("bench", "w", TimeSpan.FromSeconds(30), Propose) ?? throw new InvalidOperationException("nothing claimed");
                for (int e = 1; e <= 3; e++)
                {
                    store.Heartbeat("bench", t.Trial, "w");
                    store.RecordIntermediate("bench", t.Trial, "w", e, 0.5, null);
                }
                store.Finish("bench", t.Trial, "w", TrialStatus.Completed, 0.5, null, 0, null, null);
                times[u] = clock.Elapsed.TotalMilliseconds;
            }
            return times;
        }
        finally
        {
            TrialStores.Close(store);
        }
    }

    /// <summary>Per unit, ms: <see cref="SearchExperiment.WorkAsync"/> on a 0 ms objective (times from the trials' start events).</summary>
    private static double[] WorkerLoop(string location, int units)
    {
        ITrialStore store = TrialStores.Open(location);
        try
        {
            var search = new CheapSearch { UnitMilliseconds = 0 };
            SearchExperiment experiment = search.Experiment(store, "bench", units, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
            experiment.Enqueue();
            var starts = new List<double>();
            var clock = Stopwatch.StartNew();
            var progress = new SyncProgress(e => { if (e.Kind == SearchEventKind.Started) lock (starts) starts.Add(clock.Elapsed.TotalMilliseconds); });
            experiment.WorkAsync(progress: progress).GetAwaiter().GetResult();
            starts.Add(clock.Elapsed.TotalMilliseconds);
            return [.. starts.Zip(starts.Skip(1), (a, b) => b - a)];
        }
        finally
        {
            TrialStores.Close(store);
        }
    }

    /// <summary>Units per minute of <paramref name="workers"/> workers, each with its own store object, on one search.</summary>
    private static double UnitsPerMinute(string location, int workers, int units, int unitMs)
    {
        var opened = Enumerable.Range(0, workers + 1).Select(_ => TrialStores.Open(location)).ToArray();
        try
        {
            new CheapSearch().Experiment(opened[0], "scale", units, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)).Enqueue();
            var clock = Stopwatch.StartNew();
            double lastFinishMs = 0;
            var progress = new SyncProgress(e => { if (e.Kind == SearchEventKind.Finished) lock (opened) lastFinishMs = Math.Max(lastFinishMs, clock.Elapsed.TotalMilliseconds); });
            var runs = Enumerable.Range(1, workers).Select(i => new CheapSearch { UnitMilliseconds = unitMs }
                .Experiment(opened[i], "scale", units, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)).WorkAsync(progress: progress)).ToArray();
            Task.WaitAll(runs);
            // Until the last unit finished: a worker that found nothing left then waits a heartbeat for the others before it exits.
            double minutes = lastFinishMs / 60_000;
            int done = opened[0].LoadTrials("scale").Count(t => t.IsFinished);
            if (done != units) throw new InvalidOperationException($"{done} of {units} units finished");
            return units / minutes;
        }
        finally
        {
            foreach (var s in opened) TrialStores.Close(s);
        }
    }

    private static double Median(double[] v) => Percentile(v, 0.5);

    private static double Percentile(double[] v, double q)
    {
        var sorted = v.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(q * (sorted.Length - 1) + 0.5))];
    }

    private sealed class SyncProgress(Action<SearchEvent> report) : IProgress<SearchEvent>
    {
        public void Report(SearchEvent value) => report(value);
    }
}
