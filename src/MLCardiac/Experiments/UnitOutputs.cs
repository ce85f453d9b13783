using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MLCardiac.Experiments;

/// <summary>
/// What a finished unit of a distributed study wrote, recorded in the trial store with the unit's result
/// (<see cref="Search.TrialRecord.Outputs"/>): its result JSON and the resolved experiment it ran, byte for byte, and the
/// SHA-256 of every file it left in the artifact folders (its <c>model.zip</c> and its <c>result.json</c>; a fold unit's
/// <c>fold-K/model.zip</c> and <c>fold-K/fold.json</c>). The report is
/// assembled from these records (<see cref="DistributedStudy.Results"/>): the results come from the store, and every model
/// file is checked against its checksum first, so a report never stands on a missing, damaged or overwritten model.
/// </summary>
/// <remarks>
/// Paths are relative to the study's artifact roots and start with <see cref="ModelsPrefix"/> or <see cref="ReportsPrefix"/>
/// (<see cref="StudySettings.ModelsRoot"/>, <see cref="StudySettings.ReportsRoot"/>), so every machine resolves them against
/// the roots the store names, not against its own working folder.
/// </remarks>
public sealed record UnitOutputs
{
    /// <summary>Prefix of a path under <see cref="StudySettings.ModelsRoot"/>.</summary>
    public const string ModelsPrefix = "models/";
    /// <summary>Prefix of a path under <see cref="StudySettings.ReportsRoot"/>.</summary>
    public const string ReportsPrefix = "reports/";

    /// <summary>The unit (<see cref="ExperimentRunner.Units"/>).</summary>
    public required string Unit { get; init; }
    /// <summary>The resolved experiment the unit ran (the report folder's <c>experiment.json</c>).</summary>
    public required string Experiment { get; init; }
    /// <summary>The unit's result (<see cref="ArmRunResult"/>, <see cref="FoldRunResult"/> or <see cref="VendorClassifierResult"/>), as its result file holds it.</summary>
    public required string Result { get; init; }
    /// <summary>The files the unit wrote, with their checksums.</summary>
    public required IReadOnlyList<ArtifactFile> Files { get; init; }

    /// <summary>
    /// Reads what <paramref name="runner"/> wrote for <paramref name="unit"/> (the run's files are complete: each was written
    /// atomically) and checksums it.
    /// </summary>
    /// <exception cref="MLCardiacException">A file the unit must leave is missing.</exception>
    public static UnitOutputs Collect(ExperimentRunner runner, ExperimentDefinition experiment, string unit)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var (model, result) = runner.UnitFiles(experiment, unit);
        string experimentFile = Path.Combine(runner.ReportDirectory(experiment), StudyResults.ExperimentFile);
        return new UnitOutputs
        {
            Unit = unit,
            Experiment = ReadText(experimentFile),
            Result = ReadText(result),
            Files = [Describe(runner.Options, model, ArtifactFile.ModelKind), Describe(runner.Options, result, ArtifactFile.ResultKind)],
        };
    }

    /// <summary>The record as stored.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, StudyResults.Json);

    /// <summary>Reads a stored record of unit <paramref name="unit"/> of <paramref name="studyId"/> in <paramref name="location"/>.</summary>
    /// <exception cref="MLCardiacException">There is none (a unit completed by an older build), or it cannot be read.</exception>
    public static UnitOutputs FromJson(string? json, string location, string studyId, string unit)
    {
        if (json is null)
            throw new MLCardiacException($"{location}: unit \"{unit}\" of \"{studyId}\" has no recorded outputs (it was completed by an older MLCardiac); run the study again in a new store.");
        try
        {
            return JsonSerializer.Deserialize<UnitOutputs>(json, StudyResults.Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new MLCardiacException($"{location}: the recorded outputs of unit \"{unit}\" of \"{studyId}\" cannot be read ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Checks the record against the files under the study's roots: every file under the models root must exist with its
    /// recorded SHA-256; a result file under the reports root must match it where it exists (it may be gone with a deleted
    /// report folder: its bytes are in the store, and they must match the recorded checksum too).
    /// </summary>
    /// <exception cref="MLCardiacException">One line naming the file (or the store's copy) that is missing or differs.</exception>
    public void Verify(StudySettings settings, string location)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (ArtifactFile file in Files)
        {
            string path = file.Resolve(settings);
            bool model = file.Path.StartsWith(ModelsPrefix, StringComparison.Ordinal);
            if (file.Kind == ArtifactFile.ResultKind && Sha256(Encoding.UTF8.GetBytes(Result)) != file.Sha256)
                throw new MLCardiacException($"{location}: the stored result of unit \"{Unit}\" does not match the SHA-256 recorded for {file.Path}; the store's copy is damaged.");
            if (!File.Exists(path))
            {
                if (model) throw new MLCardiacException($"{path}: missing; unit \"{Unit}\" recorded it in {location} (SHA-256 {file.Sha256[..12]}…).");
                continue;
            }
            string actual = Sha256(path);
            if (actual != file.Sha256)
                throw new MLCardiacException($"{path}: SHA-256 {actual[..12]}… differs from the {file.Sha256[..12]}… unit \"{Unit}\" recorded in {location}; the file was changed or overwritten after the unit finished.");
        }
    }

    /// <summary>The SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static ArtifactFile Describe(ExperimentRunOptions roots, string path, string kind)
    {
        if (!File.Exists(path)) throw new MLCardiacException($"{path}: missing after its unit finished.");
        string full = Path.GetFullPath(path), models = Path.GetFullPath(roots.ModelsRoot);
        bool underModels = full.StartsWith(models.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        string relative = Path.GetRelativePath(underModels ? models : Path.GetFullPath(roots.ReportsRoot), full).Replace('\\', '/');
        return new ArtifactFile((underModels ? ModelsPrefix : ReportsPrefix) + relative, Sha256(path), new FileInfo(path).Length, kind);
    }

    private static string ReadText(string path) =>
        File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8) : throw new MLCardiacException($"{path}: missing after its unit finished.");
}

/// <summary>One file a unit wrote.</summary>
/// <param name="Path">Relative to the study's artifact roots: <c>models/…</c> or <c>reports/…</c>.</param>
/// <param name="Sha256">SHA-256 of its bytes, lower-case hex.</param>
/// <param name="Bytes">Its length.</param>
/// <param name="Kind"><see cref="ModelKind"/> or <see cref="ResultKind"/> (the file whose bytes <see cref="UnitOutputs.Result"/> holds).</param>
public sealed record ArtifactFile(string Path, string Sha256, long Bytes, string Kind)
{
    /// <summary>A saved pipeline.</summary>
    public const string ModelKind = "model";
    /// <summary>The unit's result file.</summary>
    public const string ResultKind = "result";

    /// <summary>The file's path on this machine, under <paramref name="settings"/>' roots.</summary>
    public string Resolve(StudySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Path.StartsWith(UnitOutputs.ModelsPrefix, StringComparison.Ordinal)
            ? System.IO.Path.Combine(settings.ModelsRoot, Path[UnitOutputs.ModelsPrefix.Length..])
            : System.IO.Path.Combine(settings.ReportsRoot, Path[UnitOutputs.ReportsPrefix.Length..]);
    }
}
