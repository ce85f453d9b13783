using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.IO;

namespace MLCardiac.ML;

/// <summary>
/// The model file of a fitted cardiac pipeline: a zip container of our own (see src/MLCardiac/ML/README.md) with a
/// versioned JSON manifest — the input schema and, per stage, its kind, settings and weights entry with SHA-256 —
/// and one weights entry per trained stage. Written atomically; read entirely in memory (never extracted).
/// </summary>
internal static class CardiacModelFile
{
    public const string ManifestEntry = "mlcardiac-pipeline.json";
    public const string Format = "mlcardiac.ml-pipeline";
    public const int FormatVersion = 1;

    public static MLCardiacException NotSavableByMlNet(string type) =>
        new($"{type} cannot be saved with mlContext.Model.Save: ML.NET keeps its model persistence internal to its own assemblies. Save the pipeline with mlContext.CardiacSegmentation().SaveModel(model, schema, path).");

    public static void Save(ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stages = Flatten(model).ToArray();
        if (stages.Length == 0) throw new ArgumentException("The model has no stage to save.", nameof(model));
        var entries = new List<(string Name, byte[] Bytes)>();
        var stageNodes = new JsonArray();
        for (int i = 0; i < stages.Length; i++)
        {
            if (stages[i] is not ICardiacStage stage)
                throw new MLCardiacException($"Stage {i} of the model is a {stages[i].GetType().Name}; SaveModel stores the stages of the cardiac catalog only (LoadNifti, Preprocess, Augment, UNet/Dann, ApplySegmentationOnnx, VendorClassifier).");
            var node = new JsonObject { ["kind"] = stage.Kind, ["settings"] = stage.SaveSettings() };
            if (stage.SaveWeights() is { } weights)
            {
                string name = $"stages/{i}-{stage.Kind.ToLowerInvariant()}.weights";
                entries.Add((name, weights));
                node["weights"] = name;
                node["sha256"] = Convert.ToHexString(SHA256.HashData(weights));
                node["bytes"] = weights.Length;
            }
            stageNodes.Add(node);
        }
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = FormatVersion,
            ["writtenBy"] = typeof(CardiacModelFile).Assembly.GetName().Version?.ToString(),
            ["inputSchema"] = SchemaToJson(inputSchema),
            ["stages"] = stageNodes,
        };
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.Comment = FileHashMarker + new string('0', 64);
            Write(zip, ManifestEntry, Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
            foreach (var (name, bytes) in entries) Write(zip, name, bytes);
        }
        byte[] file = memory.ToArray();
        // The archive comment is the file's last bytes: its SHA-256 over everything before it goes there.
        Encoding.ASCII.GetBytes(Convert.ToHexString(SHA256.HashData(file.AsSpan(0, file.Length - 64)))).CopyTo(file, file.Length - 64);
        AtomicFile.Write(path, stream => stream.Write(file));
    }

    /// <summary>
    /// Start of the archive comment SaveModel writes, followed by 64 upper-case hex digits: the SHA-256 of every byte of
    /// the file before those digits. With the per-entry SHA-256s of the manifest it makes any change to the file —
    /// local headers, central directory, end record, manifest or weights — a refusal at load.
    /// </summary>
    public const string FileHashMarker = "mlcardiac-sha256:";

    /// <summary>Bytes from the end-of-central-directory signature to the end of a file SaveModel wrote: 22 + the comment.</summary>
    private const int HashedEndRecordBytes = 22 + 17 + 64;

    /// <summary>Largest model file read: 2 GiB (read whole into memory).</summary>
    private const long MaxFileBytes = int.MaxValue;

    /// <summary>
    /// Checks the file-level SHA-256 of a file SaveModel wrote. Files written before it had one (empty archive comment) are
    /// accepted on their per-entry SHA-256s alone; anything else at the file's end is a refusal.
    /// </summary>
    private static void VerifyFileHash(string path, byte[] file)
    {
        ReadOnlySpan<byte> endRecord = [0x50, 0x4b, 0x05, 0x06];
        int hashed = file.Length - HashedEndRecordBytes;
        if (hashed >= 0 && file.AsSpan(hashed, 4).SequenceEqual(endRecord)
            && BitConverter.ToUInt16(file, hashed + 20) == FileHashMarker.Length + 64
            && file.AsSpan(hashed + 22, FileHashMarker.Length).SequenceEqual(Encoding.ASCII.GetBytes(FileHashMarker)))
        {
            string recorded = Encoding.ASCII.GetString(file, file.Length - 64, 64);
            string actual = Convert.ToHexString(SHA256.HashData(file.AsSpan(0, file.Length - 64)));
            if (!string.Equals(recorded, actual, StringComparison.Ordinal))
                throw new MLCardiacException($"{path}: the model file is damaged (its SHA-256 differs from the one it records); restore it from a copy or save the model again.");
            return;
        }
        int plain = file.Length - 22;
        if (plain >= 0 && file.AsSpan(plain, 4).SequenceEqual(endRecord) && BitConverter.ToUInt16(file, plain + 20) == 0)
            return;
        throw new MLCardiacException($"{path}: not a model file written by SaveModel, or a damaged one (its end-of-archive record is not where SaveModel writes it).");
    }

    /// <summary>The message of <paramref name="e"/> on one line.</summary>
    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");

    public static TransformerChain<ITransformer> Load(string path, out DataViewSchema inputSchema, CardiacRunContext context)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new MLCardiacException($"{path}: no such model file.");
        Dictionary<string, byte[]> entries;
        try
        {
            entries = ReadEntries(path);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or EndOfStreamException or ArgumentException or IOException and not FileNotFoundException)
        {
            throw new MLCardiacException($"{path}: not a model file written by SaveModel, or a damaged one (not a readable zip: {OneLine(e)}).", e);
        }
        if (!entries.TryGetValue(ManifestEntry, out byte[]? manifestBytes))
            throw new MLCardiacException($"{path}: entry '{ManifestEntry}' is missing; this is not a model file written by SaveModel.");
        JsonObject manifest;
        // System.Text.Json checks a string's UTF-8 only when the string is read, later and anywhere; check it all here.
        if (!System.Text.Unicode.Utf8.IsValid(manifestBytes))
            throw new MLCardiacException($"{path}: entry '{ManifestEntry}' is not valid UTF-8 text; the file is damaged.");
        try
        {
            // Duplicate property names are refused here, at parse time; JsonObject would otherwise throw an
            // ArgumentException at the first lookup, anywhere later.
            manifest = JsonNode.Parse(manifestBytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false })?.AsObject() ?? throw new JsonException("empty");
            _ = manifest.Count; // materialise the top level now
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new MLCardiacException($"{path}: entry '{ManifestEntry}' is not readable JSON ({OneLine(e)}).", e);
        }
        if ((string?)manifest["format"] != Format)
            throw new MLCardiacException($"{path}: entry '{ManifestEntry}' declares format '{manifest["format"]}', not '{Format}'.");
        int? version = manifest["formatVersion"] is JsonValue v && v.TryGetValue(out int n) ? n : null;
        if (version != FormatVersion)
            throw new MLCardiacException($"{path}: model format version {(version?.ToString() ?? "missing")} in entry '{ManifestEntry}'; this build reads version {FormatVersion}. Re-fit and save the pipeline with this build.");

        var stages = new List<ITransformer>();
        try
        {
            inputSchema = SchemaFromJson(manifest["inputSchema"] as JsonArray ?? throw new JsonException("no inputSchema"));
            var stageNodes = manifest["stages"] as JsonArray ?? throw new JsonException("no stages");
            for (int i = 0; i < stageNodes.Count; i++)
            {
                var node = stageNodes[i] as JsonObject ?? throw new JsonException($"stage {i} is not an object");
                stages.Add(LoadStage(path, i, node, entries, context, stages));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            foreach (var s in stages) (s as IDisposable)?.Dispose();
            throw new MLCardiacException($"{path}: entry '{ManifestEntry}' is inconsistent ({OneLine(e)}).", e);
        }
        catch
        {
            foreach (var s in stages) (s as IDisposable)?.Dispose();
            throw;
        }
        return new TransformerChain<ITransformer>([.. stages]);
    }

    private static ITransformer LoadStage(string path, int index, JsonObject node, Dictionary<string, byte[]> entries, CardiacRunContext context, IReadOnlyList<ITransformer> before)
    {
        string kind = (string?)node["kind"] ?? throw new JsonException($"stage {index} has no kind");
        var settings = node["settings"] as JsonObject ?? throw new JsonException($"stage {index} has no settings");
        byte[] Weights()
        {
            string name = (string?)node["weights"] ?? throw new JsonException($"stage {index} ({kind}) names no weights entry");
            if (!entries.TryGetValue(name, out byte[]? bytes))
                throw new MLCardiacException($"{path}: weights entry '{name}' of stage {index} ({kind}) is missing.");
            string expected = (string?)node["sha256"] ?? throw new JsonException($"stage {index} ({kind}) has no sha256");
            if (!string.Equals(Convert.ToHexString(SHA256.HashData(bytes)), expected, StringComparison.OrdinalIgnoreCase))
                throw new MLCardiacException($"{path}: weights entry '{name}' of stage {index} ({kind}) is corrupt (SHA-256 differs from the manifest's; {bytes.Length} bytes).");
            return bytes;
        }
        ITransformer stage;
        try
        {
            stage = kind switch
            {
                NiftiLoaderTransformer.StageKind => new NiftiLoaderTransformer(),
                SlicePreprocessingTransformer.StageKind => SlicePreprocessingTransformer.Load(settings, context.PreparedCache),
                AugmentationTransformer.StageKind => AugmentationTransformer.Load(settings),
                SegmentationTransformer.StageKind => SegmentationTransformer.Load(settings, Weights()),
                VendorClassifierTransformer.StageKind => VendorClassifierTransformer.Load(settings, Weights()),
                QualityControlTransformer.StageKind => QualityControlTransformer.Load(settings, Weights(), before),
                OnnxSegmentationTransformer.StageKind => OnnxSegmentationTransformer.Load(settings, Weights(), $"{path} (stage {index}, ONNX entry)"),
                _ => throw new MLCardiacException($"{path}: stage {index} is of kind '{kind}', which this build does not know."),
            };
        }
        catch (Exception e) when (e is IOException or ArgumentException or EndOfStreamException or InvalidDataException or NotSupportedException or OverflowException
                                       or System.Runtime.InteropServices.ExternalException || (e is MLCardiacException && !e.Message.Contains(path, StringComparison.Ordinal)))
        {
            throw new MLCardiacException($"{path}: stage {index} ({kind}) cannot be loaded ({OneLine(e)}).", e);
        }
        // A network whose weights hold NaN or infinity (a diverged training saved as is) would segment nothing, silently.
        IEnumerable<TorchSharp.torch.nn.Module> networks = stage switch
        {
            SegmentationTransformer s => s.Model.Networks,
            VendorClassifierTransformer v => [v.Classifier.Network],
            _ => [],
        };
        foreach (var network in networks) Models.FiniteWeights.Check(network, $"{path}: stage {index} ({kind})", stage as IDisposable);
        return stage;
    }

    /// <summary>
    /// Every entry of the zip, in memory, once the file's own SHA-256 is checked; an entry whose name could escape a folder
    /// (.., rooted, drive, backslash) rejects the file.
    /// </summary>
    private static Dictionary<string, byte[]> ReadEntries(string path)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes) throw new MLCardiacException($"{path}: {length} bytes; larger than any model this build writes.");
        byte[] file = File.ReadAllBytes(path);
        VerifyFileHash(path, file);
        using var zip = new ZipArchive(new MemoryStream(file, writable: false), ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            string name = entry.FullName;
            if (!IsSafeEntryName(name))
                throw new MLCardiacException($"{path}: entry '{name}' has an unsafe name (absolute, or with '..', a drive or a backslash); the file is rejected.");
            if (name.EndsWith('/')) continue;
            if (entries.ContainsKey(name)) throw new MLCardiacException($"{path}: entry '{name}' appears twice; the file is rejected.");
            if (entry.Length > 1L << 31) throw new MLCardiacException($"{path}: entry '{name}' is {entry.Length} bytes; larger than any model this build writes.");
            using var s = entry.Open();
            // The declared length sizes nothing up front: a lying header cannot make the reader allocate it.
            using var ms = new MemoryStream((int)Math.Min(entry.Length, 1 << 20));
            s.CopyTo(ms);
            if (ms.Length != entry.Length) throw new MLCardiacException($"{path}: entry '{name}' holds {ms.Length} bytes, not the {entry.Length} its header declares; the file is damaged.");
            entries[name] = ms.ToArray();
        }
        return entries;
    }

    internal static bool IsSafeEntryName(string name) =>
        name.Length > 0
        && !name.StartsWith('/') && !name.Contains('\\') && !name.Contains(':') && !Path.IsPathRooted(name)
        && name.Split('/').All(part => part is not ".." and not ".");

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var s = entry.Open();
        s.Write(bytes);
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (var t in chain)
                foreach (var inner in Flatten(t)) yield return inner;
        }
        else yield return model;
    }

    private static JsonArray SchemaToJson(DataViewSchema schema)
    {
        var array = new JsonArray();
        foreach (var c in schema.Where(c => !c.IsHidden))
        {
            var node = new JsonObject { ["name"] = c.Name };
            if (c.Type is VectorDataViewType v)
            {
                node["item"] = ItemName(v.ItemType, c.Name);
                node["dimensions"] = new JsonArray(v.Dimensions.Select(d => (JsonNode)d).ToArray());
            }
            else node["item"] = ItemName(c.Type, c.Name);
            array.Add(node);
        }
        return array;
    }

    private static string ItemName(DataViewType type, string column) => type switch
    {
        TextDataViewType => "Text",
        BooleanDataViewType => "Boolean",
        NumberDataViewType n => n.RawType.Name,
        _ => throw new MLCardiacException($"Input column '{column}' has type {type}, which the model file cannot record (text, Boolean and numbers, or vectors of them)."),
    };

    private static PrimitiveDataViewType ItemType(string name) => name switch
    {
        "Text" => TextDataViewType.Instance,
        "Boolean" => BooleanDataViewType.Instance,
        "Single" => NumberDataViewType.Single,
        "Double" => NumberDataViewType.Double,
        "Byte" => NumberDataViewType.Byte,
        "SByte" => NumberDataViewType.SByte,
        "Int16" => NumberDataViewType.Int16,
        "UInt16" => NumberDataViewType.UInt16,
        "Int32" => NumberDataViewType.Int32,
        "UInt32" => NumberDataViewType.UInt32,
        "Int64" => NumberDataViewType.Int64,
        "UInt64" => NumberDataViewType.UInt64,
        _ => throw new JsonException($"unknown column item type '{name}'"),
    };

    private static DataViewSchema SchemaFromJson(JsonArray array)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var node in array.OfType<JsonObject>())
        {
            string name = (string?)node["name"] ?? throw new JsonException("input column without a name");
            var item = ItemType((string?)node["item"] ?? throw new JsonException($"input column '{name}' without a type"));
            DataViewType type = node["dimensions"] is JsonArray dims
                ? new VectorDataViewType(item, dims.Select(d => (int)d!).ToArray())
                : item;
            builder.AddColumn(name, type);
        }
        return builder.ToSchema();
    }
}
