using Microsoft.Extensions.Logging;

namespace MLCardiac.Server;

/// <summary>
/// Every message the service logs. None carries a file name, a patient identifier or NIfTI header text:
/// only result ids (random), sizes, shapes, counts and times.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "serving {Model} on {Address} (memory budget {Budget}, {Capacity} of it for requests)")]
    public static partial void Serving(ILogger logger, string model, string address, string budget, string capacity);

    [LoggerMessage(2, LogLevel.Warning, "{Address} is reachable from other machines: the service has no authentication; put it behind a proxy that has.")]
    public static partial void NotLoopback(ILogger logger, string address);

    [LoggerMessage(3, LogLevel.Warning, "this build has no NiiVue bundle (npm was missing at build time): the page shows results without the viewer.")]
    public static partial void NoViewer(ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "segmented {Id}: {Bytes} bytes, {Shape}, {Frames} frame(s) ({Source}), {TotalMs:F0} ms")]
    public static partial void Segmented(ILogger logger, string id, long bytes, string shape, int frames, string source, double totalMs);

    [LoggerMessage(5, LogLevel.Information, "refused a request: {Status} {Title}")]
    public static partial void Refused(ILogger logger, int status, string title);
}
