using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MLCardiac.Tracking;

/// <summary>
/// The embedded experiment-tracking store: one SQLite file (WAL journal) with a versioned schema — runs, and per
/// run its parameters, metrics, timings and artifacts. Writes of one run happen in one transaction, so a run is
/// recorded whole or not at all.
/// </summary>
/// <remarks>
/// The same file holds the searches' trials (<see cref="Search.SqliteTrialStore"/>: tables <c>search</c>, <c>trial</c>,
/// <c>trial_metric</c>) beside this class's tables (<c>schema_info</c>, <c>runs</c>, <c>params</c>, <c>metrics</c>,
/// <c>timings</c>, <c>artifacts</c>): one database per project (default <c>reports/mlcardiac.db</c>), and a finished
/// search is a run of kind "search" (<see cref="SearchRunRecord"/>). Both classes open it in WAL mode and write in
/// short transactions, so studies, searches and several search workers (processes) share it.
/// </remarks>
public sealed class RunStore : IDisposable
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int SchemaVersion = 1;

    private readonly SqliteConnection _connection;

    /// <summary>Opens (creating when missing) the store at <paramref name="path"/>.</summary>
    /// <exception cref="MLCardiacException">The file is not a store this build can read.</exception>
    public RunStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            _connection.Open();
            Execute("PRAGMA busy_timeout=60000; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;");
            Migrate();
        }
        catch (SqliteException ex)
        {
            _connection.Dispose();
            throw new MLCardiacException($"{path}: not a usable run store ({ex.Message}).", ex);
        }
    }

    /// <summary>The store's file.</summary>
    public string Path { get; }

    private void Migrate()
    {
        // An immediate (write-locking) transaction: two processes opening a new file at once create the schema once.
        using var tx = _connection.BeginTransaction(deferred: false);
        Execute("CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL)", tx);
        object? v = Scalar("SELECT version FROM schema_info LIMIT 1", tx);
        if (v is null)
        {
            Execute("""
                CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, name TEXT NOT NULL, profile TEXT, source TEXT,
                                   status TEXT NOT NULL, started_utc TEXT NOT NULL, finished_utc TEXT NOT NULL);
                CREATE TABLE params (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
                CREATE TABLE metrics (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key TEXT NOT NULL, value REAL, PRIMARY KEY (run_id, key));
                CREATE TABLE timings (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key TEXT NOT NULL, seconds REAL NOT NULL, PRIMARY KEY (run_id, key));
                CREATE TABLE artifacts (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, name TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (run_id, name));
                CREATE INDEX runs_name ON runs(name);
                INSERT INTO schema_info (version) VALUES (1);
                """, tx);
        }
        else if (Convert.ToInt64(v, CultureInfo.InvariantCulture) != SchemaVersion)
            throw new MLCardiacException($"{Path}: run store schema version {v}; this build reads version {SchemaVersion}.");
        tx.Commit();
    }

    /// <summary>Records <paramref name="run"/> in one transaction and returns its id.</summary>
    public long Add(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var tx = _connection.BeginTransaction();
        using var insert = Command("INSERT INTO runs (kind, name, profile, source, status, started_utc, finished_utc) VALUES ($k, $n, $p, $s, $st, $a, $b); SELECT last_insert_rowid();", tx);
        insert.Parameters.AddWithValue("$k", run.Kind);
        insert.Parameters.AddWithValue("$n", run.Name);
        insert.Parameters.AddWithValue("$p", (object?)run.Profile ?? DBNull.Value);
        insert.Parameters.AddWithValue("$s", (object?)run.Source ?? DBNull.Value);
        insert.Parameters.AddWithValue("$st", run.Status);
        insert.Parameters.AddWithValue("$a", run.StartedUtc.ToString("O", CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("$b", run.FinishedUtc.ToString("O", CultureInfo.InvariantCulture));
        long id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        void Many<T>(string table, string valueColumn, IEnumerable<KeyValuePair<string, T>> items, string keyColumn = "key")
        {
            using var cmd = Command($"INSERT INTO {table} (run_id, {keyColumn}, {valueColumn}) VALUES ($id, $key, $value)", tx);
            var pid = cmd.Parameters.Add("$id", SqliteType.Integer);
            var pkey = cmd.Parameters.Add("$key", SqliteType.Text);
            var pvalue = cmd.Parameters.Add("$value", typeof(T) == typeof(double) ? SqliteType.Real : SqliteType.Text);
            foreach (var (key, value) in items)
            {
                pid.Value = id;
                pkey.Value = key;
                pvalue.Value = value is double d && double.IsNaN(d) ? DBNull.Value : value!;
                cmd.ExecuteNonQuery();
            }
        }
        Many("params", "value", run.Parameters);
        Many("metrics", "value", run.Metrics);
        Many("timings", "seconds", run.TimingsSeconds.Where(t => !double.IsNaN(t.Value)));
        Many("artifacts", "path", run.Artifacts, "name");
        tx.Commit();
        return id;
    }

    /// <summary>The most recent runs (without their details), newest first.</summary>
    public IReadOnlyList<RunRecord> List(int limit = 50)
    {
        using var cmd = Command("SELECT id, kind, name, profile, source, status, started_utc, finished_utc FROM runs ORDER BY id DESC LIMIT $limit");
        cmd.Parameters.AddWithValue("$limit", limit);
        using var reader = cmd.ExecuteReader();
        var runs = new List<RunRecord>();
        while (reader.Read()) runs.Add(ReadRun(reader));
        return runs;
    }

    /// <summary>Run <paramref name="id"/> with all its details.</summary>
    /// <exception cref="MLCardiacException">No such run.</exception>
    public RunRecord Get(long id)
    {
        RunRecord run;
        using (var cmd = Command("SELECT id, kind, name, profile, source, status, started_utc, finished_utc FROM runs WHERE id = $id"))
        {
            cmd.Parameters.AddWithValue("$id", id);
            using var reader = cmd.ExecuteReader();
            if (!reader.Read()) throw new MLCardiacException($"{Path}: no run #{id.ToString(CultureInfo.InvariantCulture)}.");
            run = ReadRun(reader);
        }
        return run with
        {
            Parameters = Pairs("SELECT key, value FROM params WHERE run_id = $id ORDER BY key", id, r => r.GetString(1)),
            Metrics = Pairs("SELECT key, value FROM metrics WHERE run_id = $id ORDER BY key", id, r => r.IsDBNull(1) ? double.NaN : r.GetDouble(1)),
            TimingsSeconds = Pairs("SELECT key, seconds FROM timings WHERE run_id = $id ORDER BY key", id, r => r.GetDouble(1)),
            Artifacts = Pairs("SELECT name, path FROM artifacts WHERE run_id = $id ORDER BY name", id, r => r.GetString(1)),
        };
    }

    private Dictionary<string, T> Pairs<T>(string sql, long id, Func<SqliteDataReader, T> value)
    {
        using var cmd = Command(sql);
        cmd.Parameters.AddWithValue("$id", id);
        using var reader = cmd.ExecuteReader();
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        while (reader.Read()) result[reader.GetString(0)] = value(reader);
        return result;
    }

    private static RunRecord ReadRun(SqliteDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Kind = r.GetString(1),
        Name = r.GetString(2),
        Profile = r.IsDBNull(3) ? null : r.GetString(3),
        Source = r.IsDBNull(4) ? null : r.GetString(4),
        Status = r.GetString(5),
        StartedUtc = DateTime.Parse(r.GetString(6), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        FinishedUtc = DateTime.Parse(r.GetString(7), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
    };

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    private void Execute(string sql, SqliteTransaction? tx = null)
    {
        using var cmd = Command(sql, tx);
        cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql, SqliteTransaction? tx = null)
    {
        using var cmd = Command(sql, tx);
        return cmd.ExecuteScalar();
    }

    /// <inheritdoc/>
    public void Dispose() => _connection.Dispose();
}
