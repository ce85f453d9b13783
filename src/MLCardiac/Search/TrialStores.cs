namespace MLCardiac.Search;

/// <summary>
/// Opens the trial store a location names: a <c>postgresql://</c> or <c>postgres://</c> URL is a
/// <see cref="PostgresTrialStore"/> (workers on many machines), anything else is the path of a <see cref="SqliteTrialStore"/>
/// file (one machine). Commands take the location from <c>--store</c>, else from <see cref="EnvironmentVariable"/>, else
/// their default file.
/// </summary>
public static class TrialStores
{
    /// <summary>The environment variable that names the store when a command is given no <c>--store</c>.</summary>
    public const string EnvironmentVariable = "MLCARDIAC_STORE";

    /// <summary>The store at <paramref name="location"/> (created when missing).</summary>
    /// <exception cref="MLCardiacException">The store cannot be opened (the message names it, password masked).</exception>
    public static ITrialStore Open(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        return PostgresUrl.IsUrl(location) ? new PostgresTrialStore(location) : new SqliteTrialStore(location);
    }

    /// <summary><paramref name="option"/> when given, else <see cref="EnvironmentVariable"/> when set, else <paramref name="defaultPath"/>.</summary>
    public static string Resolve(string? option, string defaultPath) =>
        !string.IsNullOrWhiteSpace(option) ? option
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
        : defaultPath;

    /// <summary>Releases what <paramref name="store"/> holds (a PostgreSQL store's connection pool); nothing for a SQLite file.</summary>
    public static void Close(ITrialStore? store) => (store as IDisposable)?.Dispose();
}
