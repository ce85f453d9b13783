using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLCardiac.IO;

namespace MLCardiac.Planning;

/// <summary>What the plan is made for: the device that will train, and the memory a training batch may take.</summary>
public sealed record PlanOptions
{
    /// <summary>Default training memory budget on a CPU (activations of one batch), bytes.</summary>
    public const long DefaultCpuMemoryBytes = 4L << 30;
    /// <summary>Default training memory budget on a GPU, bytes (nnU-Net plans for about 8 GB of GPU memory).</summary>
    public const long DefaultCudaMemoryBytes = 8L << 30;

    /// <summary>"cpu" or "cuda".</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Memory one training batch's activations may take, bytes; null: the device's default.</summary>
    public long? MemoryBytes { get; init; }
    /// <summary>Margin added around the farthest heart, mm (room for the augmentation's shifts and rotations).</summary>
    public double MarginMm { get; init; } = 8;

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        if (Device is not ("cpu" or "cuda")) throw new ArgumentException($"Device must be cpu or cuda (was {Device}).", nameof(Device));
        if (MemoryBytes is < 16L << 20) throw new ArgumentException($"MemoryBytes must be at least 16 MiB (was {MemoryBytes}).", nameof(MemoryBytes));
        if (!(MarginMm is >= 0 and <= 100)) throw new ArgumentException($"MarginMm must be in [0, 100] (was {MarginMm}).", nameof(MarginMm));
    }
}

/// <summary>
/// A training plan derived from a <see cref="DatasetFingerprint"/> by fixed rules, as nnU-Net derives its plans
/// (Isensee et al., Nature Methods 2021): the in-plane spacing the slices are resampled to, the side of the square crop,
/// the U-Net's depth and width, the batch size and the intensity normalisation — each with the reason it was chosen.
/// <c>mlcardiac plan DATA</c> writes it to <c>DATA/plans.json</c>; <c>train</c> takes from it every value not given
/// on its command line.
/// </summary>
/// <remarks>
/// <para>The rules beside nnU-Net's (2D configuration):</para>
/// <list type="table">
/// <item><term>spacing</term><description>Same: the median in-plane spacing of the dataset.</description></item>
/// <item><term>slices</term><description>Short-axis stacks are thick-sliced (through-plane spacing 5–10 mm against
/// 1–2 mm in-plane, anisotropy ≫ 3, nnU-Net's threshold), so the plan is 2D, slice by slice; nnU-Net runs its 2D
/// configuration on such data too, beside an anisotropic 3D one (issue 19).</description></item>
/// <item><term>crop</term><description>Differs. nnU-Net's 2D patch is the median image size, trained on random
/// patches with foreground oversampling and predicted by sliding window. This pipeline crops one square centred on
/// the image, in training and at inference, so the crop must hold the heart of every case: its half-side is the
/// farthest reach of a label from the image centre over the whole dataset, plus a margin, rounded up to a multiple of
/// 2^depth. A crop by the median image size would spend most of its pixels on chest wall and lungs (short-axis images
/// are 300–400 mm wide; hearts reach 60–90 mm from the centre).</description></item>
/// <item><term>depth</term><description>Same idea: pool while the bottleneck keeps at least 8 pixels a side (nnU-Net
/// stops at 4; 8 is the proportion of this project's measured default, 128 px at depth 4), at most 6 poolings.</description></item>
/// <item><term>width</term><description>nnU-Net's 32 first-stage filters on a GPU; 16 on a CPU, where compute, not
/// memory, limits training: the project's measured default (a 16-filter U-Net at 128² trains at 10–30 slices/s on 2
/// cores; an 8-filter one ran 3.2× faster per slice on 2026-12-04 but reached a lower validation Dice in the same time).
/// Halved while a batch of 2 does not fit the memory budget.</description></item>
/// <item><term>batch</term><description>GPU: the largest batch whose activations fit the memory budget, at most 32
/// and at most 5 % of the dataset's slices (nnU-Net's cap), at least 2. CPU: 8 when it fits (larger batches make a CPU
/// step no cheaper per slice and cost optimiser steps), else what fits.</description></item>
/// <item><term>normalisation</term><description>Same as nnU-Net for MRI: z-score per image (after clipping at the
/// 0.5th and 99.5th percentiles, this project's preprocessing), since MR intensities have no physical scale.</description></item>
/// </list>
/// </remarks>
public sealed record TrainingPlan
{
    /// <summary>Version of plans.json.</summary>
    public const int SchemaVersion = 1;
    /// <summary>File name of a dataset's plan.</summary>
    public const string FileName = "plans.json";

