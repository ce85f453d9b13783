using System.IO.Compression;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using Microsoft.ML;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Server;
using MLCardiac.Tests.Data;
using MLCardiac.Training;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace MLCardiac.Tests.Server;

/// <summary>
/// What the server tests share, made once per test run: a tiny U-Net pipeline trained on a few synthetic vendor-A
/// subjects (64×64 at 2.5 mm, a few epochs) saved as model.zip in a model folder, a tiny vendor classifier (A vs B), and
/// synthetic cine scans to upload. Servers are started on loopback port 0 with whatever options a test needs.
/// </summary>
internal sealed class ServerFixture
{
    private static readonly Lazy<ServerFixture> Instance = new(() => new ServerFixture(), LazyThreadSafetyMode.ExecutionAndPublication);

    private ServerFixture()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Root = Path.Combine(Path.GetTempPath(), "mlcardiac-server-tests-" + Guid.NewGuid().ToString("N"));
        string data = Path.Combine(Root, "data");
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(data, new SyntheticDatasetRequest
        {
            Vendors = [VendorProfiles.A, VendorProfiles.B],
            SubjectsPerVendor = 3,
        });
        double tData = clock.Elapsed.TotalSeconds;
        DatasetIndex index = MnmsLayout.Load(data);
        var preprocessing = new PreprocessingOptions { Size = 64, SpacingMm = 2.5 };
        double tPrep = clock.Elapsed.TotalSeconds;

        // Both models through the product's one path: ML.NET pipelines saved as model.zip.
        var cardiac = new MLContext(11).CardiacSegmentation();
        var unet = new UNetOptions { BaseFilters = 8, Depth = 3 };
        var pipeline = new SegmentationPipelineOptions
        {
            Preprocessing = preprocessing,
            Trainer = new SegmentationTrainerOptions { Network = unet, Epochs = 3, IterationsPerEpoch = 16, BatchSize = 8, LearningRate = 3e-3, Seed = 11, TrainVendors = ["A"] },
            QualityControl = new QualityControlOptions { Degradations = 1 },
        };
        IDataView vendorA = cardiac.Data.FromRecords(index.Records.Where(r => r.Vendor == "A"));
        var model = cardiac.FitPipeline(pipeline, vendorA);
        ModelDirectory = Path.Combine(Root, "model");
        Directory.CreateDirectory(ModelDirectory);
        try { cardiac.SaveModel(model, vendorA.Schema, Path.Combine(ModelDirectory, CardiacModel.FileName)); }
        finally { foreach (var stage in model.OfType<IDisposable>()) stage.Dispose(); }
        double tTrain = clock.Elapsed.TotalSeconds;

        var classifierOptions = new VendorClassifierOptions
        {
            Network = new ResNetOptions { BaseWidth = 4, BlocksPerStage = [1, 1, 1] },
            Epochs = 1, IterationsPerEpoch = 4, BatchSize = 8, LearningRate = 3e-3, FalseAlarmRate = 0.1, Seed = 3, CalibrationFraction = 0,
        };
        double tSegmenter = clock.Elapsed.TotalSeconds;
        IDataView all = cardiac.Data.FromRecords(index.Records);
        var classifierChain = cardiac.Transforms.LoadNifti().Append(cardiac.Transforms.Preprocess(preprocessing)).Append(cardiac.Trainers.VendorClassifier(classifierOptions)).Fit(all);
        using (VendorClassifierTransformer classifier = classifierChain.LastTransformer)
        {
            ClassifierDirectory = Path.Combine(Root, "classifier");
            Directory.CreateDirectory(ClassifierDirectory);
            cardiac.SaveModel(classifierChain, all.Schema, Path.Combine(ClassifierDirectory, CardiacModel.FileName));
            CalibratedThreshold = classifier.Classifier.Threshold;
            // A copy whose threshold no confidence can reach: every scan is "unfamiliar" (tests the warning's wiring).
            classifier.Classifier.Threshold = 1.5;
            StrictClassifierDirectory = Path.Combine(Root, "classifier-strict");
            Directory.CreateDirectory(StrictClassifierDirectory);
            cardiac.SaveModel(classifierChain, all.Schema, Path.Combine(StrictClassifierDirectory, CardiacModel.FileName));
        }

