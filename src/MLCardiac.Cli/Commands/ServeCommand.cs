using System.ComponentModel;
using Microsoft.Extensions.Hosting;
using MLCardiac.Server;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac serve --model DIR [--classifier DIR] [--urls URLS] [--memory-budget SIZE] [--backend auto|torchsharp|onnxruntime]</c>: the HTTP service and its web page
/// (<see cref="ServerApp"/>), until Ctrl-C.
/// </summary>
internal sealed class ServeCommand(IAnsiConsole console) : Command<ServeCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac serve</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--model <DIR>")]
        [Description("Model folder written by `mlcardiac train --out`. Default: models/unet-ab (what `make serve` trains on first use).")]
        public string Model { get; init; } = ServerOptions.DefaultModelDirectory;

        [CommandOption("--classifier <DIR>")]
        [Description("Vendor-classifier folder written by `mlcardiac classify-vendor --out`: enables the unfamiliar-scanner warning.")]
        public string? Classifier { get; init; }

        [CommandOption("--urls <URLS>")]
        [Description("Addresses to listen on, ';'-separated. Default: http://127.0.0.1:5080 (this machine only).")]
        public string Urls { get; init; } = ServerOptions.DefaultUrls;

        [CommandOption("--workers <N>")]
        [Description("Requests segmented at once, one model copy each. Default: 1.")]
        public int Workers { get; init; } = 1;

        [CommandOption("--queue-limit <N>")]
        [Description("Requests allowed to wait for a worker; more get 503. Default: 32.")]
        public int QueueLimit { get; init; } = 32;

        [CommandOption("--timeout <SECONDS>")]
        [Description("Longest a request may take, waiting included; then it is cancelled (503). Default: 120.")]
        public int TimeoutSeconds { get; init; } = 120;

        [CommandOption("--max-upload-mb <MB>")]
        [Description("Largest upload in MiB; larger gets 413. Default: 256.")]
        public int MaxUploadMb { get; init; } = 256;

        [CommandOption("--memory-budget <SIZE>")]
        [Description("Memory the service may use in all, e.g. 1.5g or 800m; requests that do not fit get 503 with Retry-After. Default: 75 % of the memory available to the process (container limit, GC heap limit or RAM).")]
        public string? MemoryBudget { get; init; }

        [CommandOption("--backend <BACKEND>")]
        [Description("auto (default) or onnxruntime: ONNX Runtime, the faster, with the folder's model.onnx or one exported in memory at start-up; torchsharp: libtorch; onnxruntime-int8: the folder's model.int8.onnx (`mlcardiac export --int8`), integer convolutions.")]
        public string Backend { get; init; } = "auto";
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Classifier is not null && !Directory.Exists(settings.Classifier))
            throw new MLCardiacException($"{settings.Classifier}: no such folder (write one with `mlcardiac classify-vendor --data DIR --out DIR`).");
        var options = new ServerOptions
        {
            ModelDirectory = settings.Model,
            ClassifierDirectory = settings.Classifier,
            Urls = settings.Urls,
            Workers = settings.Workers,
            QueueLimit = settings.QueueLimit,
            RequestTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
            MaxUploadBytes = (long)settings.MaxUploadMb << 20,
            Backend = ServerOptions.ParseBackend(settings.Backend),
            MemoryBudgetBytes = settings.MemoryBudget is null ? null : MemoryBudget.ParseSize(settings.MemoryBudget, "--memory-budget"),
        };
        var app = ServerApp.Build(options);
        try
        {
            app.StartAsync(cancellationToken).GetAwaiter().GetResult();
            foreach (string address in ServerApp.Addresses(app))
                console.MarkupLineInterpolated($"serving [bold]{settings.Model}[/] — open [link]{address}/[/] (Ctrl-C stops)");
            app.WaitForShutdownAsync(cancellationToken).GetAwaiter().GetResult();
        }
        finally
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }
}
