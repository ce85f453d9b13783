using Npgsql;

namespace MLCardiac.Search;

/// <summary>
/// Reads a PostgreSQL URL, <c>postgresql://user[:password]@host[:port]/database[?key=value&amp;…]</c> (or <c>postgres://</c>),
/// the form libpq and psql take, into Npgsql's connection settings — and the same URL with its password masked, the only
/// form that is ever shown or logged.
/// </summary>
/// <remarks>
/// Query keys are Npgsql connection-string keywords (<c>sslmode=require</c>, <c>timeout=10</c>, …); an unknown key is an error,
/// not silently dropped. Defaults: port 5432, database = user name, connect timeout 5 s (a dead server is noticed and
/// retried quickly), application name "mlcardiac".
/// </remarks>
public static class PostgresUrl
{
    /// <summary>True when <paramref name="location"/> is a PostgreSQL URL rather than a file path.</summary>
    public static bool IsUrl(string location) =>
        location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection settings of <paramref name="url"/>, and the URL with its password masked.</summary>
    /// <exception cref="MLCardiacException">The URL is not a usable PostgreSQL URL (the message shows it masked).</exception>
    public static (NpgsqlConnectionStringBuilder Builder, string Masked) Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string masked = Mask(url);
        if (!IsUrl(url) || !Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
            throw new MLCardiacException($"{masked}: not a PostgreSQL URL; use postgresql://user@host:port/database.");
        string[] userInfo = uri.UserInfo.Split(':', 2);
        string user = Uri.UnescapeDataString(userInfo[0]);
        if (user.Length == 0) throw new MLCardiacException($"{masked}: the URL names no user; use postgresql://user@host:port/database.");
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Username = user,
            Database = database.Length > 0 ? database : user,
            Timeout = 5,
            ApplicationName = "mlcardiac",
        };
        if (userInfo.Length == 2) builder.Password = Uri.UnescapeDataString(userInfo[1]);
        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string key = Uri.UnescapeDataString(kv[0]), value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            try
            {
                builder[key] = value;
            }
            catch (ArgumentException e)
            {
                throw new MLCardiacException($"{masked}: query key \"{key}\" is not a PostgreSQL connection setting Npgsql knows ({e.Message}).", e);
            }
            catch (FormatException e)
            {
                throw new MLCardiacException($"{masked}: query key \"{key}\" has an unusable value ({e.Message}).", e);
            }
        }
        return (builder, masked);
    }

    /// <summary><paramref name="url"/> with the password between the user and the host replaced by <c>***</c>.</summary>
    public static string Mask(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return url;
        int start = scheme + 3;
        int at = url.IndexOf('@', start);
        int slash = url.IndexOf('/', start);
        if (at < 0 || (slash >= 0 && slash < at)) return url;
        int colon = url.IndexOf(':', start);
        return colon < 0 || colon > at ? url : string.Concat(url.AsSpan(0, colon + 1), "***", url.AsSpan(at));
    }
}