        // Held-out subjects (indices the dataset writer did not use) as uploads.
        Subject = SyntheticTestCohort.Get(VendorProfiles.A, 40);
        ScanGz = Gzip(ToVolume(Subject));
        // What the server sees: the bytes read back (NIfTI stores the spacing as float32).
        using var stream = new MemoryStream(ScanGz);
        Scan = NiftiReader.Read(stream, "scan");
        SetupSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"server fixture: {SetupSeconds:F1} s (data {tData:F1}, prepared {tPrep:F1}, segmenter trained at {tTrain:F1}, classifier started at {tSegmenter:F1}); scan {string.Join('×', Scan.Shape)}, {ScanGz.Length} bytes");
    }

    /// <summary>The shared fixture (trains on first use).</summary>
    public static ServerFixture Shared => Instance.Value;

    /// <summary>Folder holding everything the fixture wrote.</summary>
    public string Root { get; }

    /// <summary>The trained model folder.</summary>
    public string ModelDirectory { get; } = "";

    /// <summary>The vendor classifier with its calibrated threshold.</summary>
    public string ClassifierDirectory { get; }

    /// <summary>The same classifier with threshold 1.5 (flags everything).</summary>
    public string StrictClassifierDirectory { get; }

    /// <summary>The calibrated threshold.</summary>
    public double CalibratedThreshold { get; }

    /// <summary>The synthetic subject behind <see cref="Scan"/>.</summary>
    public SyntheticSubject Subject { get; }

    /// <summary>A synthetic 4D cine (vendor A, not in training).</summary>
    public Volume Scan { get; }

    /// <summary>Seconds the fixture took to make (data, training, classifier).</summary>
    public double SetupSeconds { get; }

    /// <summary><see cref="Scan"/> as .nii.gz bytes.</summary>
    public byte[] ScanGz { get; }

    /// <summary>The subject's cine as a volume.</summary>
    public static Volume ToVolume(SyntheticSubject s) =>
        new(s.Image.ToArray(), [s.SizeX, s.SizeY, s.SliceCount, s.FrameCount], new Spacing(s.PixelSpacingMm, s.PixelSpacingMm, s.SliceThicknessMm), timeStepS: 0.03);

    /// <summary><paramref name="v"/> as .nii.gz bytes (int16 voxels).</summary>
    public static byte[] Gzip(Volume v)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            NiftiWriter.Write(v, gz, new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
        return memory.ToArray();
    }

    /// <summary>Starts a server on 127.0.0.1 port 0 with the fixture's model; <paramref name="configure"/> adjusts the options.</summary>
    public async Task<RunningServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null)
    {
        // The test process hosts many servers and other tests: the budget must not become its GC heap limit.
        var options = new ServerOptions { ModelDirectory = ModelDirectory, Urls = "http://127.0.0.1:0", LimitHeapToBudget = false };
        if (configure is not null) options = configure(options);
        WebApplication app = ServerApp.Build(options, l => l.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync().ConfigureAwait(false);
        return new RunningServer(app, new Uri(ServerApp.Addresses(app)[0]));
    }

    /// <summary>Deletes what the fixture wrote, if it was made.</summary>
    public static void DeleteIfMade()
    {
        if (Instance.IsValueCreated && Directory.Exists(Instance.Value.Root)) Directory.Delete(Instance.Value.Root, recursive: true);
    }
}

/// <summary>A started server and an HTTP client for it; disposing stops both.</summary>
internal sealed class RunningServer(WebApplication app, Uri address) : IAsyncDisposable
{
    /// <summary>The app.</summary>
    public WebApplication App { get; } = app;

    /// <summary>Base address (http://127.0.0.1:PORT).</summary>
    public Uri Address { get; } = address;

    /// <summary>A client with a generous timeout.</summary>
    public HttpClient Client { get; } = new() { BaseAddress = address, Timeout = TimeSpan.FromMinutes(3) };

    /// <summary>POSTs <paramref name="bytes"/> as the multipart file part "file" named <paramref name="fileName"/> to /api/segment<paramref name="query"/>.</summary>
    public Task<HttpResponseMessage> SegmentAsync(byte[] bytes, string query = "", string fileName = "scan.nii.gz", IEnumerable<KeyValuePair<string, string>>? fields = null, CancellationToken cancellationToken = default)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        foreach (var (k, v) in fields ?? []) form.Add(new StringContent(v), k);
        return Client.PostAsync(new Uri("/api/segment" + query, UriKind.Relative), form, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
