namespace MLCardiac.Experiments;

/// <summary>Where an experiment's data comes from (<c>data</c>): the synthetic generator (default) or a folder on disk.</summary>
public sealed record DataSourceDefinition
{
    /// <summary>"synthetic" (default: generated into a cache folder) or "path" (an existing dataset folder).</summary>
    public string Source { get; init; } = "synthetic";
    /// <summary>Dataset folder when <see cref="Source"/> is "path" (relative paths are resolved against the working directory).</summary>
    public string? Path { get; init; }
    /// <summary>Expected layout when <see cref="Source"/> is "path": auto (detect), mnms, mnms2, acdc or folder.</summary>
    public string Layout { get; init; } = "auto";
    /// <summary>Generator parameters when <see cref="Source"/> is "synthetic".</summary>
    public SyntheticDataDefinition Synthetic { get; init; } = new();
}