    /// <summary>Configuration: "2d" (the one this project trains).</summary>
    public string Configuration { get; init; } = "2d";
    /// <summary>Device the plan was made for.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>In-plane spacing of the resampled slices, mm.</summary>
    public double SpacingMm { get; init; }
    /// <summary>Side of the square crop, pixels.</summary>
    public int Size { get; init; }
    /// <summary>U-Net poolings.</summary>
    public int Depth { get; init; }
    /// <summary>Filters of the U-Net's first stage.</summary>
    public int BaseFilters { get; init; }
    /// <summary>Labeled slices per training batch.</summary>
    public int BatchSize { get; init; }
    /// <summary>Intensity normalisation scheme.</summary>
    public string Normalization { get; init; } = "zscore-per-image";
    /// <summary>
    /// For 3D networks (<c>model.type</c> unet3d or vnet): the stages that convolve and pool in-plane only — as nnU-Net's
    /// 3d_fullres plans thick slices, until the in-plane spacing doubled that often reaches half the slice spacing. 0 in
    /// plans written before 3D networks (the network's default then applies).
    /// </summary>
    public int InPlaneStages { get; init; }
    /// <summary>For 3D networks: slices per training patch — the largest multiple the network accepts that the median stack holds (0 in older plans).</summary>
    public int PatchDepth { get; init; }
    /// <summary>For 3D networks: stacks per batch — 2, nnU-Net's 3d_fullres batch (0 in older plans).</summary>
    public int BatchSize3d { get; init; }
    /// <summary>Median through-plane spacing of the dataset, mm.</summary>
    public double SliceSpacingMm { get; init; }
    /// <summary>Estimated activation memory of one training batch, bytes.</summary>
    public long BatchMemoryBytes { get; init; }
    /// <summary>One sentence per decision: the value and why.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];
    /// <summary>Per-vendor summary of the fingerprint the plan was made from.</summary>
    public IReadOnlyList<VendorFingerprint> Vendors { get; init; } = [];

