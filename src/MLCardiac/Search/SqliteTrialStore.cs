using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace MLCardiac.Search;

/// <summary>
/// The embedded <see cref="ITrialStore"/>: searches and their trials in one SQLite file (WAL journal), shared safely by several worker threads or
/// processes: every state change runs in an immediate (write-locking) transaction, so claiming a trial, recording
/// a rung result or finishing a trial is atomic across processes. Tables: <c>search</c> (id, settings
/// fingerprint and JSON, event counter), <c>trial</c> (parameters JSON, status, proposal/finish sequence numbers,
/// metric, cost, durations, worker, heartbeat, attempts, error, details JSON), <c>trial_metric</c>
/// (intermediate metric per trial and epoch) and <c>trial_store_schema</c> (<see cref="TrialStoreSchema"/>). A connection is opened per operation (pooled), so one store
/// object may be used from any thread.
/// </summary>
/// <remarks>
/// The file is the project's one embedded store: experiment tracking (<see cref="Tracking.RunStore"/>) keeps its
/// tables in the same database (default <c>reports/mlcardiac.db</c>), and a finished search is recorded there as a run.
/// Every transaction takes SQLite's one write lock, which is what serialises claims and proposals here; heartbeats use this
/// machine's clock (all workers share it). Searches that span machines use <see cref="PostgresTrialStore"/>.
/// </remarks>
public sealed class SqliteTrialStore : ITrialStore
{
    private readonly string _connectionString;

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    /// <exception cref="MLCardiacException">The file cannot be opened as a SQLite database.</exception>
    public SqliteTrialStore(string path)
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
                CREATE TABLE IF NOT EXISTS trial_store_schema (version INTEGER NOT NULL);
                """);
            object? version = Scalar(c, tx, "SELECT version FROM trial_store_schema LIMIT 1");
            // The tables above are version 1, as is a store written before the schema was versioned; then each migration step.
            int stored = version is null ? 1 : Convert.ToInt32(version, CultureInfo.InvariantCulture);
            TrialStoreSchema.Check(stored, path);
            if (stored < 2) Execute(c, tx, TrialStoreSchema.Migration);
            if (version is null) Execute(c, tx, "INSERT INTO trial_store_schema (version) VALUES ($v)", ("$v", TrialStoreSchema.Version));
            else if (stored < TrialStoreSchema.Version) Execute(c, tx, "UPDATE trial_store_schema SET version = $v", ("$v", TrialStoreSchema.Version));
            tx.Commit();
        }
        catch (SqliteException e)
        {
            throw new MLCardiacException($"{path}: cannot open the trial store: {e.Message}", e);
        }
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public string Location => Path;

    /// <inheritdoc/>
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
            throw new MLCardiacException(TrialStoreSchema.OtherSettings(Path, searchId));
        tx.Commit();
        return true;
    }

    /// <inheritdoc/>
    public StoredSearch? LoadSearch(string searchId)
    {
        using var c = Open();
        using var cmd = Command(c, null, "SELECT id, created_utc, fingerprint, settings_json, next_seq FROM search WHERE id = $id", ("$id", searchId));
        using var r = cmd.ExecuteReader();
        return r.Read() ? new StoredSearch(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4)) : null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ListSearches()
    {
        using var c = Open();
        using var cmd = Command(c, null, "SELECT id FROM search ORDER BY id");
        using var r = cmd.ExecuteReader();
        var ids = new List<string>();
        while (r.Read()) ids.Add(r.GetString(0));
        return ids;
    }

    /// <inheritdoc/>
    public IReadOnlyList<TrialRecord> LoadTrials(string searchId, SearchSpace? space = null)
    {
        using var c = Open();
        return LoadTrials(c, null, searchId, space);
    }

    /// <inheritdoc/>
    /// <remarks>One immediate transaction: SQLite's write lock serialises it with every other change of the file.</remarks>
    public TrialRecord? Claim(string searchId, string worker, TimeSpan staleAfter, Func<IReadOnlyList<TrialRecord>, NewTrial?> propose, SearchSpace? space = null)
    {
        ArgumentNullException.ThrowIfNull(propose);
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        var trials = LoadTrials(c, tx, searchId, space, intermediate: false);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long staleBeforeUnixMs = now - TrialStoreSchema.Milliseconds(staleAfter, now);
        TrialRecord? held = trials.FirstOrDefault(t => t.Status == TrialStatus.Running && t.Worker == worker);
        if (held is not null) { tx.Commit(); return held; }
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

    /// <inheritdoc/>
    public bool Heartbeat(string searchId, int trial, string worker)
    {
        using var c = Open();
        return Execute(c, null, "UPDATE trial SET heartbeat_ms = $h WHERE search_id = $s AND trial = $t AND worker = $w AND status = 'running'",
            ("$h", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$s", searchId), ("$t", trial), ("$w", worker)) == 1;
    }

    /// <inheritdoc/>
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

    /// <inheritdoc/>
    public bool Finish(string searchId, int trial, string worker, TrialStatus status, double? metric, double? cost, double seconds,
        IReadOnlyDictionary<string, double>? details, string? errorMessage, string? outputs = null)
    {
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        object? owner = Scalar(c, tx, "SELECT worker FROM trial WHERE search_id = $s AND trial = $t AND status = 'running'", ("$s", searchId), ("$t", trial));
        if (owner as string != worker) { tx.Commit(); return false; }
        long seq = NextSeq(c, tx, searchId);
        Execute(c, tx, """
            UPDATE trial SET status = $st, finished_seq = $q, metric = $m, cost = $c, seconds = $sec, details_json = $d, error = $err, outputs_json = $out,
              finished_utc = $u WHERE search_id = $s AND trial = $t
            """,
            ("$st", status.ToString().ToLowerInvariant()), ("$q", seq), ("$m", metric is double m && !double.IsNaN(m) ? m : null), ("$c", cost), ("$sec", seconds),
            ("$d", details is null ? null : JsonSerializer.Serialize(details.Where(kv => double.IsFinite(kv.Value)).ToDictionary())), ("$err", errorMessage), ("$out", outputs),
            ("$u", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)), ("$s", searchId), ("$t", trial));
        tx.Commit();
        return true;
    }

    /// <inheritdoc/>
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

    /// <inheritdoc/>
    public void Import(StoredSearch search, IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(trials);
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        if (Scalar(c, tx, "SELECT 1 FROM search WHERE id = $id", ("$id", search.Id)) is not null)
            throw new MLCardiacException($"{Path}: already has a search \"{search.Id}\"; copy it to another store or delete it there first.");
        Execute(c, tx, "INSERT INTO search (id, created_utc, fingerprint, settings_json, next_seq) VALUES ($id, $t, $f, $s, $q)",
            ("$id", search.Id), ("$t", search.CreatedUtc), ("$f", search.Fingerprint), ("$s", search.SettingsJson), ("$q", search.NextSeq));
        foreach (TrialRecord t in trials)
        {
            var row = TrialStoreSchema.ImportRow(t);
            Execute(c, tx, """
                INSERT INTO trial (search_id, trial, params_json, origin, status, proposed_seq, finished_seq, epochs, metric, cost, seconds, worker,
                  heartbeat_ms, attempts, error, details_json, outputs_json) VALUES ($s, $t, $p, $o, $st, $q, $fq, $e, $m, $c, $sec, $w, $h, $a, $err, $d, $out)
                """,
                ("$s", search.Id), ("$t", t.Trial), ("$p", t.Parameters.ToJson()), ("$o", t.Origin), ("$st", row.Status), ("$q", t.ProposedSeq),
                ("$fq", t.FinishedSeq), ("$e", t.Epochs), ("$m", t.Metric), ("$c", t.Cost), ("$sec", t.Seconds), ("$w", row.Worker),
                ("$h", t.HeartbeatUnixMs), ("$a", t.Attempts), ("$err", t.Error), ("$d", row.DetailsJson), ("$out", t.Outputs));
            if (row.KeepIntermediate)
                foreach (var (epoch, value) in t.Intermediate)
                    Execute(c, tx, "INSERT INTO trial_metric (search_id, trial, epoch, value) VALUES ($s, $t, $e, $v)",
                        ("$s", search.Id), ("$t", t.Trial), ("$e", epoch), ("$v", value));
        }
        tx.Commit();
    }

    /// <inheritdoc/>
    public TrialRecord LoadTrial(string searchId, int trial, SearchSpace? space = null)
    {
        using var c = Open();
        var list = LoadTrials(c, null, searchId, space, intermediate: true, onlyTrial: trial);
        return list.Count == 1 ? list[0] : throw new MLCardiacException($"{Path}: search \"{searchId}\" has no trial {trial}.");
    }

    private static List<TrialRecord> LoadTrials(SqliteConnection c, SqliteTransaction? tx, string searchId, SearchSpace? space, bool intermediate = true, int? onlyTrial = null)
    {
        string only = onlyTrial is null ? "" : " AND trial = $t";
        var metrics = new Dictionary<int, Dictionary<int, double>>();
        if (intermediate)
        {
            using var cmd = Command(c, tx, "SELECT trial, epoch, value FROM trial_metric WHERE search_id = $s" + only + " ORDER BY trial, epoch", ("$s", searchId), ("$t", onlyTrial));
            using var r = cmd.ExecuteReader();
            metrics = TrialStoreSchema.ReadMetrics(r);
        }
        using (var cmd = Command(c, tx, $"SELECT {TrialStoreSchema.TrialColumns} FROM trial WHERE search_id = $s" + only + " ORDER BY trial", ("$s", searchId), ("$t", onlyTrial)))
        using (var r = cmd.ExecuteReader())
            return TrialStoreSchema.ReadTrials(r, space, metrics);
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
