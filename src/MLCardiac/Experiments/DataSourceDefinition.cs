using System.Text.Json.Serialization;

namespace MLCardiac.Experiments;

/// <summary>
/// One source of an experiment's data (<c>data</c>, or one element of a <c>data</c> array): the synthetic generator
/// (default) or a folder on disk, with the name a split and the report call it by.
/// </summary>
public sealed record DataSourceDefinition
{
    /// <summary>
    /// The source's name (<c>name</c>; letters, digits, '-', '_'; unique in the file). Null for a single <c>data</c> object
    /// that gives none (kept out of the JSON, so the study's fingerprints stay as before); <see cref="Label"/> is then derived.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }
    /// <summary>"synthetic" (default: generated into a cache folder) or "path" (an existing dataset folder).</summary>
    public string Source { get; init; } = "synthetic";
    /// <summary>Dataset folder when <see cref="Source"/> is "path" (relative paths are resolved against the working directory).</summary>
    public string? Path { get; init; }
    /// <summary>Expected layout when <see cref="Source"/> is "path": auto (detect), mnms, mnms2, acdc or folder.</summary>
    public string Layout { get; init; } = "auto";
    /// <summary>Generator parameters when <see cref="Source"/> is "synthetic".</summary>
    public SyntheticDataDefinition Synthetic { get; init; } = new();

    /// <summary>The name the study uses: <see cref="Name"/>, else "synthetic", else the layout (or "path" when it is auto).</summary>
    [JsonIgnore]
    public string Label => Name ?? DefaultName(Source, Layout);

    /// <summary>The name a source gets when the file gives none: "synthetic", the layout, or "path" for an auto-detected folder.</summary>
    public static string DefaultName(string source, string layout) => source == "synthetic" ? "synthetic" : layout == "auto" ? "path" : layout;
}
