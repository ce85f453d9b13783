using System.Text.Json;

namespace MLCardiac.Search;

/// <summary>
/// What the two trial stores share besides <see cref="ITrialStore"/>: the schema version both write (table
/// <c>trial_store_schema</c>), the migration check, and the messages and conversions that must read the same on both.
/// </summary>
/// <remarks>
/// Version 1 is the schema of <see cref="SqliteTrialStore"/> as first released (tables <c>search</c>, <c>trial</c>,
/// <c>trial_metric</c>); stores written before the version table existed hold exactly it and are stamped 1 when opened. A
/// later version adds its migration step to both stores and raises <see cref="Version"/>; a build refuses a store written
/// by a newer one instead of guessing at columns it does not know.
/// </remarks>
public static class TrialStoreSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>Checks the version <paramref name="stored"/> read from <paramref name="location"/>.</summary>
    /// <exception cref="MLCardiacException">The store was written by a newer build (or is damaged).</exception>
    public static void Check(int stored, string location)
    {
        if (stored > Version)
            throw new MLCardiacException($"{location}: trial store schema version {stored} was written by a newer MLCardiac; this build reads version {Version} (upgrade MLCardiac on this machine).");
        if (stored < 1)
            throw new MLCardiacException($"{location}: trial store schema version {stored} is not a version MLCardiac ever wrote.");
    }

    /// <summary>The message for a search id that the store holds with another fingerprint.</summary>
    public static string OtherSettings(string location, string searchId) =>
        $"{location}: search \"{searchId}\" was started with other settings (search space, tuner, seed or objective); resume it with the same pipeline file and options, or use another --store or search id.";

    /// <summary>
    /// <paramref name="staleAfter"/> in whole milliseconds, capped at <paramref name="nowUnixMs"/> so that
    /// <see cref="TimeSpan.MaxValue"/> reads as "never stale" instead of overflowing.
    /// </summary>
    public static long Milliseconds(TimeSpan staleAfter, long nowUnixMs) =>
        staleAfter <= TimeSpan.Zero ? 0 : staleAfter.TotalMilliseconds >= nowUnixMs ? nowUnixMs : (long)staleAfter.TotalMilliseconds;

    /// <summary>
    /// How <paramref name="trial"/> is written by an import: a running trial becomes pending without worker or intermediate
    /// results (its worker writes to the old store), the rest as they are.
    /// </summary>
    internal static (string Status, string? Worker, string? DetailsJson, bool KeepIntermediate) ImportRow(TrialRecord trial)
    {
        bool running = trial.Status == TrialStatus.Running;
        string? details = trial.IsFinished && trial.Details.Count > 0 ? JsonSerializer.Serialize(trial.Details) : null;
        return running
            ? ("pending", null, details, false)
            : (trial.Status.ToString().ToLowerInvariant(), trial.Worker, details, true);
    }

    /// <summary>The details JSON a finished trial stores: finite values only (JSON has no NaN).</summary>
    internal static string? DetailsJson(IReadOnlyDictionary<string, double>? details) =>
        details is null ? null : JsonSerializer.Serialize(details.Where(kv => double.IsFinite(kv.Value)).ToDictionary());
}
