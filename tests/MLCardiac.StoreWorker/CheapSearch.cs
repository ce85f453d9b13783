using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MLCardiac.Search;

namespace MLCardiac.StoreWorker;

/// <summary>
/// The search the trial-store tests and <c>bench store</c> distribute: one real parameter, the random tuner, and an objective
/// that only waits (<see cref="UnitMilliseconds"/> per trial, split over its epochs) — so what is measured and checked is the
/// store and the worker loop, not training. Built the same way in the registering process and in every worker process, so
/// all agree on the fingerprint.
/// </summary>
public sealed class CheapSearch : ITrialObjective
{
    /// <summary>Epochs of every trial (each reports an intermediate result).</summary>
    public const int Epochs = 3;

    /// <summary>The space: x in [0, 1]; the metric peaks at x = 0.3.</summary>
    public static SearchSpace Space { get; } = new([new SearchParameter { Name = "x", Kind = ParameterKind.Real, Min = 0, Max = 1, Default = 0.5 }]);

    /// <summary>Wall time of one trial, ms (a sleep: no CPU).</summary>
    public int UnitMilliseconds { get; init; } = 60;

    /// <summary>
    /// When set, every trial appends "start TRIAL PID" and "end TRIAL PID" lines to <c>LOGFILE.PID</c>: one file per process,
    /// because .NET appends by seeking to the end and writing there, so processes appending to one file can overwrite each
    /// other's lines (seen: 39 "end" lines for 40 units that the store had completed once each).
    /// </summary>
    public string? LogFile { get; init; }

    /// <summary>Evaluations per trial in this process.</summary>
    public ConcurrentDictionary<int, int> CallsPerTrial { get; } = new();

    /// <inheritdoc/>
    public string MetricName => "score";

    /// <inheritdoc/>
    public bool Maximize => true;

    /// <summary>
    /// The experiment over <paramref name="store"/>/<paramref name="searchId"/>: <paramref name="trials"/> trials, a heartbeat
    /// every <paramref name="heartbeat"/>, dead after <paramref name="staleAfter"/>, <paramref name="concurrency"/> trials at once.
    /// </summary>
    public SearchExperiment Experiment(ITrialStore store, string searchId, int trials, TimeSpan heartbeat, TimeSpan staleAfter, int concurrency = 1) =>
        new SearchExperiment(this)
            .SetSearchSpace(Space)
            .SetTuner(TunerKind.Random, seed: 11)
            .SetBudget(new SearchBudget(MaxTrials: trials))
            .SetEpochs(Epochs)
            .SetIncludeDefault(false)
            .SetHeartbeat(heartbeat, staleAfter)
            .SetConcurrency(concurrency, threadsPerTrial: 1)
            .SetStore(store, searchId);

    /// <inheritdoc/>
    public TrialEvaluation Evaluate(TrialContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        CallsPerTrial.AddOrUpdate(context.Trial, 1, (_, n) => n + 1);
        Log("start", context.Trial);
        double x = context.Parameters.GetDouble("x", 0.5);
        double value = 0;
        var clock = Stopwatch.StartNew();
        for (int e = 1; e <= context.Epochs; e++)
        {
            // Sleep to this epoch's share of the unit, measured from the start: store calls between epochs do not add up.
            int due = UnitMilliseconds * e / context.Epochs - (int)clock.ElapsedMilliseconds;
            if (due > 0 && cancellationToken.WaitHandle.WaitOne(due)) cancellationToken.ThrowIfCancellationRequested();
            value = (1 - (x - 0.3) * (x - 0.3)) * (1 - 0.5 / e);
            if (!context.Report(e, value)) break;
        }
        Log("end", context.Trial);
        return new TrialEvaluation(value);
    }

    private void Log(string what, int trial)
    {
        if (LogFile is not null)
            File.AppendAllText($"{LogFile}.{Environment.ProcessId}", string.Create(CultureInfo.InvariantCulture, $"{what} {trial} {Environment.ProcessId}\n"));
    }
}
