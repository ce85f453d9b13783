using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Server;
using TorchSharp;

namespace MLCardiac.Bench;

/// <summary>
/// End-to-end latency of <c>POST /api/segment</c> over loopback for a 10-slice ED+ES pair (a 2-frame 256×256×10
/// cine, .nii.gz): upload, decode, preprocess, inference, post-process, indices, label encoding and the JSON answer.
/// Median and p95 over sequential requests, then throughput with 4 concurrent clients; the library's own
/// <see cref="SegmentationModel.Segment(MLCardiac.Imaging.Volume, int, bool, bool, int)"/> of the same two frames is measured in the same process as the floor.
/// </summary>
internal static class ServeBenchmark
{
    public static int Run(string[] args)
    {
        int requests = 50, clients = 4, perClient = 10;
        string? modelDir = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--requests": requests = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--clients": clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--per-client": perClient = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--model": modelDir = args[i + 1]; break;
                default: Console.Error.WriteLine($"serve: unknown argument {args[i]}"); return 2;
            }
        }
        string? temp = null;
        if (modelDir is null && File.Exists(Path.Combine("models", "unet-ab", CardiacModel.FileName))) modelDir = Path.Combine("models", "unet-ab");
        if (modelDir is null)
        {
            // Latency does not depend on the weights: an untrained network of the architecture `make run` trains.
            temp = Path.Combine(Path.GetTempPath(), "mlcardiac-bench-serve-" + Guid.NewGuid().ToString("N"));
            torch.manual_seed(1);
            var options = new UNetOptions { BaseFilters = 16, Depth = 4 };
            using var net = new UNet2d(options);
            Directory.CreateDirectory(temp);
            CardiacModel.Write(Path.Combine(temp, CardiacModel.FileName), net, new ModelDescription { Network = options, Preprocessing = new(), Domains = ["A", "B"], TrainVendors = ["A", "B"] });
            modelDir = temp;
            Console.WriteLine("serve: models/unet-ab not found (run `make run`); using an untrained U-Net of the same architecture (16 filters, depth 4, 128×128) — same cost.");
        }
        try
        {
            return RunAsync(modelDir, requests, clients, perClient).GetAwaiter().GetResult();
        }
        finally
        {
            if (temp is not null) Directory.Delete(temp, recursive: true);
        }
    }

    private static async Task<int> RunAsync(string modelDir, int requests, int clients, int perClient)
    {
        Volume scan = SyntheticCine.Create(256, 256, 10, 2, seed: 3);
        byte[] gz = Gzip(scan);

        await using WebApplication app = ServerApp.Build(new ServerOptions { ModelDirectory = modelDir, Urls = "http://127.0.0.1:0", QueueLimit = 64 },
            l => l.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync().ConfigureAwait(false);
        using var client = new HttpClient { BaseAddress = new Uri(ServerApp.Addresses(app)[0]), Timeout = TimeSpan.FromMinutes(5) };
        // The floor runs the backend the server runs by default (ONNX Runtime; exported in memory when the folder has no model.onnx).
        using CardiacModel saved = CardiacModel.Load(modelDir, SegmentationBackend.Auto, null, exportOnnxIfMissing: true);
        SegmentationModel model = saved.Segmentation!.Model;

        // Library (the floor) and HTTP requests alternate, so both see the same machine load.
        for (int i = 0; i < 3; i++)
        {
            await Post(client, gz).ConfigureAwait(false);
            Stages(model, scan);
        }
        var latency = new List<double>();
        var server = new List<double>();
        var library = new List<double>();
        var stages = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (int i = 0; i < requests; i++)
        {
            var c = Stopwatch.StartNew();
            double serverMs = await Post(client, gz).ConfigureAwait(false);
            latency.Add(c.Elapsed.TotalMilliseconds);
            server.Add(serverMs);
            if (i % 5 == 0)
            {
                c.Restart();
                model.Segment(scan, 0);
                model.Segment(scan, 1);
                library.Add(c.Elapsed.TotalMilliseconds);
                foreach (var (name, ms) in Stages(model, scan))
                {
                    if (!stages.TryGetValue(name, out var list)) stages[name] = list = [];
                    list.Add(ms);
                }
            }
        }

        var concurrent = new List<double>();
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            for (int i = 0; i < perClient; i++)
            {
                var c = Stopwatch.StartNew();
                await Post(client, gz).ConfigureAwait(false);
                lock (concurrent) concurrent.Add(c.Elapsed.TotalMilliseconds);
            }
        })).ConfigureAwait(false);
        double seconds = wall.Elapsed.TotalSeconds;
        await app.StopAsync().ConfigureAwait(false);

        Console.WriteLine($"POST /api/segment, 10-slice ED+ES pair (256×256×10×2 int16 .nii.gz, {gz.Length / 1024.0:F0} KiB), model {Path.GetFileName(Path.TrimEndingDirectorySeparator(modelDir))}, loopback, {Environment.ProcessorCount} cores:");
        Console.WriteLine($"  library Segment ×2 (floor)    median {Percentile(library, 50),7:F1} ms   p95 {Percentile(library, 95),7:F1} ms   ({library.Count} runs, interleaved)");
        Console.WriteLine("    its stages for both frames, median ms: " + string.Join(", ", stages.Select(kv => $"{kv.Key} {Percentile(kv.Value, 50):F1}")));
        Console.WriteLine($"  HTTP end to end, sequential   median {Percentile(latency, 50),7:F1} ms   p95 {Percentile(latency, 95),7:F1} ms   ({requests} requests; goal median ≤ 300 ms: {(Percentile(latency, 50) <= 300 ? "met" : "NOT met")})");
        Console.WriteLine($"    of which server time        median {Percentile(server, 50),7:F1} ms;  HTTP/JSON overhead ratio to floor {Percentile(latency, 50) / Percentile(library, 50):F2}");
        Console.WriteLine($"  {clients} concurrent clients        {clients * perClient / seconds,7:F2} requests/s   median latency {Percentile(concurrent, 50):F1} ms   p95 {Percentile(concurrent, 95):F1} ms   ({clients}×{perClient} requests, 1 worker)");
        return 0;
    }

    /// <summary>The steps of <see cref="SegmentationModel.Segment(MLCardiac.Imaging.Volume, int, bool, bool, int)"/> for frames 0 and 1, timed one by one.</summary>
    private static List<(string Name, double Ms)> Stages(SegmentationModel model, Volume scan)
    {
        var result = new List<(string, double)>();
        double plan = 0, intensity = 0, slices = 0, network = 0, restore = 0, component = 0;
        for (int frame = 0; frame < 2; frame++)
        {
            var c = Stopwatch.StartNew();
            var geometry = model.Preprocessor.Plan(scan);
            plan += c.Elapsed.TotalMilliseconds; c.Restart();
            var norm = model.Preprocessor.MeasureIntensity(scan, frame);
            intensity += c.Elapsed.TotalMilliseconds; c.Restart();
            float[] input = Preprocessing.Preprocessor.Image(scan, frame, geometry, norm);
            slices += c.Elapsed.TotalMilliseconds; c.Restart();
            byte[] labels;
            using (torch.inference_mode())
            using (var scope = torch.NewDisposeScope())
            {
                var x = torch.tensor(input, new long[] { geometry.SizeZ, 1, geometry.Size, geometry.Size });
                labels = torch.nn.functional.softmax(model.Network.call(x), 1).argmax(1).to(torch.ScalarType.Byte).data<byte>().ToArray();
            }
            network += c.Elapsed.TotalMilliseconds; c.Restart();
            Volume restored = Preprocessing.Preprocessor.Restore(labels, geometry);
            restore += c.Elapsed.TotalMilliseconds; c.Restart();
            LargestComponent.Apply(restored.Voxels, restored.SizeX, restored.SizeY, restored.SizeZ, model.Network.Options.Classes);
            component += c.Elapsed.TotalMilliseconds;
        }
        result.Add(("plan", plan));
        result.Add(("intensity percentiles", intensity));
        result.Add(("resample+normalise", slices));
        result.Add(("U-Net", network));
        result.Add(("restore", restore));
        result.Add(("largest component", component));
        return result;
    }

    private static async Task<double> Post(HttpClient client, byte[] gz)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(gz);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        form.Add(file, "file", "scan.nii.gz");
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/segment?ed=0&es=1", UriKind.Relative), form).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {body}");
        using JsonDocument doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("timingsMs").GetProperty("total").GetDouble();
    }

    private static byte[] Gzip(Volume v)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            NiftiWriter.Write(v, gz, new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
        return memory.ToArray();
    }

    private static double Percentile(List<double> values, double p)
    {
        double[] s = values.Order().ToArray();
        double rank = p / 100 * (s.Length - 1);
        int lo = (int)Math.Floor(rank), hi = (int)Math.Ceiling(rank);
        return s[lo] + ((s[hi] - s[lo]) * (rank - lo));
    }
}
