using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Server;
using MLCardiac.Server.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace MLCardiac.Tests.Server;

/// <summary>The HTTP service over real HTTP on loopback (Kestrel on a free port), with a tiny trained model.</summary>
[TestClass]
public sealed class ServerTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static ServerFixture F => ServerFixture.Shared;

    private static async Task<SegmentResponse> ReadOk(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        return JsonSerializer.Deserialize<SegmentResponse>(body, Json)!;
    }

    private static async Task<JsonElement> ReadProblem(HttpResponseMessage response, HttpStatusCode expected)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(expected, response.StatusCode, body);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, body);
        using JsonDocument doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    [TestMethod]
    public async Task Segment_CineWithGivenFrames_MatchesTheLibraryAndLeavesNoTempFiles()
    {
        // Anything the server wrote to a temporary folder would land here (ASP.NET form buffering, Path.GetTempPath).
        string temp = Path.Combine(F.Root, "tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        string? oldTmp = Environment.GetEnvironmentVariable("TMPDIR"), oldAsp = Environment.GetEnvironmentVariable("ASPNETCORE_TEMP");
        int ed = F.Subject.Info.EdFrame, es = F.Subject.Info.EsFrame;
        SegmentResponse r;
        byte[] labelsGz;
        try
        {
            Environment.SetEnvironmentVariable("TMPDIR", temp);
            Environment.SetEnvironmentVariable("ASPNETCORE_TEMP", temp);
            await using RunningServer server = await F.StartAsync(o => o with { ClassifierDirectory = F.ClassifierDirectory });
            r = await ReadOk(await server.SegmentAsync(F.ScanGz, fields: [new("ed", $"{ed}"), new("es", $"{es}")]));
            labelsGz = await server.Client.GetByteArrayAsync(new Uri(r.LabelsUrl, UriKind.Relative));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TMPDIR", oldTmp);
            Environment.SetEnvironmentVariable("ASPNETCORE_TEMP", oldAsp);
        }
        Assert.IsEmpty(Directory.EnumerateFileSystemEntries(temp).ToArray(), "nothing from the upload is written to disk");

        // The library on the server's default backend (ONNX Runtime, exported in memory).
        using var saved = MLCardiac.ML.CardiacModel.Load(F.ModelDirectory, SegmentationBackend.Auto, null, exportOnnxIfMissing: true);
        SegmentationModel model = saved.Segmentation!.Model;
        Assert.AreEqual("ONNX Runtime", model.Backend.Name);
        Volume edLabels = model.Segment(F.Scan, ed), esLabels = model.Segment(F.Scan, es);
        double voxelMl = F.Scan.SpacingMm.X * F.Scan.SpacingMm.Y * F.Scan.SpacingMm.Z / 1000;
        ClinicalIndices expected = ClinicalIndices.FromLabels(edLabels.Voxels, esLabels.Voxels, voxelMl);

        Assert.AreEqual("given", r.FrameSource);
        Assert.AreEqual(ed, r.Ed);
        Assert.AreEqual(es, r.Es);
        Assert.IsNotNull(r.Indices);
        Assert.IsGreaterThan(1.0, expected.LvEdvMl, "the tiny model finds the LV");
        Assert.AreEqual(expected.LvEfPercent, r.Indices.LvEfPercent!.Value, 1e-9);
        Assert.AreEqual(expected.LvEdvMl, r.Indices.LvEdvMl, 1e-9);
        Assert.AreEqual(expected.RvEsvMl, r.Indices.RvEsvMl, 1e-9);
        Assert.AreEqual(expected.MyoMassG, r.Indices.LvMassG, 1e-9);
        Assert.HasCount(2, r.Frames);
        Assert.IsTrue(r.Model.Id.StartsWith("model/model.zip@", StringComparison.Ordinal), r.Model.Id);
        foreach (string stage in new[] { "read", "queue", "segment", "classify", "encode", "total" })
            Assert.IsTrue(r.TimingsMs.ContainsKey(stage), stage);

        // The scanner verdict comes from the classifier with its calibrated threshold.
        Assert.IsNotNull(r.Scanner);
        Assert.AreEqual(F.CalibratedThreshold, r.Scanner.Threshold, 1e-12);
        CollectionAssert.Contains(new[] { "A", "B" }, r.Scanner.Vendor);
        Assert.AreEqual(r.Scanner.Confidence < r.Scanner.Threshold, r.Scanner.Unfamiliar);

        // The downloadable label volume is the library's segmentation on the upload's grid, unsegmented frames 0.
        Volume labels;
        using (var ms = new MemoryStream(labelsGz)) labels = NiftiReader.Read(ms, "labels");
        CollectionAssert.AreEqual(F.Scan.Shape, labels.Shape);
        CollectionAssert.AreEqual(edLabels.Data, labels.Frame(ed).ToArray());
        CollectionAssert.AreEqual(esLabels.Data, labels.Frame(es).ToArray());
        int other = Enumerable.Range(0, F.Scan.Frames).First(f => f != ed && f != es);
        Assert.IsFalse(labels.Frame(other).Span.ContainsAnyExcept(0f), "frames not asked for stay unlabeled");
    }

    [TestMethod]
    public async Task Segment_CineWithoutFrames_DetectsEdAndEsFromPredictedLvVolume()
    {
        await using RunningServer server = await F.StartAsync();

        SegmentResponse r = await ReadOk(await server.SegmentAsync(F.ScanGz, query: "?inline=true"));

        Assert.AreEqual("detected", r.FrameSource);
        Assert.HasCount(F.Scan.Frames, r.Frames);
        Assert.AreEqual(r.Frames.MaxBy(f => f.LvMl)!.Frame, r.Ed);
        Assert.AreEqual(r.Frames.MinBy(f => f.LvMl)!.Frame, r.Es);
        Assert.AreEqual(r.Frames.Single(f => f.Frame == r.Ed).LvMl, r.Indices!.LvEdvMl, 1e-12);
        Assert.IsNotNull(r.LabelsBase64, "inline=true returns the labels as base64 too");
        using var ms = new MemoryStream(Convert.FromBase64String(r.LabelsBase64));
        Assert.AreEqual(F.Scan.Frames, NiftiReader.Read(ms, "labels").Frames);
        Assert.IsNull(r.Scanner, "no classifier, no verdict");
    }

    [TestMethod]
    public async Task Segment_CarriesTheQualityVerdictOfEverySegmentedFrame()
    {
        await using RunningServer server = await F.StartAsync();
        int ed = F.Subject.Info.EdFrame, es = F.Subject.Info.EsFrame;

        SegmentResponse r = await ReadOk(await server.SegmentAsync(F.ScanGz, query: $"?ed={ed}&es={es}"));

        Assert.IsNotNull(r.Quality, "the fixture's model has a QualityControl stage");
        CollectionAssert.AreEqual(new[] { ed, es }.Order().ToArray(), r.Quality.Select(q => q.Frame).ToArray());
        using CardiacModel model = CardiacModel.Load(F.ModelDirectory, SegmentationBackend.TorchSharp);
        foreach (QualityInfo q in r.Quality)
        {
            CollectionAssert.AreEquivalent(new[] { "LV", "MYO", "RV" }, q.PredictedDice.Keys.ToArray());
            foreach (var d in q.PredictedDice.Values)
                Assert.IsTrue(d.Low <= d.Predicted && d.Predicted <= d.High && d.Low >= 0 && d.High <= 1, $"{d}");
            Assert.AreEqual(model.QualityControl!.Assessor.Threshold, q.ShiftThreshold, 1e-12);
            Assert.AreEqual(q.Flagged, q.Reasons.Count > 0);
            foreach (string reason in q.Reasons) Assert.IsTrue(r.Warnings.Any(w => w.EndsWith(reason, StringComparison.Ordinal)), reason);
        }
        Assert.IsTrue(r.TimingsMs.ContainsKey("quality"));

        // A cine without ed/es: every frame is segmented, the verdict covers the detected ED and ES frames only.
        SegmentResponse all = await ReadOk(await server.SegmentAsync(F.ScanGz));
        CollectionAssert.AreEqual(new[] { all.Ed!.Value, all.Es!.Value }.Distinct().Order().ToArray(), all.Quality!.Select(q => q.Frame).ToArray());
    }

    [TestMethod]
    public async Task Segment_StrictClassifier_WarnsOfAnUnfamiliarScanner()
    {
        await using RunningServer server = await F.StartAsync(o => o with { ClassifierDirectory = F.StrictClassifierDirectory });

        SegmentResponse r = await ReadOk(await server.SegmentAsync(F.ScanGz, query: $"?ed={F.Subject.Info.EdFrame}&es={F.Subject.Info.EsFrame}"));

        Assert.IsTrue(r.Scanner!.Unfamiliar);
        Assert.AreEqual(1.5, r.Scanner.Threshold);
        Assert.IsTrue(r.Warnings.Any(w => w.Contains("Unfamiliar scanner", StringComparison.Ordinal)), string.Join(" | ", r.Warnings));
    }

    [TestMethod]
    public async Task Segment_Oversize_Returns413WithReason()
    {
        await using RunningServer server = await F.StartAsync(o => o with { MaxUploadBytes = 1 << 20 });
        byte[] big = new byte[3 << 20];
        F.ScanGz.AsSpan(0, Math.Min(F.ScanGz.Length, big.Length)).CopyTo(big); // a gzip start, then more than the limit

        JsonElement problem = await ReadProblem(await server.SegmentAsync(big), HttpStatusCode.RequestEntityTooLarge);

        StringAssert.Contains(problem.GetProperty("detail").GetString(), "exceeds the limit of 1048576 bytes");
    }

    [TestMethod]
    public async Task Segment_TooManyVoxels_Returns413()
    {
        await using RunningServer server = await F.StartAsync(o => o with { MaxVoxelCount = 1000 });

        JsonElement problem = await ReadProblem(await server.SegmentAsync(F.ScanGz), HttpStatusCode.RequestEntityTooLarge);

        StringAssert.Contains(problem.GetProperty("detail").GetString(), "the limit is 1000");
    }

    [TestMethod]
    public async Task Segment_NotNiftiThoughNamedNiiGz_Returns415WithReason()
    {
        await using RunningServer server = await F.StartAsync();
        byte[] png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, .. new byte[400]];

        JsonElement problem = await ReadProblem(await server.SegmentAsync(png, fileName: "scan.nii.gz"), HttpStatusCode.UnsupportedMediaType);

        StringAssert.Contains(problem.GetProperty("detail").GetString(), "neither gzip nor a NIfTI-1/2 header");
    }

    [TestMethod]
    public async Task Segment_GzipOfSomethingElse_Returns415()
    {
        await using RunningServer server = await F.StartAsync();
        using var memory = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(memory, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gz.Write("hello, this is text and not an image"u8);

        JsonElement problem = await ReadProblem(await server.SegmentAsync(memory.ToArray()), HttpStatusCode.UnsupportedMediaType);

        StringAssert.Contains(problem.GetProperty("detail").GetString(), "its content is not a NIfTI");
    }

    [TestMethod]
    [DataRow(200)]
    [DataRow(0.6)]
    public async Task Segment_TruncatedGzip_Returns400WithReason(double keep)
    {
        await using RunningServer server = await F.StartAsync();
        int length = keep > 1 ? (int)keep : (int)(F.ScanGz.Length * keep);

        JsonElement problem = await ReadProblem(await server.SegmentAsync(F.ScanGz[..length]), HttpStatusCode.BadRequest);

        string detail = problem.GetProperty("detail").GetString()!;
        Assert.IsTrue(detail.Contains("truncated", StringComparison.OrdinalIgnoreCase) || detail.Contains("corrupt", StringComparison.OrdinalIgnoreCase), detail);
    }

    [TestMethod]
    public async Task Segment_FrameOutOfRange_Returns400NamingTheField()
    {
        await using RunningServer server = await F.StartAsync();

        JsonElement problem = await ReadProblem(await server.SegmentAsync(F.ScanGz, query: "?ed=0&es=99"), HttpStatusCode.BadRequest);

        StringAssert.Contains(problem.GetProperty("detail").GetString(), "es=99");
    }

    [TestMethod]
    public async Task Segment_MoreConcurrentRequestsThanWorkers_AreQueuedAndAllSucceed()
    {
        await using RunningServer server = await F.StartAsync(o => o with { Workers = 1, QueueLimit = 8 });
        string query = $"?ed={F.Subject.Info.EdFrame}&es={F.Subject.Info.EsFrame}";
        (Task<HttpResponseMessage> first, _) = await HoldTheWorkerAsync(server);

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => server.SegmentAsync(F.ScanGz, query)));
        SegmentResponse[] results = await Task.WhenAll(responses.Select(ReadOk));
        Assert.AreEqual(HttpStatusCode.OK, (await first).StatusCode, "the long request is served too");

        Assert.HasCount(5, results.Select(r => r.Id).Distinct().ToArray());
        Assert.HasCount(1, results.Select(r => r.Indices!.LvEfPercent).Distinct().ToArray(), "same scan, same answer");
        double longestSegment = results.Max(r => r.TimingsMs["segment"]);
        Assert.IsTrue(results.All(r => r.TimingsMs["queue"] > 0) && results.Any(r => r.TimingsMs["queue"] >= 0.5 * longestSegment),
            $"with one worker some requests waited: queue ms {string.Join(", ", results.Select(r => r.TimingsMs["queue"].ToString("F0")))}");
        var health = await server.Client.GetFromJsonAsync<HealthInfo>(new Uri("/healthz", UriKind.Relative), Json);
        Assert.AreEqual(0, health!.Busy);
        Assert.AreEqual(0, health.Waiting);
    }

    [TestMethod]
    public async Task Segment_QueueFull_Returns503WithRetryAfter()
    {
        await using RunningServer server = await F.StartAsync(o => o with { Workers = 1, QueueLimit = 0 });

        // The first request segments every frame of a long cine (the scan's frames repeated) and keeps the only worker
        // busy for seconds; the others arrive while it is. Enough pool threads that the server admits them meanwhile.
        (Task<HttpResponseMessage> first, _) = await HoldTheWorkerAsync(server);
        string query = $"?ed={F.Subject.Info.EdFrame}&es={F.Subject.Info.EsFrame}";
        HttpResponseMessage[] others = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => server.SegmentAsync(F.ScanGz, query)));
        HttpResponseMessage[] responses = [await first, .. others];

        Assert.AreEqual(HttpStatusCode.OK, responses[0].StatusCode, "the first request is served");
        HttpResponseMessage refused = responses.First(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        JsonElement problem = await ReadProblem(refused, HttpStatusCode.ServiceUnavailable);
        StringAssert.Contains(problem.GetProperty("title").GetString(), "Queue full");
        Assert.IsNotNull(refused.Headers.RetryAfter);
    }

    [TestMethod]
    public async Task Segment_ClientAborts_WorkIsCancelledAndTheWorkerFreed()
    {
        await using RunningServer server = await F.StartAsync(o => o with { Workers = 1 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        // Detection segments every frame: long enough to be cut off.
        await Assert.ThrowsAsync<OperationCanceledException>(() => server.SegmentAsync(F.ScanGz, cancellationToken: cts.Token));

        var service = (SegmentationService)server.App.Services.GetService(typeof(SegmentationService))!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (service.Busy > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.AreEqual(0, service.Busy, "the aborted request releases its worker");
        Assert.AreEqual(0, service.Results.Count, "a cancelled request stores no result");
        // And the next request is served normally.
        await ReadOk(await server.SegmentAsync(F.ScanGz, query: "?ed=0&es=1"));
    }

    [TestMethod]
    public async Task Segment_Timeout_Returns503()
    {
        await using RunningServer server = await F.StartAsync(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(1) });

        JsonElement problem = await ReadProblem(await server.SegmentAsync(F.ScanGz), HttpStatusCode.ServiceUnavailable);

        StringAssert.Contains(problem.GetProperty("title").GetString(), "Timed out");
    }

    [TestMethod]
    public async Task ModelsHealthOpenApiAndPage_AreServed()
    {
        await using RunningServer server = await F.StartAsync(o => o with { ClassifierDirectory = F.ClassifierDirectory });

        var models = await server.Client.GetFromJsonAsync<ModelInfo[]>(new Uri("/api/models", UriKind.Relative), Json);
        var health = await server.Client.GetFromJsonAsync<HealthInfo>(new Uri("/healthz", UriKind.Relative), Json);
        string openApi = await server.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        string page = await server.Client.GetStringAsync(new Uri("/", UriKind.Relative));
        HttpResponseMessage missing = await server.Client.GetAsync(new Uri("/api/results/nothing/labels.nii.gz", UriKind.Relative));

        Assert.IsNotNull(models);
        Assert.HasCount(1, models);
        CollectionAssert.AreEqual(new[] { "A" }, models![0].TrainVendors.ToArray());
        Assert.AreEqual(64, models[0].InputSize);
        CollectionAssert.AreEqual(new[] { "A", "B" }, models[0].ScannerVendors.ToArray());
        Assert.AreEqual("ok", health!.Status);
        Assert.AreEqual(models[0].Id, health.Model);
        using (JsonDocument doc = JsonDocument.Parse(openApi))
        {
            JsonElement paths = doc.RootElement.GetProperty("paths");
            foreach (string p in new[] { "/api/segment", "/api/models", "/healthz", "/api/results/{id}/labels.nii.gz" })
                Assert.IsTrue(paths.TryGetProperty(p, out _), p);
        }
        StringAssert.Contains(page, "lib/niivue/niivue.umd.js");
        Assert.AreEqual(HttpStatusCode.NotFound, missing.StatusCode);
        if (EmbeddedAssets.HasViewer)
        {
            HttpResponseMessage bundle = await server.Client.GetAsync(new Uri("/lib/niivue/niivue.umd.js", UriKind.Relative));
            Assert.AreEqual(HttpStatusCode.OK, bundle.StatusCode);
            StringAssert.Contains(await bundle.Content.ReadAsStringAsync(), "Niivue");
        }
    }

    [TestMethod]
    public async Task ModelZipPath_WithClassifierZip_ServesTheFileAndItsScannerCheck()
    {
        // The model file itself (as `make run` leaves it in models/STUDY/ARM/seed-1/model.zip), not its folder.
        string zip = Path.Combine(F.ModelDirectory, "model.zip");
        await using RunningServer server = await F.StartAsync(o => o with { ModelDirectory = zip, ClassifierDirectory = Path.Combine(F.ClassifierDirectory, "model.zip") });

        var models = await server.Client.GetFromJsonAsync<ModelInfo[]>(new Uri("/api/models", UriKind.Relative), Json);
        SegmentResponse r = await ReadOk(await server.SegmentAsync(F.ScanGz));

        StringAssert.Contains(models![0].Id, "model.zip@");
        CollectionAssert.AreEqual(new[] { "A", "B" }, models[0].ScannerVendors.ToArray());
        Assert.IsNotNull(r.Scanner, "the classifier pipeline gives the scanner verdict");
        Assert.IsGreaterThan(0.0, r.Indices!.LvEdvMl, "the LV is segmented");
    }

    [TestMethod]
    public async Task Backend_DefaultIsOnnxRuntimeExportedInMemory_TorchSharpWhenAsked_SameLabelsAsTheLibrary()
    {
        int ed = F.Subject.Info.EdFrame, es = F.Subject.Info.EsFrame;
        var filesBefore = Directory.GetFiles(F.ModelDirectory).Order(StringComparer.Ordinal).ToArray();
        (SegmentResponse R, ModelInfo Model) onnx, torch;
        await using (RunningServer server = await F.StartAsync())
            onnx = (await ReadOk(await server.SegmentAsync(F.ScanGz, fields: [new("ed", $"{ed}"), new("es", $"{es}")])),
                (await server.Client.GetFromJsonAsync<ModelInfo[]>(new Uri("/api/models", UriKind.Relative), Json))![0]);
        await using (RunningServer server = await F.StartAsync(o => o with { Backend = SegmentationBackend.TorchSharp }))
            torch = (await ReadOk(await server.SegmentAsync(F.ScanGz, fields: [new("ed", $"{ed}"), new("es", $"{es}")])),
                (await server.Client.GetFromJsonAsync<ModelInfo[]>(new Uri("/api/models", UriKind.Relative), Json))![0]);

        Assert.AreEqual("onnxruntime", onnx.R.Model.Backend);
        Assert.AreEqual("onnxruntime", onnx.Model.Backend);
        Assert.AreEqual("torchsharp", torch.R.Model.Backend);
        Assert.AreEqual("torchsharp", torch.Model.Backend);
        CollectionAssert.AreEqual(filesBefore, Directory.GetFiles(F.ModelDirectory).Order(StringComparer.Ordinal).ToArray(), "the in-memory export writes nothing into the model folder");

        // The TorchSharp server gives the library's TorchSharp result (every frame normalised on its own statistics).
        using var savedTorch = MLCardiac.ML.CardiacModel.Load(F.ModelDirectory, SegmentationBackend.TorchSharp);
        SegmentationModel library = savedTorch.Segmentation!.Model;
        double voxelMl = F.Scan.SpacingMm.X * F.Scan.SpacingMm.Y * F.Scan.SpacingMm.Z / 1000;
        ClinicalIndices expected = ClinicalIndices.FromLabels(library.Segment(F.Scan, ed).Voxels, library.Segment(F.Scan, es).Voxels, voxelMl);
        Assert.AreEqual(expected.LvEdvMl, torch.R.Indices!.LvEdvMl, 1e-9);
        Assert.AreEqual(expected.LvEsvMl, torch.R.Indices.LvEsvMl, 1e-9);
        Assert.AreEqual(expected.RvEdvMl, torch.R.Indices.RvEdvMl, 1e-9);
        // Both backends run the same network: volumes agree up to arg-max near-ties (well under 1 %).
        Assert.AreEqual(torch.R.Indices.LvEdvMl, onnx.R.Indices!.LvEdvMl, 0.01 * torch.R.Indices.LvEdvMl + 1e-9);
    }

    [TestMethod]
    public void CommandLine_Backend_ParsedOrRefusedNamingTheOption()
    {
        Assert.AreEqual(SegmentationBackend.Auto, ServerCommandLine.Parse([]).Backend);
        Assert.AreEqual(SegmentationBackend.TorchSharp, ServerCommandLine.Parse(["--backend", "torchsharp"]).Backend);
        Assert.AreEqual(SegmentationBackend.OnnxRuntime, ServerCommandLine.Parse(["--backend", "OnnxRuntime"]).Backend);
        var e = Assert.ThrowsExactly<MLCardiacException>(() => ServerCommandLine.Parse(["--backend", "cuda"]));
        StringAssert.Contains(e.Message, "--backend cuda");
    }

    [TestMethod]
    public void Build_MissingModel_SaysHowToMakeOne()
    {
        var e = Assert.ThrowsExactly<MLCardiacException>(() => ServerApp.Build(new ServerOptions { ModelDirectory = Path.Combine(F.Root, "none") }));
        StringAssert.Contains(e.Message, "make serve");
    }

    [TestMethod]
    public void ResultStore_BeyondCountOrLifetime_ForgetsTheOldest()
    {
        var clock = new ManualClock();
        var store = new ResultStore(TimeSpan.FromMinutes(1), 2, clock);
        store.Add("a", [1]);
        store.Add("b", [2]);
        store.Add("c", [3]);
        Assert.IsNull(store.Get("a"), "count bound evicts the oldest");
        CollectionAssert.AreEqual(new byte[] { 2 }, store.Get("b"));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.IsNull(store.Get("c"), "expired");
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public void Advance(TimeSpan by) => _now += by;
        public override DateTimeOffset GetUtcNow() => _now;
    }

    /// <summary>
    /// Posts a long cine (the scan's frames repeated, every frame segmented) and returns once the only worker is busy
    /// with it, so requests sent next must wait or be refused whatever the machine's speed.
    /// </summary>
    private static async Task<(Task<HttpResponseMessage> First, SegmentationService Service)> HoldTheWorkerAsync(RunningServer server)
    {
        ThreadPool.GetMinThreads(out int workerThreads, out int ioThreads);
        ThreadPool.SetMinThreads(Math.Max(workerThreads, 16), ioThreads);
        Volume scan = F.Scan;
        int repeats = (int)Math.Clamp(40_000_000L / scan.Data.Length, 2, 32);
        var frames = new float[scan.Data.Length * repeats];
        for (int r = 0; r < repeats; r++) scan.Data.CopyTo(frames, r * scan.Data.Length);
        byte[] longCine = ServerFixture.Gzip(new Volume(frames, [scan.SizeX, scan.SizeY, scan.SizeZ, scan.Frames * repeats], scan.SpacingMm, scan.VoxelToWorld, scan.TimeStepS));
        SegmentationService service = server.App.Services.GetRequiredService<SegmentationService>();
        Task<HttpResponseMessage> first = server.SegmentAsync(longCine);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (service.Busy == 0)
        {
            if (first.IsCompleted) Assert.Fail($"the long request finished before it was seen busy: {(int)(await first).StatusCode}");
            Assert.IsLessThan(TimeSpan.FromSeconds(60), watch.Elapsed, "the long request never became busy");
            Thread.Sleep(2);
        }
        return (first, service);
    }
}
