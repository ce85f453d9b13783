using System.Net;
using MLCardiac.Server.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MLCardiac.Server;

/// <summary>
/// Builds the HTTP service on Kestrel: <c>POST /api/segment</c>, <c>GET /api/results/{id}/labels.nii.gz</c>,
/// <c>GET /api/models</c>, <c>GET /healthz</c>, the OpenAPI document at <c>/openapi/v1.json</c> and the web page at
/// <c>/</c>. The CLI (<c>mlcardiac serve</c>), <c>dotnet run</c> of this project and the tests all host it through
/// <see cref="Build"/>.
/// </summary>
public static class ServerApp
{
    /// <summary>
    /// Loads the model (and classifier) and builds the app; call <c>RunAsync</c> or <c>StartAsync</c> on it.
    /// <paramref name="logging"/> adjusts logging (the default is the console at Information).
    /// </summary>
    /// <exception cref="MLCardiacException">An option is out of range, or the model or classifier folder cannot be loaded.</exception>
    public static WebApplication Build(ServerOptions options, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!File.Exists(options.ModelDirectory) && !File.Exists(Path.Combine(options.ModelDirectory, ML.CardiacModel.FileName)) && !ML.LegacyModelFolder.IsLegacy(options.ModelDirectory))
            throw new MLCardiacException(MissingModelMessage(options.ModelDirectory));

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // The multipart reader enforces the exact file limit; this is the transport's backstop.
            k.Limits.MaxRequestBodySize = options.MaxUploadBytes + (1 << 20);
            // Stalled or trickling clients are disconnected: headers within a bound, the body at a minimum rate.
            k.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            k.Limits.MinRequestBodyDataRate = new MinDataRate(options.MinUploadBytesPerSecond, options.UploadGracePeriod);
            k.AddServerHeader = false;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "MLCardiac segmentation service";
            doc.Info.Description = "Segments short-axis cardiac MRI (NIfTI) into LV blood pool, LV myocardium and RV blood pool; reports volumes, EF and mass, and warns on unfamiliar scanners.";
            return Task.CompletedTask;
        }));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ResultStore(options.ResultLifetime, options.MaxResults));
        builder.Services.AddSingleton<SegmentationService>();
        builder.Services.AddSingleton(new MemoryBudget(options.MemoryBudgetBytes ?? MemoryBudget.DefaultBudgetBytes()));
        builder.Services.AddSingleton(new RequestOutcomes(options.HealthFailureWindow));

        WebApplication app = builder.Build();
        // Load the model now, not on the first request: a broken model folder stops the start with its reason.
        var service = app.Services.GetRequiredService<SegmentationService>();
        // What the loaded, warmed-up model holds, and its networks' working memory for every worker, is the budget's
        // baseline; requests reserve the rest.
        long working = service.WarmUp();
        ProcessMemory.Settle();
        var budget = app.Services.GetRequiredService<MemoryBudget>();
        budget.SetBaseline(ProcessMemory.Resident + working);
        if (options.LimitHeapToBudget) budget.LimitManagedHeap();
        ILogger log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MLCardiac.Server");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (string address in Addresses(app))
            {
                Log.Serving(log, service.Model.Id, address, MemoryBudget.Format(budget.BudgetBytes), MemoryBudget.Format(budget.CapacityBytes));
                if (!IsLoopback(address)) Log.NotLoopback(log, address);
            }
            if (!EmbeddedAssets.HasViewer)
                Log.NoViewer(log);
        });

        app.UseExceptionHandler();
        app.MapOpenApi();
        MapApi(app);
        EmbeddedAssets.Map(app);
        return app;
    }

    /// <summary>The addresses the started app listens on (with the real port when port 0 was asked for).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
    }

    /// <summary>What to tell a user whose model folder is missing.</summary>
    public static string MissingModelMessage(string directory) =>
        $"{directory}: no model here (no {ML.CardiacModel.FileName}). Train one with `make serve` " +
        "(trains models/unet-ab on first use), `mlcardiac train --data DIR --train-vendors A,B --out DIR` or `make run` (models/generalization-study/ARM/seed-1), then pass it with --model DIR or --model DIR/model.zip.";

    private static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out Uri? uri)) return false;
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
    }

    private static void MapApi(WebApplication app)
    {
        app.MapPost("/api/segment", SegmentAsync)
            .WithName("Segment")
            .WithSummary("Segments an uploaded short-axis NIfTI (.nii or .nii.gz; 3D frame or 4D cine).")
            .WithDescription("multipart/form-data with one file part; optional fields or query parameters ed and es (0-based frames of a cine; " +
                             "without them every frame is segmented and ED/ES are the frames of largest/smallest predicted LV volume) and inline=true " +
                             "(label NIfTI also as base64). The content is identified by its bytes (gzip or NIfTI-1/2 header), not its name.")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<SegmentResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();
        app.MapGet("/api/results/{id}/labels.nii.gz", (string id, SegmentationService service) =>
                service.Results.Get(id) is byte[] gz
                    ? Results.File(gz, "application/gzip", "labels.nii.gz")
                    : Results.Problem(statusCode: 404, title: "No such result", detail: "the result is unknown or has expired; segment the image again."))
            .WithName("Labels")
            .WithSummary("The label volume of a result (gzip NIfTI, uint8; 0 background, 1 LV, 2 MYO, 3 RV), while it is kept.")
            .Produces(StatusCodes.Status200OK, contentType: "application/gzip")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/models", (SegmentationService service) => Results.Ok(new[] { service.Model }))
            .WithName("Models")
            .WithSummary("The served model.")
            .Produces<ModelInfo[]>();
        app.MapGet("/healthz", Health)
            .WithName("Health")
            .WithSummary("Liveness, queue and memory-budget state; \"degraded\" when the budget is exhausted or the last requests all failed.")
            .Produces<HealthInfo>();
    }

    private static HealthInfo Health(SegmentationService service, ServerOptions options, MemoryBudget budget, RequestOutcomes outcomes)
    {
        var reasons = new List<string>();
        if (budget.IsExhausted)
            reasons.Add($"memory budget exhausted: {MemoryBudget.Format(budget.ReservedBytes)} of {MemoryBudget.Format(budget.CapacityBytes)} reserved, or a request refused for memory in the last {MemoryBudget.ExhaustedWindow.TotalSeconds:F0} s");
        if (outcomes.AllRecentFailed)
            reasons.Add($"the last {options.HealthFailureWindow} requests all failed");
        return new HealthInfo(reasons.Count == 0 ? "ok" : "degraded", service.Model.Id, service.Busy, service.Waiting, options.QueueLimit, service.Results.Count,
            budget.BudgetBytes, budget.CapacityBytes, budget.ReservedBytes, outcomes.Failures, reasons);
    }

    private static async Task<IResult> SegmentAsync(HttpContext context, SegmentationService service, ServerOptions options, MemoryBudget budget,
        RequestOutcomes outcomes, ILogger<SegmentationService> log)
    {
        CancellationToken aborted = context.RequestAborted;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(options.RequestTimeout);
        using MemoryBudget.Reservation reservation = budget.TryReserve(0)!;
        Upload? upload = null;
        try
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = options.MaxUploadBytes + (1 << 20);
            upload = await Upload.ReadAsync(context.Request, options.MaxUploadBytes, reservation, timeout.Token).ConfigureAwait(false);
            int? ed = Frame(context, upload, "ed"), es = Frame(context, upload, "es");
            bool inline = string.Equals(Field(context, upload, "inline"), "true", StringComparison.OrdinalIgnoreCase);
            SegmentResponse response = await service.SegmentAsync(upload, reservation, ed, es, inline, timeout.Token).ConfigureAwait(false);
            outcomes.Record(failed: false);
            return Results.Ok(response);
        }
        catch (ApiException e)
        {
            Log.Refused(log, e.StatusCode, e.Title);
            outcomes.Record(failed: e.StatusCode >= 500);
            if (e.StatusCode == 503) context.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: e.StatusCode, title: e.Title, detail: e.Message);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            outcomes.Record(failed: true);
            context.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: 503, title: "Timed out",
                detail: $"the request took longer than {options.RequestTimeout.TotalSeconds:F0} s (waiting included) and was cancelled.");
        }
        catch (OutOfMemoryException)
        {
            // The budget's estimate fell short of what the runtime could give: still the client's answer is "later", not a crash.
            Log.Refused(log, 503, "Out of memory");
            outcomes.Record(failed: true);
            context.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: 503, title: "Out of memory", detail: "the service ran out of memory for this request; retry shortly.");
        }
        catch (Exception e) when (e is OperationCanceledException || (e is IOException && aborted.IsCancellationRequested))
        {
            // The client went away: its work was cancelled; nobody reads an answer.
            return Results.Empty;
        }
        catch
        {
            outcomes.Record(failed: true);
            throw;
        }
        finally
        {
            upload?.Dispose();
        }
    }

    /// <summary>A field from the form or the query string; given twice (in either or both) it is refused, never silently picked.</summary>
    private static string? Field(HttpContext context, Upload upload, string name)
    {
        var query = context.Request.Query[name];
        bool inForm = upload.Fields.TryGetValue(name, out string? v);
        if (query.Count + (inForm ? 1 : 0) > 1)
            throw new ApiException(400, "Repeated field", $"{name} is given more than once (form and query string together count); give it once.");
        return inForm ? v : query.FirstOrDefault();
    }

    private static int? Frame(HttpContext context, Upload upload, string name)
    {
        string? text = Field(context, upload, name);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int frame))
            throw new ApiException(400, "Bad frame", $"{name} must be a 0-based frame index (an integer).");
        return frame;
    }
}
