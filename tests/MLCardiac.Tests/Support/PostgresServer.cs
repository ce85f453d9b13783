using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace MLCardiac.Tests.Support;

/// <summary>
/// A private PostgreSQL server for one test class (or one benchmark): Debian's binaries (<c>/usr/lib/postgresql/VERSION/bin</c>),
/// <c>initdb</c> in a temporary folder, listening on 127.0.0.1 only on a free port with its socket in that folder, trust
/// authentication for user <c>postgres</c>; stopped and deleted on dispose. PostgreSQL refuses to run as root, so when the
/// tests run as root (CI) the folder is given to the <c>postgres</c> system user and every server command runs as that user
/// (<c>runuser</c>).
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _durable;
    private bool _running;

    private PostgresServer(string bin, string dir, int port, bool durable)
    {
        (_bin, _dir, Port, _durable) = (bin, dir, port, durable);
    }

    /// <summary>Loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>
    /// The folder of the newest installed server binaries, or null when none is installed. Debian's <c>postgresql</c>
    /// package (installed by <c>make setup</c>) puts them there.
    /// </summary>
    public static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out int v) ? v : 0).FirstOrDefault()
            : null;

    /// <summary>Why the PostgreSQL tests cannot run here, in one line.</summary>
    public const string MissingMessage = "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install Debian's postgresql package (`make setup` does it when run as root).";

    /// <summary>
    /// Initialises and starts a server. With <paramref name="durable"/> false, fsync and synchronous commit are off (tests:
    /// nothing must survive a power cut); true keeps PostgreSQL's defaults (benchmarks measure what a real server costs).
    /// </summary>
    public static PostgresServer Start(bool durable = false)
    {
        string bin = FindBinaries() ?? throw new InvalidOperationException(MissingMessage);
        string dir = Directory.CreateTempSubdirectory("mlcardiac-pg-").FullName;
        var server = new PostgresServer(bin, dir, FreePort(), durable);
        try
        {
            if (IsRoot) Run("chown", "-R", "postgres:postgres", dir);
            server.Pg("initdb", "-D", Path.Combine(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync");
            server.StartAgain();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The URL of <paramref name="database"/> on this server.</summary>
    public string Url(string database = "postgres") => string.Create(CultureInfo.InvariantCulture, $"postgresql://postgres@127.0.0.1:{Port}/{database}");

    /// <summary>Creates a fresh, empty database and returns its URL (one per test keeps tests independent).</summary>
    public string NewDatabase()
    {
        string name = "t_" + Guid.NewGuid().ToString("N")[..12];
        using var c = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false");
        c.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        cmd.ExecuteNonQuery();
        return Url(name);
    }

    /// <summary>Stops the server fast (open sessions are cut, as a restart or crash would), keeping its data.</summary>
    public void Stop()
    {
        Pg("pg_ctl", "-D", Path.Combine(_dir, "data"), "-m", "fast", "-w", "stop");
        _running = false;
    }

    /// <summary>Starts the (stopped) server again on the same port and waits until it accepts connections.</summary>
    public void StartAgain()
    {
        string options = string.Create(CultureInfo.InvariantCulture,
            $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c max_connections=200{(_durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")}");
        Pg("pg_ctl", "-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "server.log"), "-o", options, "-w", "-t", "60", "start");
        _running = true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            if (_running) Pg("pg_ctl", "-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException) { }
        _running = false;
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private void Pg(string tool, params string[] args)
    {
        string exe = Path.Combine(_bin, tool);
        if (IsRoot) Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    private static void Run(string exe, params string[] args)
    {
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"{exe} did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(); throw new InvalidOperationException($"{exe} {string.Join(' ', args)}: no exit within 2 minutes"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Trim()} {stdout.Result.Trim()}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
