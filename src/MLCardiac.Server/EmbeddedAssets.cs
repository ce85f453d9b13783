using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MLCardiac.Server;

/// <summary>
/// Serves the web page — the files of wwwroot/ embedded in this assembly at build time, the NiiVue bundle among
/// them — so the page works wherever the assembly runs, offline, with no content root.
/// </summary>
public static class EmbeddedAssets
{
    private const string Prefix = "wwwroot/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".json"] = "application/json",
    };

    /// <summary>Paths (relative to the site root) of the embedded files.</summary>
    public static IReadOnlyList<string> Files { get; } = typeof(EmbeddedAssets).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]).Order(StringComparer.Ordinal).ToArray();

    /// <summary>True when the NiiVue bundle was embedded (npm was available at build time).</summary>
    public static bool HasViewer => Files.Contains("lib/niivue/niivue.umd.js");

    /// <summary>Maps GET for every embedded file, and "/" to index.html.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Assembly assembly = typeof(EmbeddedAssets).Assembly;
        foreach (string file in Files)
        {
            string type = ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
            var bytes = new Lazy<byte[]>(() =>
            {
                using Stream s = assembly.GetManifestResourceStream(Prefix + file)!;
                using var m = new MemoryStream();
                s.CopyTo(m);
                return m.ToArray();
            });
            IResult Serve(HttpContext context)
            {
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes.Value, type);
            }
            endpoints.MapGet("/" + file, Serve).ExcludeFromDescription();
            if (file == "index.html") endpoints.MapGet("/", Serve).ExcludeFromDescription();
        }
    }
}
