using MLCardiac.Inference;

namespace MLCardiac.Server;

/// <summary>
/// How the service runs: which model and classifier it serves, where it listens and the limits it enforces on
/// uploads and on the work queue. Every limit has a default that suits a laptop; all are checked by
/// <see cref="Validate"/> before the service starts.
/// </summary>
public sealed record ServerOptions
{
    /// <summary>Default <see cref="Urls"/>: loopback only, port 5080.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The model folder <c>make serve</c> trains on first use, used when no model is named.</summary>
    public const string DefaultModelDirectory = "models/unet-ab";

    /// <summary>The model file (<c>model.zip</c>) or a folder holding one — what <c>mlcardiac train</c>, <c>run</c> and <c>search</c> write.</summary>
    public string ModelDirectory { get; init; } = DefaultModelDirectory;

    /// <summary>
    /// Optional vendor-classifier model (file or folder, what <c>mlcardiac classify-vendor --out</c> writes); null: the model
    /// file's own vendor-classifier stage when it has one, else no scanner check.
    /// </summary>
    public string? ClassifierDirectory { get; init; }

    /// <summary>
    /// What runs the network: <see cref="SegmentationBackend.Auto"/> (default) and <see cref="SegmentationBackend.OnnxRuntime"/>
    /// use ONNX Runtime — measured faster than TorchSharp (src/MLCardiac/Onnx/README.md) — with the folder's
    /// <c>model.onnx</c> or, when it has none, the U-Net exported to ONNX in memory at start-up (nothing is written to the
    /// folder); <see cref="SegmentationBackend.TorchSharp"/> runs the weights with libtorch.
    /// </summary>
    public SegmentationBackend Backend { get; init; } = SegmentationBackend.Auto;

    /// <summary>Addresses to listen on, separated by ';' (Kestrel syntax); port 0 picks a free port. Default: <see cref="DefaultUrls"/>.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Largest accepted request body in bytes (the multipart upload); larger gets 413. Default 256 MiB.</summary>
    public long MaxUploadBytes { get; init; } = 256L << 20;

    /// <summary>Most voxels (all frames) an uploaded image may declare; more gets 413. Default 2²⁶ (e.g. 256×256×20×50).</summary>
    public long MaxVoxelCount { get; init; } = 1L << 26;

    /// <summary>Most bytes a .nii.gz upload may decompress to (the NIfTI reader's decompression-bomb guard). Default 1 GiB.</summary>
    public long MaxDecompressedBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Requests segmented at the same time. One model instance is not safe for concurrent forward passes, so the
    /// service holds one model per worker; default 1 (libtorch already uses every core for one request).
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>Requests allowed to wait for a worker; beyond that a request gets 503 with Retry-After. Default 32.</summary>
    public int QueueLimit { get; init; } = 32;

    /// <summary>Longest a request may take from arrival to answer (waiting included); past it the work is cancelled and 503 returned. Default 120 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a result's label NIfTI stays downloadable. Default 15 min.</summary>
    public TimeSpan ResultLifetime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Most results kept in memory at once (the oldest goes first). Default 64.</summary>
    public int MaxResults { get; init; } = 64;

    /// <summary>
    /// Memory the whole process may use, bytes (<c>--memory-budget</c>); what the loaded model holds at start-up is
    /// subtracted and requests reserve the rest (<see cref="MemoryBudget"/>); a request that does not fit gets 503 with
    /// Retry-After. Null (default): <see cref="MemoryBudget.DefaultShareOfAvailable"/> of the memory available to the
    /// process (container/cgroup limit, GC heap hard limit or the machine's memory).
    /// </summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>
    /// Slowest accepted upload, bytes per second, averaged after a grace period of <see cref="UploadGracePeriod"/>
    /// (Kestrel's MinRequestBodyDataRate); a slower or stalled client is disconnected. Default 1024.
    /// </summary>
    public double MinUploadBytesPerSecond { get; init; } = 1024;

