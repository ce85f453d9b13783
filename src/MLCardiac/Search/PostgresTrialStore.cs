using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace MLCardiac.Search;

/// <summary>
/// The served <see cref="ITrialStore"/>: searches and their trials in a PostgreSQL database (through Npgsql), so workers on
/// many machines share one search. Same tables and semantics as <see cref="SqliteTrialStore"/>; what SQLite gets from its one
/// write lock, this store gets from row locks:
/// <list type="bullet">
/// <item>a pending or stale trial is claimed with <c>SELECT … FOR UPDATE SKIP LOCKED</c>, so concurrent claimers never wait
/// on each other and never take the same row;</item>
/// <item>a new proposal, a rung decision and a result each lock the search's row first (<c>SELECT … FROM search WHERE id = @s
/// FOR UPDATE</c>), so the tuner sees every earlier proposal and result, and the event counter has no gaps or repeats
/// (every transaction takes the search row before any trial row: no lock-order deadlock);</item>
/// <item>heartbeats and the stale test use the server's clock, so workers on machines whose clocks differ agree on who is dead.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>Connections come from Npgsql's pool and are held for one operation. A transient failure — the server restarting,
/// a dropped connection, a serialisation failure — is retried with exponential backoff (0.1 s doubling to 5 s) for at most
/// <see cref="RetryFor"/>; then one line names the store and the last error. A retried claim is idempotent: a worker that
/// already holds a running trial gets it back instead of a second one. Passwords never appear in messages
/// (<see cref="Location"/> masks them).</para>
/// <para>The schema is created on first use under a transaction-scoped advisory lock, so several workers starting at once
/// against an empty database create it once; its version is in <c>trial_store_schema</c> (<see cref="TrialStoreSchema"/>).</para>
/// </remarks>
public sealed class PostgresTrialStore : ITrialStore, IDisposable
{
    // Any constant shared by every MLCardiac process: the key of the advisory lock that serialises schema creation.
    private const long SchemaLockKey = 0x4D4C43617264;
    private const string NowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint";
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>
    /// Opens the store at <paramref name="url"/> (<c>postgresql://user[:password]@host[:port]/database</c> or
    /// <c>postgres://…</c>; a missing password is taken from PGPASSWORD or ~/.pgpass, as psql does) and creates the tables
    /// when the database has none.
    /// </summary>
    /// <param name="url">The database URL.</param>
    /// <param name="retryFor">How long a transient failure is retried before giving up (default 2 minutes).</param>
    /// <exception cref="MLCardiacException">The URL is malformed, the server cannot be reached within <paramref name="retryFor"/>,
    /// or the database holds a trial store of a newer schema.</exception>
    public PostgresTrialStore(string url, TimeSpan? retryFor = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        (NpgsqlConnectionStringBuilder builder, Location) = PostgresUrl.Parse(url);
        RetryFor = retryFor ?? TimeSpan.FromMinutes(2);
        if (RetryFor < TimeSpan.Zero) throw new MLCardiacException($"{Location}: the retry time must not be negative (was {RetryFor}).");
        _dataSource = NpgsqlDataSource.Create(builder);
        Run("open the trial store", c =>
        {
            using var tx = c.BeginTransaction();
            Execute(c, tx, "SELECT pg_advisory_xact_lock(@k)", ("k", SchemaLockKey));
            Execute(c, tx, """
                CREATE TABLE IF NOT EXISTS search (
                  id TEXT PRIMARY KEY, created_utc TEXT NOT NULL, fingerprint TEXT NOT NULL, settings_json TEXT NOT NULL,
                  next_seq BIGINT NOT NULL DEFAULT 0);
                CREATE TABLE IF NOT EXISTS trial (
                  search_id TEXT NOT NULL REFERENCES search (id), trial INTEGER NOT NULL, params_json TEXT NOT NULL, origin TEXT NOT NULL,
                  status TEXT NOT NULL, proposed_seq BIGINT NOT NULL, finished_seq BIGINT, epochs INTEGER NOT NULL,
                  metric DOUBLE PRECISION, cost DOUBLE PRECISION, seconds DOUBLE PRECISION, worker TEXT, heartbeat_ms BIGINT NOT NULL DEFAULT 0,
                  started_utc TEXT, finished_utc TEXT, attempts INTEGER NOT NULL DEFAULT 0, error TEXT, details_json TEXT,
                  PRIMARY KEY (search_id, trial));
                CREATE TABLE IF NOT EXISTS trial_metric (
                  search_id TEXT NOT NULL, trial INTEGER NOT NULL, epoch INTEGER NOT NULL, value DOUBLE PRECISION NOT NULL,
                  PRIMARY KEY (search_id, trial, epoch));
                CREATE INDEX IF NOT EXISTS trial_status ON trial (search_id, status);
                CREATE TABLE IF NOT EXISTS trial_store_schema (version INTEGER NOT NULL);
                """);
            object? version = Scalar(c, tx, "SELECT version FROM trial_store_schema LIMIT 1");
            // The tables above are version 1, as is a store written before the schema was versioned; then each migration step.
            int stored = version is null ? 1 : Convert.ToInt32(version, CultureInfo.InvariantCulture);
            TrialStoreSchema.Check(stored, Location);
            if (stored < 2) Execute(c, tx, TrialStoreSchema.Migration);
            if (version is null) Execute(c, tx, "INSERT INTO trial_store_schema (version) VALUES (@v)", ("v", TrialStoreSchema.Version));
            else if (stored < TrialStoreSchema.Version) Execute(c, tx, "UPDATE trial_store_schema SET version = @v", ("v", TrialStoreSchema.Version));
            tx.Commit();
            return 0;
        });
    }

