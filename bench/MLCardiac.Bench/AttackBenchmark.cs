using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using MLCardiac.Data.Synthetic;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Server.Contracts;
using MLCardiac.Tests.Server;

namespace MLCardiac.Bench;

/// <summary>
/// <c>bench attack [--model DIR] [--server-dll PATH] [--heap-limit 1.5g] [--legit 20] [--settle 60]</c>: the issue's
/// acceptance run against the service as a child process under a .NET heap hard limit (DOTNET_GCHeapHardLimit, the
/// default of a 2 GiB container). (1) Ten uploads declaring the 256 MiB size limit send 12 KB between them and stall,
/// while legitimate two-frame cines are posted one after another. (2) Six ~130 KB .nii.gz files declaring 2²⁶ voxels are
/// posted at once. (1b) repeats (1) with the ten trickling 300 bytes a second each. Reported: the status counts, idle RSS,
/// peak RSS (VmHWM) of each phase against the budget (met: every phase within budget + 20 %), RSS <c>--settle</c> seconds
/// after the burst against idle. Without <c>--model</c> a bare default-size U-Net (16 filters, depth 4, 128 px; initial
/// weights: the memory is under test, not the segmentation) is written to a temporary folder: it has no quality-control
/// stage, whose libtorch forward passes are most of a trained pipeline's working memory — give <c>--model</c> a fitted
/// pipeline (e.g. from <c>mlcardiac train</c>) to measure what a user serves.
/// <c>--server-dll</c> runs another build of the service (e.g. main's) with the same attack.
/// </summary>
internal static class AttackBenchmark
{
    public static int Run(string[] args)
    {
        string? model = null, dll = null;
        long heapLimit = 3L << 29;
        int legit = 20, settle = 60;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--model": model = args[++i]; break;
                case "--server-dll": dll = args[++i]; break;
                case "--heap-limit": heapLimit = MLCardiac.Server.MemoryBudget.ParseSize(args[++i], "--heap-limit"); break;
                case "--legit": legit = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--settle": settle = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"attack: unknown argument {args[i]}"); return 2;
            }
        }
        string temp = Path.Combine(Path.GetTempPath(), "mlcardiac-bench-attack-" + Guid.NewGuid().ToString("N"));
        try
        {
            model ??= WriteModel(Path.Combine(temp, "model"));
            dll ??= Path.Combine(AppContext.BaseDirectory, "MLCardiac.Server.dll");
            return RunAsync(dll, model, heapLimit, legit, settle).GetAwaiter().GetResult();
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    private static string WriteModel(string directory)
    {
        TorchSharp.torch.manual_seed(1);
        var unet = new UNetOptions();
        using var network = new UNet2d(unet);
        Directory.CreateDirectory(directory);
        MLCardiac.ML.CardiacModel.Write(Path.Combine(directory, MLCardiac.ML.CardiacModel.FileName), network, new ModelDescription
        {
            Network = unet, Preprocessing = new PreprocessingOptions { Size = 128, SpacingMm = 1.25 }, Domains = ["A", "B"], TrainVendors = ["A", "B"],
        });
        return directory;
    }

    private static byte[] LegitimateCine(out int ed, out int es)
    {
        var generator = new SyntheticCohortGenerator(new SyntheticCohortOptions { Seed = 1234 });
        SyntheticSubject s = generator.Generate(VendorProfiles.A, 1);
        (ed, es) = (s.Info.EdFrame, s.Info.EsFrame);
        var volume = new Volume(s.Image.ToArray(), [s.SizeX, s.SizeY, s.SliceCount, s.FrameCount], new Spacing(s.PixelSpacingMm, s.PixelSpacingMm, s.SliceThicknessMm), timeStepS: 0.03);
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            NiftiWriter.Write(volume, gz, new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
        return memory.ToArray();
    }

    private static string Counts(IEnumerable<HttpStatusCode> statuses) =>
        string.Join(", ", statuses.GroupBy(s => (int)s).OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}"));

    private static async Task<int> RunAsync(string dll, string model, long heapLimit, int legit, int settle)
    {
        byte[] cine = LegitimateCine(out int ed, out int es);
        byte[] maxVoxel = AttackFiles.DeclaringVoxels(256, 256, 16, 64);
        Console.WriteLine($"attack: server {dll}, model {model}, DOTNET_GCHeapHardLimit {heapLimit >> 20} MiB; legitimate cine {cine.Length / 1024} KB (frames {ed}, {es}), 2^26-voxel file {maxVoxel.Length / 1024} KB");
        await using ServerProcess server = await ServerProcess.StartAsync(dll, model, [], heapLimit, TimeSpan.FromMinutes(3));
        using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(5) };
        string frames = $"?ed={ed}&es={es}";
        var (warm, _) = await ServerProcess.PostConcurrentlyAsync(client, cine, frames, 1);
        await Task.Delay(2000);
        long idle = server.RssBytes;
        long budget = await Budget(client);
        Console.WriteLine($"attack: idle RSS {idle >> 20} MiB after one request ({(int)warm[0]}); memory budget {(budget > 0 ? $"{budget >> 20} MiB" : "none (this build has no budget)")}");

        // (1) Ten stalled uploads at the size limit, legitimate requests meanwhile.
        server.ResetPeak();
        var stalled = await server.StallUploadsAsync(10, 256L << 20, 1200);
        var statuses = new List<HttpStatusCode>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < legit; i++)
            {
                var (s, _) = await ServerProcess.PostConcurrentlyAsync(client, cine, frames, 1);
                statuses.Add(s[0]);
            }
        }
        finally
        {
            foreach (var tcp in stalled) tcp.Dispose();
        }
        long peakLegitimate = server.PeakRssBytes;
        Console.WriteLine($"attack (1) ten stalled 256 MiB uploads (12 KB sent): {legit} legitimate requests → {Counts(statuses)} in {clock.Elapsed.TotalSeconds:F1} s; peak RSS {server.PeakRssBytes >> 20} MiB");

        // (1b) The same ten, trickling 300 bytes a second each: above Kestrel's default minimum rate (240 B/s), below ours.
        server.ResetPeak();
        var trickling = await server.StallUploadsAsync(10, 256L << 20, 1200, trickleBytesPerSecond: 300);
        var trickleStatuses = new List<HttpStatusCode>();
        clock.Restart();
        try
        {
            for (int i = 0; i < legit; i++)
            {
                var (s, _) = await ServerProcess.PostConcurrentlyAsync(client, cine, frames, 1);
                trickleStatuses.Add(s[0]);
            }
        }
        finally
        {
            foreach (var tcp in trickling) tcp.Dispose();
        }
        statuses.AddRange(trickleStatuses);
        peakLegitimate = Math.Max(peakLegitimate, server.PeakRssBytes);
        Console.WriteLine($"attack (1b) ten 256 MiB uploads trickling 300 B/s: {legit} legitimate requests → {Counts(trickleStatuses)} in {clock.Elapsed.TotalSeconds:F1} s; peak RSS {server.PeakRssBytes >> 20} MiB");

        // (2) Six concurrent uploads declaring 2^26 voxels.
        await Task.Delay(1000);
        server.ResetPeak();
        clock.Restart();
        var (burst, retryAfter) = await ServerProcess.PostConcurrentlyAsync(client, maxVoxel, "", 6);
        long peak = server.PeakRssBytes;
        Console.WriteLine($"attack (2) six concurrent 2^26-voxel uploads → {Counts(burst)} (Retry-After on every 503: {retryAfter}) in {clock.Elapsed.TotalSeconds:F1} s; " +
                          $"peak RSS {peak >> 20} MiB = {(budget > 0 ? $"{(double)peak / budget:F2} × the budget" : "no budget")}");
        await Task.Delay(TimeSpan.FromSeconds(settle));
        long after = server.RssBytes;
        var (check, _) = await ServerProcess.PostConcurrentlyAsync(client, cine, frames, 1);
        string health = await client.GetStringAsync(new Uri("/healthz", UriKind.Relative));
        Console.WriteLine($"attack: RSS {settle} s after the burst {after >> 20} MiB = {(double)after / idle:F2} × idle; a legitimate request then → {(int)check[0]}; healthz {health}");
        bool ok = statuses.Concat(burst).All(s => s != HttpStatusCode.InternalServerError) && server.IsRunning
                  && (budget == 0 || Math.Max(peak, peakLegitimate) <= budget * 1.2) && after <= idle * 1.5;
        Console.WriteLine($"attack: {(ok ? "met" : "NOT met")}: 0 × 500 and service up; peak ≤ budget + 20 % in every phase; RSS after ≤ 1.5 × idle");
        return ok ? 0 : 1;
    }

    private static async Task<long> Budget(HttpClient client)
    {
        using var doc = await System.Text.Json.JsonDocument.ParseAsync(await client.GetStreamAsync(new Uri("/healthz", UriKind.Relative)));
        return doc.RootElement.TryGetProperty("memoryBudgetBytes", out var b) ? b.GetInt64() : 0;
    }
}