    /// <summary>Makes the plan for <paramref name="fingerprint"/>.</summary>
    public static TrainingPlan From(DatasetFingerprint fingerprint, PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        PlanOptions o = options ?? new PlanOptions();
        o.Validate();
        if (fingerprint.Cases.Count == 0) throw new ArgumentException("The fingerprint has no case.", nameof(fingerprint));
        var reasons = new List<string>();

        double inPlane = Median(fingerprint.Cases.Select(c => (c.Spacing.X + c.Spacing.Y) / 2));
        double spacing = Math.Clamp(Math.Round(inPlane, 2), 0.5, 5);
        double through = Median(fingerprint.Cases.Select(c => c.Spacing.Z));
        reasons.Add(F($"spacing {spacing:0.##} mm: the median in-plane spacing of {fingerprint.Cases.Count} labeled frames (range {fingerprint.Cases.Min(c => c.Spacing.X):0.##}–{fingerprint.Cases.Max(c => c.Spacing.X):0.##} mm), as nnU-Net"));
        reasons.Add(F($"configuration 2d: slices {through:0.#} mm apart against {spacing:0.##} mm in-plane (anisotropy {through / spacing:0.#}; nnU-Net treats > 3 as anisotropic), trained slice by slice"));

        double[] reaches = [.. fingerprint.Cases.Select(c => c.HeartReachMm).Where(double.IsFinite)];
        if (reaches.Length == 0) throw new MLCardiacException("No labeled voxel in any fingerprinted frame: the plan cannot know where the hearts are.");
        double reach = reaches.Max();
        double halfSide = reach + o.MarginMm;
        int raw = (int)Math.Ceiling(2 * halfSide / spacing - 1e-6); // not one pixel more for a rounding error
        int depth = Math.Clamp((int)Math.Floor(Math.Log2(Math.Max(1, raw) / 8.0)), 2, 6);
        int unit = 1 << depth;
        int size = Math.Clamp((raw + unit - 1) / unit * unit, 32, 1024);
        size = size / unit * unit;
        reasons.Add(F($"crop {size} px ({size * spacing:0} mm): the farthest heart reaches {reach:0.#} mm from its image centre (median {Median(reaches):0.#} mm); twice that plus a {o.MarginMm:0.#} mm margin, rounded up to a multiple of 2^{depth}"));
        reasons.Add(F($"depth {depth}: poolings that keep the bottleneck at {size >> depth} px (≥ 8) a side"));

        bool cuda = o.Device == "cuda";
        long budget = o.MemoryBytes ?? (cuda ? PlanOptions.DefaultCudaMemoryBytes : PlanOptions.DefaultCpuMemoryBytes);
        int baseFilters = cuda ? 32 : 16;
        while (baseFilters > 4 && 2 * BytesPerSlice(size, depth, baseFilters) > budget) baseFilters /= 2;
        long perSlice = BytesPerSlice(size, depth, baseFilters);
        reasons.Add(F($"base filters {baseFilters}: {(cuda ? "nnU-Net's 32 on a GPU" : "16 on a CPU, where compute limits training")}{(baseFilters < (cuda ? 32 : 16) ? ", halved until a batch of 2 fits the memory budget" : "")}"));

        long slices = fingerprint.Cases.Sum(c => (long)c.Slices);
        int fits = (int)Math.Clamp(budget / Math.Max(1, perSlice), 1, 1024);
        int batch;
        if (cuda)
        {
            int fivePercent = (int)Math.Max(2, slices / 20);
            batch = Math.Clamp(Math.Min(Math.Min(fits, 32), fivePercent), 2, 32);
            reasons.Add(F($"batch {batch}: {fits} slices fit the {budget / (1 << 20)} MiB budget; at most 32 and 5 % of the dataset's {slices} labeled slices ({fivePercent})"));
        }
        else
        {
            batch = Math.Clamp(Math.Min(fits, 8), 2, 8);
            reasons.Add(F($"batch {batch}: 8 on a CPU when it fits ({fits} slices fit the {budget / (1 << 20)} MiB budget)"));
        }
        int inPlaneStages = 0;
        while (inPlaneStages < depth && spacing * (1 << inPlaneStages) < through / 2) inPlaneStages++;
        int multiple = 1 << Math.Max(0, depth - inPlaneStages);
        double medianSlices = Median(fingerprint.Cases.Select(c => (double)c.Slices));
        int patchDepth = Math.Max(multiple, (int)Math.Floor(medianSlices / multiple) * multiple);
        const int batch3d = 2; // nnU-Net's 3d_fullres batch
        reasons.Add(F($"3D networks: {inPlaneStages} in-plane stage(s) (1×3×3 kernels, in-plane pooling) until {spacing:0.##} mm × 2^{inPlaneStages} reaches half the {through:0.#} mm slice spacing, as nnU-Net's 3d_fullres; patches of {patchDepth} slices (a multiple of {multiple}, at most the median stack of {medianSlices:0.#}); {batch3d} stacks per batch, nnU-Net's 3D batch"));
        reasons.Add("normalisation: z-score per image after clipping at the 0.5th and 99.5th percentiles (MR intensities have no physical scale), as nnU-Net for MRI");

        return new TrainingPlan
        {
            Device = o.Device,
            SpacingMm = spacing,
            Size = size,
            Depth = depth,
            BaseFilters = baseFilters,
            BatchSize = batch,
            InPlaneStages = inPlaneStages,
            PatchDepth = patchDepth,
            BatchSize3d = batch3d,
            SliceSpacingMm = Math.Round(through, 2),
            BatchMemoryBytes = perSlice * batch,
            Reasons = reasons,
            Vendors = [.. fingerprint.Vendors.Select(v => VendorFingerprint.Of(v, [.. fingerprint.Cases.Where(c => c.Vendor == v)]))],
        };
    }

    /// <summary>
    /// Estimated training memory of one slice, bytes: per stage, the outputs of its convolutions, normalisations and
    /// activations (encoder and decoder, two convolutions each) kept for the backward pass, and as much again for their
    /// gradients, in float32.
    /// </summary>
    public static long BytesPerSlice(int size, int depth, int baseFilters, int maxFilters = 320)
    {
        long floats = 0;
        for (int l = 0; l <= depth; l++)
        {
            long side = size >> l;
            long channels = Math.Min((long)baseFilters << l, maxFilters);
            int convs = l < depth ? 4 : 2;
            floats += channels * side * side * convs * 3;
        }
        return floats * 4 * 2;
    }

    /// <summary>Writes the plan to <paramref name="path"/> atomically.</summary>
    public void Save(string path)
    {
        var json = new JsonObject
        {
            ["schemaVersion"] = SchemaVersion,
            ["configuration"] = Configuration,
            ["device"] = Device,
            ["spacingMm"] = SpacingMm,
            ["size"] = Size,
            ["depth"] = Depth,
            ["baseFilters"] = BaseFilters,
            ["batchSize"] = BatchSize,
            ["inPlaneStages"] = InPlaneStages,
            ["patchDepth"] = PatchDepth,
            ["batchSize3d"] = BatchSize3d,
            ["normalization"] = Normalization,
            ["sliceSpacingMm"] = SliceSpacingMm,
            ["batchMemoryBytes"] = BatchMemoryBytes,
            ["reasons"] = new JsonArray([.. Reasons.Select(r => (JsonNode?)JsonValue.Create(r))]),
            ["fingerprint"] = new JsonArray([.. Vendors.Select(v => (JsonNode?)JsonSerializer.SerializeToNode(v, VendorJson))]),
        };
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads a plan written by <see cref="Save"/>.</summary>
    /// <exception cref="MLCardiacException">The file is missing, is not a plan, or holds a value out of range (named).</exception>
    public static TrainingPlan Load(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new MLCardiacException($"{path}: not a plan (the JSON is not an object).");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new MLCardiacException($"{path}: cannot read the plan: {e.Message}", e);
        }
        int version = Int(root, path, "schemaVersion", 1, 1_000);
        if (version > SchemaVersion) throw new MLCardiacException($"{path}: plan schema {version} is newer than this release reads ({SchemaVersion}).");
        string configuration = root["configuration"]?.GetValue<string>() ?? "2d";
        if (configuration != "2d") throw new MLCardiacException($"{path}: configuration \"{configuration}\" is not one this release trains (2d).");
        int depth = Int(root, path, "depth", 1, 8);
        int size = Int(root, path, "size", 16, 1024);
        if (size % (1 << depth) != 0) throw new MLCardiacException($"{path}: size {size} is not a multiple of 2^depth ({1 << depth}).");
        return new TrainingPlan
        {
            Configuration = configuration,
            Device = root["device"]?.GetValue<string>() ?? "cpu",
            SpacingMm = Number(root, path, "spacingMm", 0.5, 5),
            Size = size,
            Depth = depth,
            BaseFilters = Int(root, path, "baseFilters", 1, 512),
            BatchSize = Int(root, path, "batchSize", 1, 1024),
            InPlaneStages = root["inPlaneStages"] is null ? 0 : Int(root, path, "inPlaneStages", 0, depth),
            PatchDepth = root["patchDepth"] is null ? 0 : Int(root, path, "patchDepth", 0, 256),
            BatchSize3d = root["batchSize3d"] is null ? 0 : Int(root, path, "batchSize3d", 0, 1024),
            Normalization = root["normalization"]?.GetValue<string>() ?? "zscore-per-image",
            SliceSpacingMm = root["sliceSpacingMm"] is JsonNode s ? s.GetValue<double>() : double.NaN,
            BatchMemoryBytes = root["batchMemoryBytes"] is JsonNode b ? b.GetValue<long>() : 0,
            Reasons = root["reasons"] is JsonArray r ? [.. r.Select(x => x?.GetValue<string>() ?? "")] : [],
            Vendors = root["fingerprint"] is JsonArray f ? [.. f.Select(x => x.Deserialize<VendorFingerprint>(VendorJson)!)] : [],
        };
    }

    /// <summary>The plan of the dataset in <paramref name="dataDirectory"/>, or null when it has none.</summary>
    public static TrainingPlan? ForDataset(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        return File.Exists(path) ? Load(path) : null;
    }

    private static readonly JsonSerializerOptions VendorJson = new(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static int Int(JsonObject root, string path, string key, int min, int max)
    {
        double v = Number(root, path, key, min, max);
        if (v != Math.Floor(v)) throw new MLCardiacException($"{path}: \"{key}\" must be an integer (was {v.ToString(CultureInfo.InvariantCulture)}).");
        return (int)v;
    }

    private static double Number(JsonObject root, string path, string key, double min, double max)
    {
        if (root[key] is not JsonValue value || !value.TryGetValue(out double v))
            throw new MLCardiacException($"{path}: \"{key}\" is missing or not a number.");
        if (!(v >= min && v <= max)) throw new MLCardiacException($"{path}: \"{key}\" must be in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}] (was {v.ToString(CultureInfo.InvariantCulture)}).");
        return v;
    }

    internal static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Where(double.IsFinite).Order()];
        return sorted.Length == 0 ? double.NaN : Evaluation.OverlapMetrics.Percentile(sorted, 50);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One vendor's part of the fingerprint, as plans.json lists it.</summary>
/// <param name="Vendor">Vendor code.</param>
/// <param name="Frames">Labeled frames measured.</param>
/// <param name="SpacingMm">Median in-plane spacing, mm.</param>
/// <param name="SliceSpacingMm">Median through-plane spacing, mm.</param>
/// <param name="MatrixX">Median columns.</param>
/// <param name="MatrixY">Median rows.</param>
/// <param name="Slices">Median slices per frame.</param>
/// <param name="HeartReachMm">Farthest reach of a label from the image centre, mm.</param>
/// <param name="IntensityLow">Median 0.5th intensity percentile.</param>
/// <param name="IntensityHigh">Median 99.5th intensity percentile.</param>
/// <param name="IntensityMean">Median of the frames' mean intensities.</param>
/// <param name="IntensityStdDev">Median of the frames' intensity standard deviations.</param>
public sealed record VendorFingerprint(string Vendor, int Frames, double SpacingMm, double SliceSpacingMm, double MatrixX, double MatrixY, double Slices,
    double HeartReachMm, double IntensityLow, double IntensityHigh, double IntensityMean, double IntensityStdDev)
{
    /// <summary>Summarises <paramref name="cases"/> of <paramref name="vendor"/>.</summary>
    public static VendorFingerprint Of(string vendor, IReadOnlyList<CaseFingerprint> cases)
    {
        static double M(IEnumerable<double> v) => Math.Round(TrainingPlan.Median(v), 3);
        double[] reach = [.. cases.Select(c => c.HeartReachMm).Where(double.IsFinite)];
        return new VendorFingerprint(vendor, cases.Count, M(cases.Select(c => c.Spacing.X)), M(cases.Select(c => c.Spacing.Z)),
            M(cases.Select(c => (double)c.SizeX)), M(cases.Select(c => (double)c.SizeY)), M(cases.Select(c => (double)c.Slices)),
            reach.Length == 0 ? double.NaN : Math.Round(reach.Max(), 1),
            M(cases.Select(c => c.Low)), M(cases.Select(c => c.High)), M(cases.Select(c => c.Mean)), M(cases.Select(c => c.StdDev)));
    }
}
