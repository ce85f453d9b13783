using MLCardiac.Search;
using MLCardiac.StoreWorker;
using MLCardiac.Tests.Support;
using Npgsql;

namespace MLCardiac.Tests.Search;

/// <summary>
/// The trial-store suite on a private PostgreSQL server (<see cref="PostgresServer"/>: initdb in a temporary folder, loopback
/// only), one fresh database per test; plus what only a served store meets — the server going away mid-search — and its URL
/// handling. Without the server binaries these tests fail in CI (CI=true) and are inconclusive elsewhere, with one line that
/// says what to install.
/// </summary>
[TestClass]
public sealed class PostgresTrialStoreContractTests : TrialStoreContractTests
{
    private static PostgresServer? s_server;

    [ClassInitialize]
    public static void StartServer(TestContext context)
    {
        if (PostgresServer.FindBinaries() is null) return;
        s_server = PostgresServer.Start();
    }

    [ClassCleanup]
    public static void StopServer() => s_server?.Dispose();

    private static PostgresServer Server
    {
        get
        {
            if (s_server is not null) return s_server;
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(PostgresServer.MissingMessage);
            Assert.Inconclusive(PostgresServer.MissingMessage);
            return null!;
        }
    }

    /// <inheritdoc/>
    protected override string NewStore() => Server.NewDatabase();

    /// <inheritdoc/>
    protected override void SetSchemaVersion(string location, int version)
    {
        using var c = new NpgsqlConnection(PostgresUrl.Parse(location).Builder.ConnectionString + ";Pooling=false");
        c.Open();
        using var cmd = new NpgsqlCommand("UPDATE trial_store_schema SET version = @v", c);
        cmd.Parameters.AddWithValue("v", version);
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    protected override void ExecuteSql(string location, string sql)
    {
        using var c = new NpgsqlConnection(PostgresUrl.Parse(location).Builder.ConnectionString + ";Pooling=false");
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    [TestMethod]
    public void WorkAsync_ServerStoppedForTenSecondsMidSearch_ClaimersWaitReconnectAndFinishEveryUnitOnce()
    {
        string location = NewStore();
        new CheapSearch().Experiment(Open(location), "s", 40, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(60)).Enqueue();
        var objectives = Enumerable.Range(0, 4).Select(_ => new CheapSearch { UnitMilliseconds = 500 }).ToArray();
        var stores = objectives.Select(_ => new PostgresTrialStore(location, retryFor: TimeSpan.FromSeconds(90))).ToArray();
        try
        {
            var runs = objectives.Select((o, i) => o.Experiment(stores[i], "s", 40, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(60)).WorkAsync()).ToArray();
            ITrialStore watcher = Open(location);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (watcher.LoadTrials("s").Count(t => t.IsFinished) < 8 && clock.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(50);
            int before = watcher.LoadTrials("s").Count(t => t.IsFinished);
            Assert.IsLessThan(40, before, "the search finished before the server could be stopped");

            Server.Stop();
            Thread.Sleep(TimeSpan.FromSeconds(10));
            Assert.IsTrue(runs.All(r => !r.IsCompleted), "a claimer gave up while the server was down");
            Server.StartAgain();

            Assert.IsTrue(Task.WaitAll(runs, TimeSpan.FromMinutes(2)), "the claimers did not finish after the server came back");
            var trials = watcher.LoadTrials("s", CheapSearch.Space);
            Assert.HasCount(40, trials);
            Assert.IsTrue(trials.All(t => t.Status == TrialStatus.Completed && t.Attempts == 1), string.Join("; ", trials.Select(t => $"{t.Trial}:{t.Status}/{t.Attempts}")));
            var calls = objectives.SelectMany(o => o.CallsPerTrial).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
            Assert.HasCount(40, calls);
            Assert.IsTrue(calls.Values.All(n => n == 1), "a unit ran twice");
        }
        finally
        {
            foreach (var s in stores) s.Dispose();
        }
    }

    [TestMethod]
    public void Open_NoServerListening_GivesUpAfterItsRetryTimeWithOneLineNamingTheStoreAndNoPassword()
    {
        int port;
        using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.ThrowsExactly<MLCardiacException>(() => new PostgresTrialStore($"postgresql://alice:s3cret@127.0.0.1:{port}/trials", TimeSpan.FromSeconds(1.5)));
        Assert.IsLessThan(10, clock.Elapsed.TotalSeconds);
        StringAssert.StartsWith(e.Message, $"postgresql://alice:***@127.0.0.1:{port}/trials: cannot open the trial store: the PostgreSQL server did not answer");
        Assert.DoesNotContain("s3cret", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [TestMethod]
    [DataRow("postgresql://u:p@h:5433/db", "postgresql://u:***@h:5433/db")]
    [DataRow("postgres://u@h/db", "postgres://u@h/db")]
    [DataRow("postgresql://u:p%40ss@h/db?sslmode=disable", "postgresql://u:***@h/db?sslmode=disable")]
    public void PostgresUrl_Mask_HidesOnlyThePassword(string url, string masked) => Assert.AreEqual(masked, PostgresUrl.Mask(url));

    [TestMethod]
    public void PostgresUrl_Parse_ReadsUserPasswordHostPortDatabaseAndSettings()
    {
        var (b, masked) = PostgresUrl.Parse("postgresql://mlc:p%40ss@db.example:5433/trials?sslmode=disable");
        Assert.AreEqual(("mlc", "p@ss", "db.example", 5433, "trials"), (b.Username, b.Password, b.Host, b.Port, b.Database));
        Assert.AreEqual(SslMode.Disable, b.SslMode);
        Assert.AreEqual("postgresql://mlc:***@db.example:5433/trials?sslmode=disable", masked);
        Assert.AreEqual(("mlc", 5432), (PostgresUrl.Parse("postgres://mlc@db.example").Builder.Database, PostgresUrl.Parse("postgres://mlc@db.example").Builder.Port));
    }

    [TestMethod]
    public void PostgresUrl_Parse_UnknownSettingOrNoUser_OneLineWithThePasswordMasked()
    {
        var e = Assert.ThrowsExactly<MLCardiacException>(() => PostgresUrl.Parse("postgresql://u:secret@h/db?bogus=1"));
        StringAssert.Contains(e.Message, "\"bogus\"");
        Assert.DoesNotContain("secret", e.Message);
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => PostgresUrl.Parse("postgresql://h/db")).Message, "names no user");
    }

    [TestMethod]
    public void TrialStores_Open_UrlIsPostgresAndPathIsSqlite()
    {
        string url = NewStore();
        using (var pg = (PostgresTrialStore)TrialStores.Open(url))
            Assert.AreEqual(url, pg.Location);
        Assert.IsInstanceOfType<SqliteTrialStore>(Open(Path.Combine(TestDirectory, "a.db")));
    }
}
