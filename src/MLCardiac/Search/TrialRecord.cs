namespace MLCardiac.Search;

/// <summary>One trial as stored.</summary>
public sealed record TrialRecord
{
    /// <summary>Trial number (0, 1, … in proposal order).</summary>
    public required int Trial { get; init; }
    /// <summary>Configuration.</summary>
    public required ParameterAssignment Parameters { get; init; }
    /// <summary>Who proposed it: "tuner" or "default" (the default pipeline, evaluated first when asked).</summary>
    public required string Origin { get; init; }
    /// <summary>Status.</summary>
    public required TrialStatus Status { get; init; }
    /// <summary>Position of the proposal in the search's event sequence (for replay).</summary>
    public required long ProposedSeq { get; init; }
    /// <summary>Position of the result in the event sequence; null until finished.</summary>
    public long? FinishedSeq { get; init; }
    /// <summary>Epoch budget.</summary>
    public int Epochs { get; init; }
    /// <summary>Final metric (the objective's, not negated); null until finished or when failed.</summary>
    public double? Metric { get; init; }
    /// <summary>Cost reported (seconds unless the objective has its own unit).</summary>
    public double? Cost { get; init; }
    /// <summary>Wall seconds of the last attempt.</summary>
    public double? Seconds { get; init; }
    /// <summary>Worker that ran (or runs) it.</summary>
    public string? Worker { get; init; }
    /// <summary>Attempts (1 normally; more when a dead worker's trial was retried).</summary>
    public int Attempts { get; init; }
    /// <summary>Error message of a failed trial.</summary>
    public string? Error { get; init; }
    /// <summary>Intermediate metric after each epoch (1-based epoch → metric).</summary>
    public IReadOnlyDictionary<int, double> Intermediate { get; init; } = new Dictionary<int, double>();
    /// <summary>Other metrics of the evaluation.</summary>
    public IReadOnlyDictionary<string, double> Details { get; init; } = new Dictionary<string, double>();
    /// <summary>
    /// What the finished trial wrote, as JSON the store keeps but does not read (a distributed study's unit: its result and
    /// the checksums of its files, <see cref="Experiments.UnitOutputs"/>); null for search trials.
    /// </summary>
    public string? Outputs { get; init; }
    /// <summary>UTC time of the last heartbeat (Unix ms).</summary>
    public long HeartbeatUnixMs { get; init; }

    /// <summary>True when the trial has a result (completed, stopped or failed).</summary>
    public bool IsFinished => Status is TrialStatus.Completed or TrialStatus.Stopped or TrialStatus.Failed;
}
