namespace MLCardiac.Search;

/// <summary>What one trial gets from the search: its configuration, budget, seed and a way to report progress.</summary>
public sealed class TrialContext
{
    private readonly Func<int, double, bool> _report;

    /// <summary>Creates a context; <paramref name="report"/> receives (epoch, metric) and says whether to continue.</summary>
    public TrialContext(int trial, ParameterAssignment parameters, int epochs, int seed, int threads, Func<int, double, bool> report)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(report);
        Trial = trial;
        Parameters = parameters;
        Epochs = epochs;
        Seed = seed;
        Threads = threads;
        _report = report;
    }

    /// <summary>Trial number within the search.</summary>
    public int Trial { get; }
    /// <summary>The configuration to evaluate.</summary>
    public ParameterAssignment Parameters { get; }
    /// <summary>Epoch budget of this trial (the <c>epochs</c> parameter when the space has one).</summary>
    public int Epochs { get; }
    /// <summary>Seed for every random choice of the trial (the same for every trial: differences come from the configuration).</summary>
    public int Seed { get; }
    /// <summary>Compute threads this trial may use (cores / concurrent trials); 0: the library default.</summary>
    public int Threads { get; }
    /// <summary>True once the scheduler has stopped this trial.</summary>
    public bool StopRequested { get; private set; }
    /// <summary>Last (epoch, metric) reported, if any.</summary>
    public (int Epoch, double Metric)? Last { get; private set; }

    /// <summary>
    /// Reports the metric after <paramref name="epoch"/> completed epochs (1-based). Returns false when the
    /// scheduler stops the trial; the objective should then return promptly.
    /// </summary>
    public bool Report(int epoch, double metric)
    {
        Last = (epoch, metric);
        if (StopRequested) return false;
        if (!_report(epoch, metric)) StopRequested = true;
        return !StopRequested;
    }
}
