using System.Data.Common;
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
/// by a newer one instead of guessing at columns it does not know. Version 2 adds <c>trial.outputs_json</c>: what a finished
/// unit of a distributed study wrote, with checksums (<see cref="TrialRecord.Outputs"/>); a version-1 store is migrated when
/// a version-2 build opens it (<see cref="Migration"/>).
/// </remarks>
public static class TrialStoreSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int Version = 2;

    /// <summary>The statement that takes a version-1 store to version 2 (the same on SQLite and PostgreSQL).</summary>
    internal const string Migration = "ALTER TABLE trial ADD COLUMN outputs_json TEXT";

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

    /// <summary>The columns <see cref="ReadTrials"/> expects, in order, for a <c>SELECT … FROM trial</c> on either store.</summary>
    internal const string TrialColumns = "trial, params_json, origin, status, proposed_seq, finished_seq, epochs, metric, cost, seconds, worker, attempts, error, details_json, heartbeat_ms, outputs_json";

    /// <summary>The intermediate metrics of <c>SELECT trial, epoch, value FROM trial_metric …</c>, per trial and epoch.</summary>
    internal static Dictionary<int, Dictionary<int, double>> ReadMetrics(DbDataReader r)
    {
        var metrics = new Dictionary<int, Dictionary<int, double>>();
        while (r.Read())
        {
            int t = r.GetInt32(0);
            if (!metrics.TryGetValue(t, out var m)) metrics[t] = m = [];
            m[r.GetInt32(1)] = r.GetDouble(2);
        }
        return metrics;
    }

    /// <summary>The trials of a <c>SELECT <see cref="TrialColumns"/> FROM trial …</c>, with their intermediate <paramref name="metrics"/>.</summary>
    internal static List<TrialRecord> ReadTrials(DbDataReader r, SearchSpace? space, IReadOnlyDictionary<int, Dictionary<int, double>> metrics)
    {
        var list = new List<TrialRecord>();
        while (r.Read())
        {
            int t = r.GetInt32(0);
            list.Add(new TrialRecord
            {
                Trial = t,
                Parameters = ParameterAssignment.FromJson(r.GetString(1), space),
                Origin = r.GetString(2),
                Status = Enum.Parse<TrialStatus>(r.GetString(3), ignoreCase: true),
                ProposedSeq = r.GetInt64(4),
                FinishedSeq = r.IsDBNull(5) ? null : r.GetInt64(5),
                Epochs = r.GetInt32(6),
                Metric = r.IsDBNull(7) ? null : r.GetDouble(7),
                Cost = r.IsDBNull(8) ? null : r.GetDouble(8),
                Seconds = r.IsDBNull(9) ? null : r.GetDouble(9),
                Worker = r.IsDBNull(10) ? null : r.GetString(10),
                Attempts = r.GetInt32(11),
                Error = r.IsDBNull(12) ? null : r.GetString(12),
                Details = r.IsDBNull(13) ? new Dictionary<string, double>() : JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(13)) ?? [],
                HeartbeatUnixMs = r.GetInt64(14),
                Outputs = r.IsDBNull(15) ? null : r.GetString(15),
                Intermediate = metrics.TryGetValue(t, out var m) ? m : new Dictionary<int, double>(),
            });
        }
        return list;
    }
}
