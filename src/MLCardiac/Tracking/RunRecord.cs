namespace MLCardiac.Tracking;

/// <summary>One tracked run: what ran, with which parameters, what it measured, what it wrote and how long it took.</summary>
public sealed record RunRecord
{
    /// <summary>Store id (0 before the run is recorded).</summary>
    public long Id { get; init; }
    /// <summary>Kind of run ("study", "train", ...).</summary>
    public required string Kind { get; init; }
    /// <summary>Name (the experiment id).</summary>
    public required string Name { get; init; }
    /// <summary>Profile applied, or null.</summary>
    public string? Profile { get; init; }
    /// <summary>Definition file or command that started it.</summary>
    public string? Source { get; init; }
    /// <summary>"finished", "failed" or "cancelled".</summary>
    public string Status { get; init; } = "finished";
    /// <summary>Start, UTC.</summary>
    public DateTime StartedUtc { get; init; }
    /// <summary>End, UTC.</summary>
    public DateTime FinishedUtc { get; init; }
    /// <summary>Parameters as flattened keys (<c>arms.unet-heavy.training.epochs</c>) and text values.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    /// <summary>Metrics by key (<c>unet-heavy.unseen.dice</c>).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Timings by key, s.</summary>
    public IReadOnlyDictionary<string, double> TimingsSeconds { get; init; } = new Dictionary<string, double>();
    /// <summary>Files the run wrote: name → path.</summary>
    public IReadOnlyDictionary<string, string> Artifacts { get; init; } = new Dictionary<string, string>();
}