    /// <inheritdoc/>
    /// <remarks>The URL with its password replaced by <c>***</c>.</remarks>
    public string Location { get; }

    /// <summary>How long an operation retries transient failures (server restarting, connection lost) before it gives up.</summary>
    public TimeSpan RetryFor { get; }

    /// <inheritdoc/>
    public bool EnsureSearch(string searchId, string fingerprint, string settingsJson) => Run("create the search", c =>
    {
        using var tx = c.BeginTransaction();
        // Two creators at once: the second insert does nothing and both then read the one stored row.
        int inserted = Execute(c, tx, "INSERT INTO search (id, created_utc, fingerprint, settings_json) VALUES (@id, @t, @f, @s) ON CONFLICT (id) DO NOTHING",
            ("id", searchId), ("t", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)), ("f", fingerprint), ("s", settingsJson));
        string stored = (string)Scalar(c, tx, "SELECT fingerprint FROM search WHERE id = @id", ("id", searchId))!;
        tx.Commit();
        if (stored != fingerprint) throw new MLCardiacException(TrialStoreSchema.OtherSettings(Location, searchId));
        return inserted == 0;
    });

    /// <inheritdoc/>
    public StoredSearch? LoadSearch(string searchId) => Run("read the search", c =>
    {
        using var cmd = Command(c, null, "SELECT id, created_utc, fingerprint, settings_json, next_seq FROM search WHERE id = @id", ("id", searchId));
        using var r = cmd.ExecuteReader();
        return r.Read() ? new StoredSearch(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4)) : null;
    });

    /// <inheritdoc/>
    public IReadOnlyList<string> ListSearches() => Run("list the searches", c =>
    {
        using var cmd = Command(c, null, "SELECT id FROM search ORDER BY id");
        using var r = cmd.ExecuteReader();
        var ids = new List<string>();
        while (r.Read()) ids.Add(r.GetString(0));
        return (IReadOnlyList<string>)ids;
    });

    /// <inheritdoc/>
    public IReadOnlyList<TrialRecord> LoadTrials(string searchId, SearchSpace? space = null) =>
        Run("read the trials", c => (IReadOnlyList<TrialRecord>)LoadTrials(c, null, searchId, space));

    /// <inheritdoc/>
    public TrialRecord LoadTrial(string searchId, int trial, SearchSpace? space = null)
    {
        var list = Run("read a trial", c => LoadTrials(c, null, searchId, space, intermediate: true, onlyTrial: trial));
        return list.Count == 1 ? list[0] : throw new MLCardiacException($"{Location}: search \"{searchId}\" has no trial {trial}.");
    }

    /// <inheritdoc/>
    public TrialRecord? Claim(string searchId, string worker, TimeSpan staleAfter, Func<IReadOnlyList<TrialRecord>, NewTrial?> propose, SearchSpace? space = null)
    {
        ArgumentNullException.ThrowIfNull(propose);
        long staleMs = TrialStoreSchema.Milliseconds(staleAfter, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return Run("claim a trial", c =>
        {
            using var tx = c.BeginTransaction();
            // A retried claim whose first attempt committed: the worker holds that trial already.
            if (Scalar(c, tx, "SELECT trial FROM trial WHERE search_id = @s AND worker = @w AND status = 'running' ORDER BY trial LIMIT 1",
                ("s", searchId), ("w", worker)) is int held)
            {
                tx.Commit();
                return LoadTrials(c, null, searchId, space, intermediate: false, onlyTrial: held)[0];
            }
            int? trial = LockReclaimable(c, tx, searchId, staleMs);
            if (trial is null)
            {
                // Nothing to take over: propose, with this search's other proposals, rung decisions and results held off.
                if (Scalar(c, tx, "SELECT next_seq FROM search WHERE id = @s FOR UPDATE", ("s", searchId)) is null)
                    throw new MLCardiacException($"{Location}: search \"{searchId}\" is not in the store.");
                trial = LockReclaimable(c, tx, searchId, staleMs);
                if (trial is null)
                {
                    var trials = LoadTrials(c, tx, searchId, space, intermediate: false);
                    NewTrial? next = propose(trials);
                    if (next is null) { tx.Commit(); return null; }
                    trial = trials.Count == 0 ? 0 : trials.Max(t => t.Trial) + 1;
                    long seq = NextSeq(c, tx, searchId);
                    Execute(c, tx, "INSERT INTO trial (search_id, trial, params_json, origin, status, proposed_seq, epochs) VALUES (@s, @t, @p, @o, 'pending', @q, @e)",
                        ("s", searchId), ("t", trial.Value), ("p", next.Parameters.ToJson()), ("o", next.Origin), ("q", seq), ("e", next.Epochs));
                }
            }
            Execute(c, tx, "DELETE FROM trial_metric WHERE search_id = @s AND trial = @t", ("s", searchId), ("t", trial.Value));
            Execute(c, tx, $"UPDATE trial SET status = 'running', worker = @w, heartbeat_ms = {NowMs}, started_utc = @u, attempts = attempts + 1, error = NULL WHERE search_id = @s AND trial = @t",
                ("s", searchId), ("t", trial.Value), ("w", worker), ("u", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
            var result = LoadTrials(c, tx, searchId, space, intermediate: false, onlyTrial: trial.Value)[0];
            tx.Commit();
            return result;
        });
    }

    /// <summary>Locks the lowest pending trial, else the lowest stale running one, skipping rows other claimers hold.</summary>
    private static int? LockReclaimable(NpgsqlConnection c, NpgsqlTransaction tx, string searchId, long staleMs) =>
        Scalar(c, tx, $"""
            SELECT trial FROM trial WHERE search_id = @s AND (status = 'pending' OR (status = 'running' AND heartbeat_ms < {NowMs} - @stale))
            ORDER BY status = 'running', trial LIMIT 1 FOR UPDATE SKIP LOCKED
            """, ("s", searchId), ("stale", staleMs)) as int?;

    /// <inheritdoc/>
    /// <remarks>
    /// Committed without waiting for the write-ahead log to reach the disk (<c>synchronous_commit = off</c> for this transaction
    /// only): a heartbeat lost in a server crash costs nothing — the next one follows — and skipping the flush takes the
    /// heartbeats out of the per-unit overhead (bench store).
    /// </remarks>
    public bool Heartbeat(string searchId, int trial, string worker) => Run("refresh a heartbeat", c =>
    {
        using var tx = c.BeginTransaction();
        Execute(c, tx, "SET LOCAL synchronous_commit = off");
        bool held = Execute(c, tx, $"UPDATE trial SET heartbeat_ms = {NowMs} WHERE search_id = @s AND trial = @t AND worker = @w AND status = 'running'",
            ("s", searchId), ("t", trial), ("w", worker)) == 1;
        tx.Commit();
        return held;
    }, retry: false);

    /// <inheritdoc/>
    public bool RecordIntermediate(string searchId, int trial, string worker, int epoch, double value, Func<IReadOnlyList<double>, bool>? decide) =>
        Run("record an intermediate result", c =>
        {
            using var tx = c.BeginTransaction();
            // A rung decision reads the other trials' values at this epoch: hold off this search's other decisions meanwhile.
            if (decide is not null) Execute(c, tx, "SELECT 1 FROM search WHERE id = @s FOR UPDATE", ("s", searchId));
            if (Scalar(c, tx, "SELECT worker FROM trial WHERE search_id = @s AND trial = @t AND status = 'running' FOR UPDATE", ("s", searchId), ("t", trial)) as string != worker)
            {
                tx.Commit();
                return false;
            }
            bool go = true;
            if (decide is not null)
            {
                var others = new List<double>();
                using (var cmd = Command(c, tx, "SELECT value FROM trial_metric WHERE search_id = @s AND epoch = @e AND trial <> @t ORDER BY trial", ("s", searchId), ("e", epoch), ("t", trial)))
                using (var r = cmd.ExecuteReader())
                    while (r.Read()) others.Add(r.GetDouble(0));
                go = decide(others);
            }
            Execute(c, tx, "INSERT INTO trial_metric (search_id, trial, epoch, value) VALUES (@s, @t, @e, @v) ON CONFLICT (search_id, trial, epoch) DO UPDATE SET value = EXCLUDED.value",
                ("s", searchId), ("t", trial), ("e", epoch), ("v", double.IsNaN(value) ? null : value));
            Execute(c, tx, $"UPDATE trial SET heartbeat_ms = {NowMs} WHERE search_id = @s AND trial = @t", ("s", searchId), ("t", trial));
            tx.Commit();
            return go;
        });

    /// <inheritdoc/>
    public bool Finish(string searchId, int trial, string worker, TrialStatus status, double? metric, double? cost, double seconds,
        IReadOnlyDictionary<string, double>? details, string? errorMessage, string? outputs = null) => Run("store a result", c =>
    {
        using var tx = c.BeginTransaction();
        Execute(c, tx, "SELECT 1 FROM search WHERE id = @s FOR UPDATE", ("s", searchId));
        if (Scalar(c, tx, "SELECT worker FROM trial WHERE search_id = @s AND trial = @t AND status = 'running' FOR UPDATE", ("s", searchId), ("t", trial)) as string != worker)
        {
            tx.Commit();
            return false;
        }
        long seq = NextSeq(c, tx, searchId);
        Execute(c, tx, """
            UPDATE trial SET status = @st, finished_seq = @q, metric = @m, cost = @c, seconds = @sec, details_json = @d, error = @err, outputs_json = @out,
              finished_utc = @u WHERE search_id = @s AND trial = @t
            """,
            ("st", status.ToString().ToLowerInvariant()), ("q", seq), ("m", metric is double m && !double.IsNaN(m) ? m : null), ("c", cost), ("sec", seconds),
            ("d", TrialStoreSchema.DetailsJson(details)), ("err", errorMessage), ("out", outputs), ("u", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)), ("s", searchId), ("t", trial));
        tx.Commit();
        return true;
    });

    /// <inheritdoc/>
    public void Release(string searchId, int trial, string worker) => Run("release a trial", c =>
    {
        using var tx = c.BeginTransaction();
        if (Execute(c, tx, "UPDATE trial SET status = 'pending', worker = NULL WHERE search_id = @s AND trial = @t AND worker = @w AND status = 'running'",
            ("s", searchId), ("t", trial), ("w", worker)) == 1)
            Execute(c, tx, "DELETE FROM trial_metric WHERE search_id = @s AND trial = @t", ("s", searchId), ("t", trial));
        tx.Commit();
        return 0;
    });

    /// <inheritdoc/>
    public void Import(StoredSearch search, IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(trials);
        Run("import a search", c =>
        {
            using var tx = c.BeginTransaction();
            if (Execute(c, tx, "INSERT INTO search (id, created_utc, fingerprint, settings_json, next_seq) VALUES (@id, @t, @f, @s, @q) ON CONFLICT (id) DO NOTHING",
                ("id", search.Id), ("t", search.CreatedUtc), ("f", search.Fingerprint), ("s", search.SettingsJson), ("q", search.NextSeq)) == 0)
                throw new MLCardiacException($"{Location}: already has a search \"{search.Id}\"; copy it to another store or delete it there first.");
            foreach (TrialRecord t in trials)
            {
                var row = TrialStoreSchema.ImportRow(t);
                Execute(c, tx, """
                    INSERT INTO trial (search_id, trial, params_json, origin, status, proposed_seq, finished_seq, epochs, metric, cost, seconds, worker,
                      heartbeat_ms, attempts, error, details_json, outputs_json) VALUES (@s, @t, @p, @o, @st, @q, @fq, @e, @m, @c, @sec, @w, @h, @a, @err, @d, @out)
                    """,
                    ("s", search.Id), ("t", t.Trial), ("p", t.Parameters.ToJson()), ("o", t.Origin), ("st", row.Status), ("q", t.ProposedSeq),
                    ("fq", t.FinishedSeq), ("e", t.Epochs), ("m", t.Metric), ("c", t.Cost), ("sec", t.Seconds), ("w", row.Worker),
                    ("h", t.HeartbeatUnixMs), ("a", t.Attempts), ("err", t.Error), ("d", row.DetailsJson), ("out", t.Outputs));
                if (row.KeepIntermediate)
                    foreach (var (epoch, value) in t.Intermediate)
                        Execute(c, tx, "INSERT INTO trial_metric (search_id, trial, epoch, value) VALUES (@s, @t, @e, @v)",
                            ("s", search.Id), ("t", t.Trial), ("e", epoch), ("v", value));
            }
            tx.Commit();
            return 0;
        });
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on a pooled connection; a transient failure is retried with exponential backoff
    /// until <see cref="RetryFor"/> has passed (not at all when <paramref name="retry"/> is false).
    /// </summary>
    /// <exception cref="MLCardiacException">The store could not be reached in time, or answered with an error.</exception>
    private T Run<T>(string what, Func<NpgsqlConnection, T> operation, bool retry = true)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan backoff = FirstBackoff;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var c = _dataSource.OpenConnection();
                return operation(c);
            }
#pragma warning disable CA1031 // Only the failures IsTransient names are caught here; the rest go to the handlers below.
            catch (Exception e) when (IsTransient(e))
#pragma warning restore CA1031
            {
                // The pool's idle connections are as dead as this one after a server restart: drop them.
                _dataSource.Clear();
                if (!retry || clock.Elapsed + backoff > RetryFor)
                    throw new MLCardiacException(retry
                        ? $"{Location}: cannot {what}: the PostgreSQL server did not answer for {clock.Elapsed.TotalSeconds:F0} s ({attempt} attempts; last: {Describe(e)})."
                        : $"{Location}: cannot {what}: {Describe(e)}.", e);
                Thread.Sleep(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (PostgresException e)
            {
                throw new MLCardiacException($"{Location}: cannot {what}: {e.MessageText} (SQLSTATE {e.SqlState}).", e);
            }
            catch (NpgsqlException e)
            {
                throw new MLCardiacException($"{Location}: cannot {what}: {Describe(e)}.", e);
            }
        }
    }

    /// <summary>
    /// Failures that a later attempt may not meet: the connection refused or lost (server down or restarting), the server
    /// shutting down or starting up (57P0x), connection errors (08xxx), too many connections (53300), and the
    /// serialisation failures and deadlocks PostgreSQL asks clients to retry (40001, 40P01).
    /// </summary>
    internal static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P0", StringComparison.Ordinal)
            || p.SqlState is "53300" or "40001" or "40P01" || p.IsTransient,
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException or EndOfStreamException,
        SocketException or IOException or TimeoutException => true,
        InvalidOperationException when e.InnerException is not null => IsTransient(e.InnerException),
        _ => false,
    };

    private static string Describe(Exception e)
    {
        string message = e is PostgresException p ? $"{p.MessageText} (SQLSTATE {p.SqlState})" : e.Message;
        return e.InnerException is { } inner && e is not PostgresException ? $"{message} — {inner.Message}" : message;
    }

    private static long NextSeq(NpgsqlConnection c, NpgsqlTransaction tx, string searchId) =>
        Convert.ToInt64(Scalar(c, tx, "UPDATE search SET next_seq = next_seq + 1 WHERE id = @s RETURNING next_seq - 1", ("s", searchId))
            ?? throw new MLCardiacException($"Search \"{searchId}\" is not in the store."), CultureInfo.InvariantCulture);

    private static List<TrialRecord> LoadTrials(NpgsqlConnection c, NpgsqlTransaction? tx, string searchId, SearchSpace? space, bool intermediate = true, int? onlyTrial = null)
    {
        string only = onlyTrial is null ? "" : " AND trial = @t";
        (string, object?)[] args = onlyTrial is null ? [("s", searchId)] : [("s", searchId), ("t", onlyTrial.Value)];
        var metrics = new Dictionary<int, Dictionary<int, double>>();
        if (intermediate)
        {
            using var cmd = Command(c, tx, "SELECT trial, epoch, value FROM trial_metric WHERE search_id = @s" + only + " ORDER BY trial, epoch", args);
            using var r = cmd.ExecuteReader();
            metrics = TrialStoreSchema.ReadMetrics(r);
        }
        using (var cmd = Command(c, tx, $"SELECT {TrialStoreSchema.TrialColumns} FROM trial WHERE search_id = @s" + only + " ORDER BY trial", args))
        using (var r = cmd.ExecuteReader())
            return TrialStoreSchema.ReadTrials(r, space, metrics);
    }

    private static NpgsqlCommand Command(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, c, tx);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static int Execute(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        object? v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    /// <inheritdoc/>
    public void Dispose() => _dataSource.Dispose();
}
