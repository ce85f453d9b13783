using System.Text.Json;
using MLCardiac.Experiments;

namespace MLCardiac.Search;

/// <summary>
/// What <c>mlcardiac search</c> stores with a search so that <c>mlcardiac worker</c> on another machine rebuilds exactly the
/// same search: the pipeline file's text (workers need not have the file) and the command-line choices that shape the
/// search. Budget and concurrency are not here on purpose: each worker brings its own (<c>--budget</c>, <c>--concurrency</c>),
/// and the trial budget is checked against the store, over all workers.
/// </summary>
/// <remarks>
/// The pipeline is parsed under its original name (<see cref="PipelineFile"/>), so paths inside it (a dataset folder, a
/// profiles file) resolve as they did for the command that started the search: workers run from a folder with the same
/// layout (a checkout of the project, or the shared folder). The rebuilt search must have the stored fingerprint, or the
/// worker refuses to work on it.
/// </remarks>
public sealed record SearchManifest
{
    /// <summary>Format version of this record.</summary>
    public int Version { get; init; } = 1;
    /// <summary>The pipeline file as the command was given it.</summary>
    public required string PipelineFile { get; init; }
    /// <summary>The pipeline file's text.</summary>
    public required string PipelineJson { get; init; }
    /// <summary>The profile applied (<c>--profile</c>), if any.</summary>
    public string? Profile { get; init; }
    /// <summary>The dataset folder given with <c>--data</c>, if any.</summary>
    public string? Data { get; init; }
    /// <summary>The tuner given with <c>--tuner</c>, if any.</summary>
    public string? Tuner { get; init; }
    /// <summary>The tuner seed given with <c>--seed</c>, if any.</summary>
    public int? Seed { get; init; }
    /// <summary>The trial budget given with <c>--trials</c>, if any (over all runs and workers).</summary>
    public int? Trials { get; init; }

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The record as stored.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads the settings of search <paramref name="searchId"/> stored in <paramref name="location"/>.</summary>
    /// <exception cref="MLCardiacException">They are not a manifest (the search was created by an earlier release, or by code
    /// that stored other settings).</exception>
    public static SearchManifest FromJson(string json, string location, string searchId)
    {
        ArgumentNullException.ThrowIfNull(json);
        SearchManifest? manifest = null;
        try
        {
            if (json.Contains("\"pipelineJson\"", StringComparison.Ordinal)) manifest = JsonSerializer.Deserialize<SearchManifest>(json, Options);
        }
        catch (JsonException) { }
        if (manifest is null || manifest.Version != 1)
            throw new MLCardiacException($"{location}: search \"{searchId}\" does not carry the settings a worker needs (it was started by an earlier release or by a program other than `mlcardiac search`); start it again with `mlcardiac search … --store {location}`.");
        return manifest;
    }

    /// <summary>The search the pipeline declares (data not yet resolved: <see cref="SearchDefinition.ResolveData"/>).</summary>
    /// <exception cref="MLCardiacException">The stored pipeline is not a valid search pipeline.</exception>
    public SearchDefinition Definition() => SearchDefinition.FromExperiment(ExperimentLoader.Parse(PipelineJson, PipelineFile, Profile));
}
