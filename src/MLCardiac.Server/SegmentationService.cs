using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Preprocessing;
using MLCardiac.Server.Contracts;
using MLCardiac.Training;
using Microsoft.Extensions.Logging;

namespace MLCardiac.Server;

/// <summary>
/// The service's work: decodes an upload in memory, queues it for one of a bounded set of workers (each with its
/// own model instance — a TorchSharp module is not safe for concurrent forward passes), segments the frames,
/// computes volumes and clinical indices, asks the vendor classifier about the scanner and keeps the label volume
/// for download. Requests beyond the workers wait in a queue of bounded length; beyond that they are refused (503).
/// </summary>
public sealed class SegmentationService : IDisposable
{
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<Worker> _idle = new();
    private readonly List<Worker> _all = [];
    private readonly SemaphoreSlim _slots;
    private int _pending, _busy;

    /// <summary>Loads <see cref="ServerOptions.Workers"/> copies of the model (and classifier); throws <see cref="MLCardiacException"/> naming what is missing.</summary>
    public SegmentationService(ServerOptions options, ResultStore results, ILogger<SegmentationService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _logger = logger;
        Results = results;
        try
        {
            for (int i = 0; i < options.Workers; i++)
            {
                CardiacModel model = CardiacModel.Load(options.ModelDirectory, options.Backend, onnxRuntime: null, exportOnnxIfMissing: true);
                if (model.Segmentation is null)
                {
                    model.Dispose();
                    throw new MLCardiacException($"{model.FilePath}: the pipeline has no segmentation stage (a vendor classifier goes to --classifier).");
                }
                // The scanner check: the model file's own vendor-classifier stage, or a classifier pipeline of its own.
                CardiacModel? classifierModel = null;
                if (options.ClassifierDirectory is not null)
                {
                    try { classifierModel = CardiacModel.Load(options.ClassifierDirectory, SegmentationBackend.TorchSharp); }
                    catch { model.Dispose(); throw; }
                    if (classifierModel.VendorClassifier is null)
                    {
                        model.Dispose();
                        classifierModel.Dispose();
                        throw new MLCardiacException($"{options.ClassifierDirectory}: the pipeline has no vendor-classifier stage.");
                    }
                }
                VendorClassifierTransformer? classifier = classifierModel?.VendorClassifier ?? model.VendorClassifier;
                var worker = new Worker(model, classifierModel, model.Segmentation.Model, classifier?.Classifier,
                    classifier is null ? null : new Preprocessor(classifier.Preprocessing));
                _all.Add(worker);
                _idle.Enqueue(worker);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        _slots = new SemaphoreSlim(options.Workers, options.Workers);
        Worker first = _all[0];
        Model = new ModelInfo(
            $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(first.File.FilePath)))}/{Path.GetFileName(first.File.FilePath)}@{first.File.Sha256[..12]}",
            first.Model.Description.Kind,
            first.Model.Description.TrainVendors,
            first.Model.Description.TargetVendors,
            first.Model.Description.Preprocessing.Size,
            first.Model.Description.Preprocessing.SpacingMm,
            first.Model.Backend is OnnxRuntimeBackend ? "onnxruntime" : "torchsharp",
            first.Classifier?.Vendors ?? [],
            first.Classifier?.Threshold);
    }

    /// <summary>The served model.</summary>
    public ModelInfo Model { get; }

    /// <summary>Where label volumes are kept for download.</summary>
    public ResultStore Results { get; }

    /// <summary>Requests being segmented now.</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Requests waiting for a worker.</summary>
    public int Waiting => Math.Max(0, Volatile.Read(ref _pending) - Busy);

    /// <summary>
    /// Segments <paramref name="upload"/>: frames <paramref name="ed"/>/<paramref name="es"/> of a cine, or — when
    /// both are null — every frame, ED and ES then being the frames of largest and smallest predicted LV volume.
    /// Admission comes first and decodes nothing: the header alone gives the voxels, and the memory the request will
    /// hold (<see cref="EstimateBytes"/>) is reserved in <paramref name="reservation"/> before it queues; the image
    /// is decoded only once a worker is free.
    /// </summary>
    /// <exception cref="ApiException">The upload or the frame choice is refused (the status says why), or the memory
    /// budget cannot hold the request or the queue is full (503).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (client gone or timeout).</exception>
    public async Task<SegmentResponse> SegmentAsync(Upload upload, MemoryBudget.Reservation reservation, int? ed, int? es, bool inline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(reservation);
        var total = Stopwatch.StartNew();
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);

        var clock = Stopwatch.StartNew();
        long bytes = upload.Length;
        ImageSize size = ReadSize(upload);
        int[] frames = ChooseFrames(size.Frames, ed, es);
        long need = EstimateBytes(size, frames.Length);
        if (!reservation.TryGrow(need))
            throw Upload.OverBudget($"an image of {size.Voxels} voxels", need);
        timings["admit"] = clock.Elapsed.TotalMilliseconds;

        if (Interlocked.Increment(ref _pending) > _options.Workers + _options.QueueLimit)
        {
            Interlocked.Decrement(ref _pending);
            throw new ApiException(503, "Queue full", $"{_options.QueueLimit} requests are already waiting; retry shortly.");
        }
        try
        {
            clock.Restart();
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            timings["queue"] = clock.Elapsed.TotalMilliseconds;
            Interlocked.Increment(ref _busy);
            if (!_idle.TryDequeue(out Worker? worker)) throw new InvalidOperationException("no idle worker although a slot was free");
            try
            {
                clock.Restart();
                Volume image = Decode(upload);
                upload.Dispose(); // the compressed bytes are no longer needed: their blocks go back to the pool now
                timings["read"] = clock.Elapsed.TotalMilliseconds;
                SegmentResponse response = Run(worker, image, bytes, frames, ed is null && frames.Length > 1, inline, timings, cancellationToken);
                timings["total"] = total.Elapsed.TotalMilliseconds;
                if (_logger.IsEnabled(LogLevel.Information))
                    Log.Segmented(_logger, response.Id, bytes, string.Join('×', image.Shape), frames.Length, response.FrameSource, timings["total"]);
                return response;
            }
            finally
            {
                // libtorch (quality control, vendor classifier) and ONNX Runtime free their working memory into malloc's
                // arenas, which keep it: under back-to-back requests the resident set grew by about 150 MiB a request
                // (a 2D U-Net with its quality-control stage, 20 MB cines) until the give-back after a burst. Trimmed here,
                // each request's native memory goes back as the request ends, and the baseline's working memory holds.
                ProcessMemory.TrimNativeHeap();
                _idle.Enqueue(worker);
                Interlocked.Decrement(ref _busy);
                _slots.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>
    /// Bytes a request for <paramref name="size"/> holds at its peak, <paramref name="segmentedFrames"/> of them segmented:
    /// the decoded image and the label volume (float32 each: <see cref="BytesPerVoxel"/>), the working arrays of one frame
    /// (resampling, normalisation, probabilities restored to the image grid: <see cref="BytesPerFrameVoxel"/>), the networks'
    /// working memory that grows with one frame's slices (<see cref="NetworkBytesPerSlice"/>), and the encoded label volume.
    /// </summary>
    public long EstimateBytes(ImageSize size, int segmentedFrames)
    {
        ArgumentNullException.ThrowIfNull(size);
        long perFrame = size.Voxels / Math.Max(1, size.Frames);
        long network = size.Slices * Math.Max(NetworkBytesPerSlice, (long)Model.InputSize * Model.InputSize * BytesPerNetworkPixel);
        return size.Voxels * BytesPerVoxel + perFrame * BytesPerFrameVoxel + network + size.Voxels / 8;
    }

    /// <summary>Bytes per voxel of the whole image a request holds: the decoded float32 image and the float32 label volume.</summary>
    public const int BytesPerVoxel = 8;

    /// <summary>Bytes per voxel of one frame held while that frame is segmented (working arrays on the image grid).</summary>
    public const int BytesPerFrameVoxel = 48;

    /// <summary>Bytes per pixel of the network's slices for one frame (input, logits, probabilities, mirrored copies).</summary>
    public const int BytesPerNetworkPixel = 64;

    /// <summary>
    /// Runs each worker through what a request does with its networks — the segmentation (ONNX Runtime or TorchSharp),
    /// the vendor classifier and the quality-control stage's forward passes — on stacks of <see cref="WarmUpSlices"/> and
    /// twice as many slices at the model's size, so that what inference needs once (code paths, ONNX Runtime's arenas) is
    /// in place before the service measures its baseline, and measures the networks' working memory: the most resident
    /// memory a worker held while working above what the process keeps once it is done (libtorch's activations, ONNX
    /// Runtime's run buffers). Its part that grows with the stack (a 3D network sees the whole stack; a 2D one batches of
    /// <see cref="WarmUpSlices"/>) becomes <see cref="NetworkBytesPerSlice"/>, which every request reserves per slice
    /// (<see cref="EstimateBytes"/>); the rest, for every worker — all may work at once — is returned for the baseline.
    /// The warm-up stacks' own arrays are counted in it too, which errs on the safe side.
    /// </summary>
    /// <remarks>
    /// Measured with bench <c>attack</c> (5 legitimate 20 MB cines per phase, 1.125 GiB budget) before the working memory
    /// was counted: a trained 2D U-Net pipeline (16 filters, 128², with its quality-control stage) peaked at 1210–1846 MiB
    /// and a 3D U-Net's at 1571–2292 MiB (1.99 × the budget), while a bare network — what the warm-up ran then, on two 48²
    /// slices, and what the bench served — stayed within it; after, 834–1029 and 1018–1302 MiB (README, "Memory budget").
    /// </remarks>
    public long WarmUp()
    {
        long fixedBytes = 0, perSlice = (long)Model.InputSize * Model.InputSize * BytesPerNetworkPixel;
        foreach (Worker w in _all)
        {
            long small = Working(w, WarmUpSlices), large = Working(w, 2 * WarmUpSlices);
            long growth = Math.Max(0, (large - small) / WarmUpSlices);
            perSlice = Math.Max(perSlice, growth);
            fixedBytes += Math.Max(0, small - growth * WarmUpSlices);
        }
        NetworkBytesPerSlice = perSlice;
        return fixedBytes;
    }

    /// <summary>Slices of the smaller warm-up stack: the batch the networks of a 2D model run at once (segmentation and quality control).</summary>
    public const int WarmUpSlices = 16;

    /// <summary>
    /// Bytes of the networks' working memory per slice of a frame (at least the input, logits and probabilities:
    /// <see cref="BytesPerNetworkPixel"/> per pixel), as <see cref="WarmUp"/> measured it.
    /// </summary>
    public long NetworkBytesPerSlice { get; private set; }

    /// <summary>The networks' working memory for a stack of <paramref name="slices"/> noise slices: peak resident bytes above what stays.</summary>
    private long Working(Worker w, int slices)
    {
        int size = Model.InputSize;
        var random = new Random(1);
        var data = new float[size * size * slices];
        for (int i = 0; i < data.Length; i++) data[i] = random.Next(1000);
        var stack = new Volume(data, [size, size, slices], new Spacing(Model.SpacingMm, Model.SpacingMm, 8));
        ProcessMemory.Settle();
        ProcessMemory.ResetPeak();
        Volume labels = w.Model.Segment(stack, 0);
        if (w.Classifier is not null) Classify(w, stack, 0);
        w.File.QualityControl?.Assess(stack, 0, labels.Data.AsSpan(0, stack.VoxelsPerFrame));
        long peak = ProcessMemory.Peak();
        GC.KeepAlive(stack);
        ProcessMemory.Settle();
        return Math.Max(0, peak - ProcessMemory.Resident);
    }

    /// <summary>What a NIfTI header declares: voxels in all, slices per frame and frames.</summary>
    /// <param name="Voxels">Voxels of all frames.</param>
    /// <param name="Slices">Slices (the third dimension).</param>
    /// <param name="Frames">Frames (the fourth dimension; 1 for a 3D image).</param>
    public sealed record ImageSize(long Voxels, int Slices, int Frames);

    /// <summary>Identifies the upload by its bytes and reads its header only: the declared size, checked against the voxel limit.</summary>
    private ImageSize ReadSize(Upload upload)
    {
        UploadSniffer.Check(upload.OpenRead());
        NiftiHeader h;
        try
        {
            h = NiftiReader.ReadHeader(upload.OpenRead(), "upload");
        }
        catch (MLCardiacException e)
        {
            // The reader's messages name the stream ("upload") and the problem; they never quote header text.
            throw new ApiException(400, "Unreadable NIfTI", e.Message);
        }
        long rank = h.Dim[0];
        if (rank is < 1 or > 7)
            throw new ApiException(400, "Unreadable NIfTI", $"upload: dim[0] = {rank}: the number of dimensions must be 1..7.");
        long voxels = 1;
        for (int d = 1; d <= rank; d++)
        {
            if (h.Dim[d] < 1)
                throw new ApiException(400, "Unreadable NIfTI", $"upload: dim[{d}] = {h.Dim[d]}: every dimension must be at least 1.");
            voxels = voxels <= long.MaxValue / h.Dim[d] ? voxels * h.Dim[d] : long.MaxValue;
        }
        if (voxels > _options.MaxVoxelCount)
            throw new ApiException(413, "Image too large", $"the image declares {voxels} voxels; the limit is {_options.MaxVoxelCount}.");
        return new ImageSize(voxels, rank >= 3 ? (int)h.Dim[3] : 1, rank >= 4 ? (int)h.Dim[4] : 1);
    }

    private Volume Decode(Upload upload)
    {
        var readOptions = new NiftiReadOptions { MaxVoxelCount = _options.MaxVoxelCount, MaxDecompressedBytes = _options.MaxDecompressedBytes };
        try
        {
            return NiftiReader.Read(upload.OpenRead(), "upload", readOptions);
        }
        catch (MLCardiacException e)
        {
            throw new ApiException(400, "Unreadable NIfTI", e.Message);
        }
    }

    /// <summary>The frames to segment of an image with <paramref name="frameCount"/> frames; throws 400 naming a bad choice.</summary>
    internal static int[] ChooseFrames(int frameCount, int? ed, int? es)
    {
        foreach (var (name, value) in new[] { ("ed", ed), ("es", es) })
            if (value < 0)
                throw new ApiException(400, "No such frame", $"{name}={value}: frames are 0-based indices (0 or more).");
        if (frameCount == 1)
        {
            if (ed is > 0 || es is > 0) throw new ApiException(400, "No such frame", "the image has one frame (3D); ed and es can only be 0.");
            return [0];
        }
        if (ed is null != es is null)
            throw new ApiException(400, "Incomplete frame choice", "give both ed and es (0-based frame indices), or neither to detect them.");
        if (ed is null) return Enumerable.Range(0, frameCount).ToArray();
        foreach (var (name, value) in new[] { ("ed", ed.Value), ("es", es!.Value) })
            if (value >= frameCount)
                throw new ApiException(400, "No such frame", $"{name}={value}: the cine has frames 0..{frameCount - 1}.");
        return ed == es ? [ed.Value] : [ed.Value, es!.Value];
    }

    private SegmentResponse Run(Worker worker, Volume image, long bytes, int[] frames, bool detect, bool inline, Dictionary<string, double> timings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int perFrame = image.VoxelsPerFrame;
        var labels = new float[(long)perFrame * image.Frames];
        var segmentMs = new Dictionary<int, double>();
        // Each frame is normalised on its own statistics, as the pipeline's Preprocess stage does for every row.
        foreach (int f in frames.Order())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var frameClock = Stopwatch.StartNew();
            Volume result = worker.Model.Segment(image, f);
            result.Data.AsSpan(0, perFrame).CopyTo(labels.AsSpan(f * perFrame, perFrame));
            segmentMs[f] = frameClock.Elapsed.TotalMilliseconds;
        }
        timings["segment"] = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        double voxelMl = image.SpacingMm.X * image.SpacingMm.Y * image.SpacingMm.Z / 1000;
        ReadOnlySpan<float> FrameLabels(int f) => labels.AsSpan(f * perFrame, perFrame);
        var volumes = frames.Order().ToDictionary(f => f, f => ClinicalIndices.FromLabels(FrameLabels(f), FrameLabels(f), voxelMl));
        int? ed = null, es = null;
        string source = "single";
        if (image.Frames > 1)
        {
            if (detect)
            {
                ed = volumes.MaxBy(kv => kv.Value.LvEdvMl).Key;
                es = volumes.MinBy(kv => kv.Value.LvEdvMl).Key;
                source = "detected";
            }
            else
            {
                ed = frames[0];
                es = frames[^1];
                source = "given";
            }
        }
        IndicesInfo? indices = null;
        if (ed is int e && es is int s)
        {
            ClinicalIndices c = ClinicalIndices.FromLabels(FrameLabels(e), FrameLabels(s), voxelMl);
            indices = new IndicesInfo(c.LvEdvMl, c.LvEsvMl, Finite(c.LvEfPercent), c.RvEdvMl, c.RvEsvMl, Finite(c.RvEfPercent), c.MyoMassG);
        }
        var frameVolumes = volumes.Select(kv => new FrameVolumes(kv.Key, kv.Key == ed ? "ED" : kv.Key == es ? "ES" : null,
            kv.Value.LvEdvMl, kv.Value.MyoMassG / ClinicalIndices.MyocardiumDensityGPerMl, kv.Value.RvEdvMl, kv.Value.MyoMassG, segmentMs[kv.Key])).ToList();
        timings["indices"] = clock.Elapsed.TotalMilliseconds;

        cancellationToken.ThrowIfCancellationRequested();
        clock.Restart();
        var warnings = new List<string>();
        ScannerVerdict? scanner = worker.Classifier is null ? null : Classify(worker, image, ed ?? frames[0]);
        if (scanner is { Unfamiliar: true })
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"Unfamiliar scanner: this scan looks unlike the vendors the model was trained on (confidence {scanner.Confidence:F2} < threshold {scanner.Threshold:F2}); check the segmentation carefully."));
        timings["classify"] = clock.Elapsed.TotalMilliseconds;
        warnings.AddRange(SegmentationPlausibility.Check(volumes, ed, es));

        // The model's own quality control (null: a model fitted without that stage) on the frames the indices come from —
        // ED and ES of a cine, or the single frame — not on every frame of a cine: three forward passes each.
        clock.Restart();
        List<QualityInfo>? quality = null;
        if (worker.File.QualityControl is { } qc)
        {
            quality = [];
            int[] judged = ed is int edFrame && es is int esFrame ? [.. new[] { edFrame, esFrame }.Distinct().Order()] : [.. frames.Order()];
            foreach (int f in judged)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var a = qc.Assess(image, f, FrameLabels(f), cancellationToken);
                quality.Add(new QualityInfo(f, a.Flagged, a.Reasons, a.ShiftScore, a.ShiftThreshold,
                    QualityFeatures.Structures.Select((n, k) => (n, k)).ToDictionary(t => t.n, t => new DiceEstimate(a.PredictedDice[t.k], a.PredictedDiceLow[t.k], a.PredictedDiceHigh[t.k]))));
                warnings.AddRange(a.Reasons.Where(r => !warnings.Contains(r)).Select(r => image.Frames > 1 ? $"Frame {f}: {r}" : r));
            }
        }
        timings["quality"] = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        byte[] gz = EncodeLabels(labels, image);
        string id = Guid.NewGuid().ToString("N");
        DateTimeOffset expires = Results.Add(id, gz);
        timings["encode"] = clock.Elapsed.TotalMilliseconds;

        var info = new ImageInfo(image.Shape, [image.SpacingMm.X, image.SpacingMm.Y, image.SpacingMm.Z], image.Frames, bytes);
        return new SegmentResponse(id, Model, info, ed, es, source, frameVolumes, indices, scanner, quality, warnings,
            $"/api/results/{id}/labels.nii.gz", expires, inline ? Convert.ToBase64String(gz) : null, timings);
    }

    private static ScannerVerdict Classify(Worker worker, Volume image, int frame)
    {
        Preprocessor prep = worker.ClassifierPreprocessor!;
        SliceGeometry geometry = prep.Plan(image);
        float[] slices = Preprocessor.Image(image, frame, geometry, prep.MeasureIntensity(image, frame));
        int size = geometry.Size, px = size * size;
        var list = new List<TrainingSlice>(geometry.SizeZ);
        for (int z = 0; z < geometry.SizeZ; z++)
            list.Add(new TrainingSlice(slices.AsSpan(z * px, px).ToArray(), null, size, size, 0, "upload"));
        VendorClassifier classifier = worker.Classifier!;
        VolumePrediction verdict = classifier.PredictVolumes(new SliceDataset(list, classifier.Vendors))[0];
        var probabilities = classifier.Vendors.Select((v, i) => (v, p: verdict.Probabilities[i])).ToDictionary(x => x.v, x => x.p, StringComparer.Ordinal);
        return new ScannerVerdict(classifier.Vendors[verdict.PredictedVendor], verdict.Confidence, classifier.Threshold, verdict.Unfamiliar, probabilities);
    }

    private static byte[] EncodeLabels(float[] labels, Volume image)
    {
        var volume = new Volume(labels, image.Shape, image.SpacingMm, image.VoxelToWorld, image.TimeStepS, NiftiDataType.UInt8);
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            NiftiWriter.Write(volume, gz, new NiftiWriteOptions { DataType = NiftiDataType.UInt8 }, "labels");
        return memory.ToArray();
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (Worker w in _all)
        {
            w.File.Dispose();
            w.ClassifierFile?.Dispose();
        }
        _all.Clear();
        _slots?.Dispose();
    }

    private sealed record Worker(CardiacModel File, CardiacModel? ClassifierFile, SegmentationModel Model, VendorClassifier? Classifier, Preprocessor? ClassifierPreprocessor);
}