    /// <summary>Grace period before <see cref="MinUploadBytesPerSecond"/> applies; longer than 1 s. Default 10 s.</summary>
    public TimeSpan UploadGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest a client may take to send the request headers (Kestrel's RequestHeadersTimeout). Default 15 s.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether the budget also becomes the .NET heap hard limit (less the native memory at start-up; see
    /// <see cref="MemoryBudget.LimitManagedHeap"/>), so garbage cannot carry the process past it. A process-wide setting:
    /// true (default) where the process is the service; false where the service is hosted beside other work (tests).
    /// </summary>
    public bool LimitHeapToBudget { get; init; } = true;

    /// <summary>How many of the most recent requests must all have failed (5xx) for <c>/healthz</c> to say "degraded". Default 5.</summary>
    public int HealthFailureWindow { get; init; } = 5;

    /// <summary>The backend named by <c>--backend</c>: <c>auto</c>, <c>torchsharp</c> or <c>onnxruntime</c> (any case); throws <see cref="MLCardiacException"/> otherwise.</summary>
    public static SegmentationBackend ParseBackend(string value) => value?.Trim().ToLowerInvariant() switch
    {
        "auto" => SegmentationBackend.Auto,
        "torchsharp" => SegmentationBackend.TorchSharp,
        "onnxruntime" => SegmentationBackend.OnnxRuntime,
        "onnxruntime-int8" => SegmentationBackend.OnnxRuntimeInt8,
        _ => throw new MLCardiacException($"--backend {value}: use auto, torchsharp, onnxruntime or onnxruntime-int8."),
    };

    /// <summary>Throws <see cref="MLCardiacException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelDirectory)) throw new MLCardiacException("--model: a model folder is required.");
        if (string.IsNullOrWhiteSpace(Urls)) throw new MLCardiacException("--urls: at least one address is required.");
        if (MaxUploadBytes < 1024) throw new MLCardiacException($"MaxUploadBytes {MaxUploadBytes}: must be at least 1024.");
        if (MaxVoxelCount < 1 || MaxVoxelCount > Array.MaxLength) throw new MLCardiacException($"MaxVoxelCount {MaxVoxelCount}: must be in 1..{Array.MaxLength}.");
        if (MaxDecompressedBytes < 1) throw new MLCardiacException($"MaxDecompressedBytes {MaxDecompressedBytes}: must be at least 1.");
        if (Workers is < 1 or > 64) throw new MLCardiacException($"--workers {Workers}: must be in 1..64.");
        if (QueueLimit < 0) throw new MLCardiacException($"--queue-limit {QueueLimit}: must be ≥ 0.");
        if (RequestTimeout <= TimeSpan.Zero) throw new MLCardiacException($"--timeout {RequestTimeout}: must be positive.");
        if (ResultLifetime <= TimeSpan.Zero) throw new MLCardiacException($"ResultLifetime {ResultLifetime}: must be positive.");
        if (!Enum.IsDefined(Backend)) throw new MLCardiacException($"--backend {Backend}: use auto, torchsharp, onnxruntime or onnxruntime-int8.");
        if (MaxResults < 1) throw new MLCardiacException($"MaxResults {MaxResults}: must be at least 1.");
        if (MemoryBudgetBytes is < 1) throw new MLCardiacException($"--memory-budget {MemoryBudgetBytes}: must be positive.");
        if (!(MinUploadBytesPerSecond > 0)) throw new MLCardiacException($"MinUploadBytesPerSecond {MinUploadBytesPerSecond}: must be positive.");
        if (UploadGracePeriod <= TimeSpan.FromSeconds(1)) throw new MLCardiacException($"UploadGracePeriod {UploadGracePeriod}: must be longer than 1 s (Kestrel's minimum).");
        if (RequestHeadersTimeout <= TimeSpan.Zero) throw new MLCardiacException($"RequestHeadersTimeout {RequestHeadersTimeout}: must be positive.");
        if (HealthFailureWindow < 1) throw new MLCardiacException($"HealthFailureWindow {HealthFailureWindow}: must be at least 1.");
    }
}
