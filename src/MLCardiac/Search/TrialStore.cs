using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace MLCardiac.Search;

/// <summary>
/// Searches and their trials in one SQLite file (WAL journal), shared safely by several worker threads or
/// processes: every state change runs in an immediate (write-locking) transaction, so claiming a trial, recording
/// a rung result or finishing a trial is atomic across processes. Tables: <c>search</c> (id, settings
/// fingerprint and JSON, event counter), <c>trial</c> (parameters JSON, status, proposal/finish sequence numbers,
/// metric, cost, durations, worker, heartbeat, attempts, error, details JSON) and <c>trial_metric</c>
/// (intermediate metric per trial and epoch). A connection is opened per operation (pooled), so one store
/// object may be used from any thread.
/// </summary>
/// <remarks>
/// The file is the project's one embedded store: experiment tracking (<see cref="Tracking.RunStore"/>) keeps its
/// tables in the same database (default <c>reports/mlcardiac.db</c>), and a finished search is recorded there as a run.
/// </remarks>
public sealed class TrialStore
{
    private readonly string _connectionString;

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    /// <exception cref="MLCardiacException">The file cannot be opened as a SQLite database.</exception>
    public TrialStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        string? dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 60 }.ToString();
        try
        {
            using var c = Open();
            Execute(c, null, "PRAGMA journal_mode=WAL;");
            using var tx = c.BeginTransaction(deferred: false);
            Execute(c, tx, """
                CREATE TABLE IF NOT EXISTS search (
                  id TEXT PRIMARY KEY, created_utc TEXT NOT NULL, fingerprint TEXT NOT NULL, settings_json TEXT NOT NULL,
                  next_seq INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE IF NOT EXISTS trial (
                  search_id TEXT NOT NULL, trial INTEGER NOT NULL, params_json TEXT NOT NULL, origin TEXT NOT NULL,
                  status TEXT NOT NULL, proposed_seq INTEGER NOT NULL, finished_seq INTEGER, epochs INTEGER NOT NULL,
                  metric REAL, cost REAL, seconds REAL, worker TEXT, heartbeat_ms INTEGER NOT NULL DEFAULT 0,
                  started_utc TEXT, finished_utc TEXT, attempts INTEGER NOT NULL DEFAULT 0, error TEXT, details_json TEXT,
                  PRIMARY KEY (search_id, trial));
                CREATE TABLE IF NOT EXISTS trial_metric (
                  search_id TEXT NOT NULL, trial INTEGER NOT NULL, epoch INTEGER NOT NULL, value REAL NOT NULL,
                  PRIMARY KEY (search_id, trial, epoch));
                CREATE INDEX IF NOT EXISTS trial_status ON trial (search_id, status);
                """);
            tx.Commit();
        }
        catch (SqliteException e)
        {
            throw new MLCardiacException($"{path}: cannot open the trial store: {e.Message}", e);
        }
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>
    /// Creates search <paramref name="searchId"/>, or checks that the stored one has the same
    /// <paramref name="fingerprint"/> (space, tuner, seed, budget per trial…), so a resumed search continues
    /// exactly the search it claims to.
    /// </summary>
    /// <returns>True when the search already existed (a resume).</returns>
    /// <exception cref="MLCardiacException">The stored search was made with other settings.</exception>
    public bool EnsureSearch(string searchId, string fingerprint, string settingsJson)
    {
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        string? stored = Scalar(c, tx, "SELECT fingerprint FROM search WHERE id = $id", ("$id", searchId)) as string;
        if (stored is null)
        {
            Execute(c, tx, "INSERT INTO search (id, created_utc, fingerprint, settings_json) VALUES ($id, $t, $f, $s)",
                ("$id", searchId), ("$t", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)), ("$f", fingerprint), ("$s", settingsJson));
            tx.Commit();
            return false;
        }
        if (stored != fingerprint)
            throw new MLCardiacException($"{Path}: search \"{searchId}\" was started with other settings (search space, tuner, seed or objective); resume it with the same pipeline file and options, or use another --store or search id.");
        tx.Commit();
        return true;
    }

    /// <summary>The trials of <paramref name="searchId"/> in trial order, with their intermediate metrics.</summary>
    public IReadOnlyList<TrialRecord> LoadTrials(string searchId, SearchSpace? space = null)
    {
        using var c = Open();
        return LoadTrials(c, null, searchId, space);
    }

    /// <summary>
    /// Claims work for <paramref name="worker"/> in one immediate transaction: the lowest pending trial, else
    /// the lowest running trial whose heartbeat is older than <paramref name="staleBeforeUnixMs"/> (its worker
    /// died; its intermediate results are discarded), else a new trial from <paramref name="propose"/>, which
    /// sees the whole history and returns null when the budget allows no more trials.
    /// </summary>
    /// <returns>The claimed trial (status running), or null when there is nothing to do.</returns>
    public TrialRecord? Claim(string searchId, string worker, long staleBeforeUnixMs, Func<IReadOnlyList<TrialRecord>, NewTrial?> propose, SearchSpace? space = null)
    {
        ArgumentNullException.ThrowIfNull(propose);
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        var trials = LoadTrials(c, tx, searchId, space, intermediate: false);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        TrialRecord? claim = trials.FirstOrDefault(t => t.Status == TrialStatus.Pending)
            ?? trials.FirstOrDefault(t => t.Status == TrialStatus.Running && t.HeartbeatUnixMs < staleBeforeUnixMs);
        int trialNumber;
        if (claim is not null)
        {
            trialNumber = claim.Trial;
            Execute(c, tx, "DELETE FROM trial_metric WHERE search_id = $s AND trial = $t", ("$s", searchId), ("$t", trialNumber));
        }
        else
        {
            NewTrial? next = propose(trials);
            if (next is null) { tx.Commit(); return null; }
            trialNumber = trials.Count == 0 ? 0 : trials.Max(t => t.Trial) + 1;
            long seq = NextSeq(c, tx, searchId);
            Execute(c, tx, "INSERT INTO trial (search_id, trial, params_json, origin, status, proposed_seq, epochs) VALUES ($s, $t, $p, $o, 'pending', $q, $e)",
                ("$s", searchId), ("$t", trialNumber), ("$p", next.Parameters.ToJson()), ("$o", next.Origin), ("$q", seq), ("$e", next.Epochs));
        }
        Execute(c, tx, "UPDATE trial SET status = 'running', worker = $w, heartbeat_ms = $h, started_utc = $u, attempts = attempts + 1, error = NULL WHERE search_id = $s AND trial = $t",
            ("$s", searchId), ("$t", trialNumber), ("$w", worker), ("$h", now), ("$u", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
        var result = LoadTrials(c, tx, searchId, space, intermediate: false, onlyTrial: trialNumber)[0];
        tx.Commit();
        return result;
    }

    /// <summary>Refreshes the heartbeat of a trial <paramref name="worker"/> runs; false when the worker lost it.</summary>
    public bool Heartbeat(string searchId, int trial, string worker)
    {
        using var c = Open();
        return Execute(c, null, "UPDATE trial SET heartbeat_ms = $h WHERE search_id = $s AND trial = $t AND worker = $w AND status = 'running'",
            ("$h", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$s", searchId), ("$t", trial), ("$w", worker)) == 1;
    }

    /// <summary>
    /// Records the metric after <paramref name="epoch"/> epochs and, when <paramref name="decide"/> is given (a
    /// rung), decides in the same transaction whether the trial continues, from the values other trials
    /// recorded at that epoch before. Returns false when the trial must stop (or the worker lost it).
    /// </summary>
    public bool RecordIntermediate(string searchId, int trial, string worker, int epoch, double value, Func<IReadOnlyList<double>, bool>? decide)
    {
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        object? owner = Scalar(c, tx, "SELECT worker FROM trial WHERE search_id = $s AND trial = $t AND status = 'running'", ("$s", searchId), ("$t", trial));
        if (owner as string != worker) { tx.Commit(); return false; }
        bool go = true;
        if (decide is not null)
        {
            var others = new List<double>();
            using (var cmd = Command(c, tx, "SELECT value FROM trial_metric WHERE search_id = $s AND epoch = $e AND trial <> $t ORDER BY trial", ("$s", searchId), ("$e", epoch), ("$t", trial)))
            using (var r = cmd.ExecuteReader())
                while (r.Read()) others.Add(r.GetDouble(0));
            go = decide(others);
        }
        Execute(c, tx, "INSERT OR REPLACE INTO trial_metric (search_id, trial, epoch, value) VALUES ($s, $t, $e, $v)",
            ("$s", searchId), ("$t", trial), ("$e", epoch), ("$v", double.IsNaN(value) ? null : value));
        Execute(c, tx, "UPDATE trial SET heartbeat_ms = $h WHERE search_id = $s AND trial = $t", ("$h", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$s", searchId), ("$t", trial));
        tx.Commit();
        return go;
    }

    /// <summary>Stores the result of a trial <paramref name="worker"/> ran; false when the worker had lost it (nothing written).</summary>
    public bool Finish(string searchId, int trial, string worker, TrialStatus status, double? metric, double? cost, double seconds,
        IReadOnlyDictionary<string, double>? details, string? error)
    {
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        object? owner = Scalar(c, tx, "SELECT worker FROM trial WHERE search_id = $s AND trial = $t AND status = 'running'", ("$s", searchId), ("$t", trial));
        if (owner as string != worker) { tx.Commit(); return false; }
        long seq = NextSeq(c, tx, searchId);
        Execute(c, tx, """
            UPDATE trial SET status = $st, finished_seq = $q, metric = $m, cost = $c, seconds = $sec, details_json = $d, error = $err,
              finished_utc = $u WHERE search_id = $s AND trial = $t
            """,
            ("$st", status.ToString().ToLowerInvariant()), ("$q", seq), ("$m", metric is double m && !double.IsNaN(m) ? m : null), ("$c", cost), ("$sec", seconds),
            ("$d", details is null ? null : JsonSerializer.Serialize(details.Where(kv => double.IsFinite(kv.Value)).ToDictionary())), ("$err", error),
            ("$u", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)), ("$s", searchId), ("$t", trial));
        tx.Commit();
        return true;
    }

    /// <summary>Puts a running trial back to pending (its worker was cancelled); its intermediate results are discarded.</summary>
    public void Release(string searchId, int trial, string worker)
    {
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        if (Execute(c, tx, "UPDATE trial SET status = 'pending', worker = NULL WHERE search_id = $s AND trial = $t AND worker = $w AND status = 'running'",
            ("$s", searchId), ("$t", trial), ("$w", worker)) == 1)
            Execute(c, tx, "DELETE FROM trial_metric WHERE search_id = $s AND trial = $t", ("$s", searchId), ("$t", trial));
        tx.Commit();
    }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        Execute(c, null, "PRAGMA busy_timeout = 60000; PRAGMA synchronous = NORMAL;");
        return c;
    }

    private static long NextSeq(SqliteConnection c, SqliteTransaction tx, string searchId)
    {
        long seq = Convert.ToInt64(Scalar(c, tx, "SELECT next_seq FROM search WHERE id = $s", ("$s", searchId))
            ?? throw new MLCardiacException($"Search \"{searchId}\" is not in the store."), CultureInfo.InvariantCulture);
        Execute(c, tx, "UPDATE search SET next_seq = next_seq + 1 WHERE id = $s", ("$s", searchId));
        return seq;
    }

    /// <summary>One trial of <paramref name="searchId"/> with its intermediate metrics.</summary>
    /// <exception cref="MLCardiacException">The trial does not exist.</exception>
    public TrialRecord LoadTrial(string searchId, int trial, SearchSpace? space = null)
    {
        using var c = Open();
        var list = LoadTrials(c, null, searchId, space, intermediate: true, onlyTrial: trial);
        return list.Count == 1 ? list[0] : throw new MLCardiacException($"{Path}: search \"{searchId}\" has no trial {trial}.");
    }

    private static List<TrialRecord> LoadTrials(SqliteConnection c, SqliteTransaction? tx, string searchId, SearchSpace? space, bool intermediate = true, int? onlyTrial = null)
    {
        var metrics = new Dictionary<int, Dictionary<int, double>>();
        string only = onlyTrial is null ? "" : " AND trial = $t";
        if (intermediate)
        using (var cmd = Command(c, tx, "SELECT trial, epoch, value FROM trial_metric WHERE search_id = $s" + only + " ORDER BY trial, epoch", ("$s", searchId), ("$t", onlyTrial)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                int t = r.GetInt32(0);
                if (!metrics.TryGetValue(t, out var m)) metrics[t] = m = [];
                m[r.GetInt32(1)] = r.GetDouble(2);
            }
        var list = new List<TrialRecord>();
        using (var cmd = Command(c, tx,
            "SELECT trial, params_json, origin, status, proposed_seq, finished_seq, epochs, metric, cost, seconds, worker, attempts, error, details_json, heartbeat_ms " +
            "FROM trial WHERE search_id = $s" + only + " ORDER BY trial", ("$s", searchId), ("$t", onlyTrial)))
        using (var r = cmd.ExecuteReader())
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
                    Intermediate = metrics.TryGetValue(t, out var m) ? m : new Dictionary<int, double>(),
                });
            }
        return list;
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static int Execute(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        object? v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }
}

/// <summary>A trial a proposer wants added to the store.</summary>
/// <param name="Parameters">Configuration.</param>
/// <param name="Origin">"tuner" or "default".</param>
/// <param name="Epochs">Epoch budget.</param>
public sealed record NewTrial(ParameterAssignment Parameters, string Origin, int Epochs);
