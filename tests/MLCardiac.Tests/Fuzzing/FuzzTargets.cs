using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using TorchSharp;

namespace MLCardiac.Fuzzing;

/// <summary>What one fuzzed input did: accepted, refused with our exception type, or anything else (a crash).</summary>
public enum FuzzOutcome
{
    /// <summary>Read without error.</summary>
    Accepted,
    /// <summary>Refused with an <see cref="MLCardiacException"/> (the promised behaviour for bad input).</summary>
    Refused,
    /// <summary>Any other exception: a defect.</summary>
    Crashed,
}

/// <summary>
/// The fuzz targets (the NIfTI reader and the model-file reader), their seed corpus — files written the way the tests
/// write them — and CsCheck generators that mutate the seeds, both blindly (bit flips, interesting integers in the
/// header, truncation, chunks inserted, deleted or repeated) and with awareness of the structure (the NIfTI bytes
/// mutated before gzip, the model zip rebuilt with its checksums recomputed so the mutation reaches the zip, manifest
/// and weights readers behind them). The test suite runs a few hundred seeded inputs; <c>bench fuzz</c> runs thousands.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Limits the fuzzed NIfTI reader runs under: small enough that no input can make it allocate much.</summary>
    public static readonly NiftiReadOptions ReadOptions = new() { MaxVoxelCount = 1 << 20, MaxDecompressedBytes = 16 << 20 };

    /// <summary>Reads <paramref name="bytes"/> as a NIfTI image.</summary>
    public static FuzzOutcome Nifti(byte[] bytes, out Exception? error)
    {
        error = null;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            NiftiReader.Read(stream, "fuzz", ReadOptions);
            return FuzzOutcome.Accepted;
        }
        catch (MLCardiacException e)
        {
            error = e;
            return FuzzOutcome.Refused;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e;
            return FuzzOutcome.Crashed;
        }
    }

    /// <summary>Loads <paramref name="bytes"/> as a model file (written to <paramref name="path"/> first).</summary>
    public static FuzzOutcome ModelFile(CardiacSegmentationCatalog cardiac, byte[] bytes, string path, out Exception? error)
    {
        ArgumentNullException.ThrowIfNull(cardiac);
        error = null;
        File.WriteAllBytes(path, bytes);
        try
        {
            foreach (var stage in cardiac.LoadModel(path, out _)) (stage as IDisposable)?.Dispose();
            return FuzzOutcome.Accepted;
        }
        catch (MLCardiacException e)
        {
            error = e;
            return e.Message.Contains('\n', StringComparison.Ordinal) || !e.Message.Contains(path, StringComparison.Ordinal) ? FuzzOutcome.Crashed : FuzzOutcome.Refused;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e;
            return FuzzOutcome.Crashed;
        }
    }

    /// <summary>
    /// NIfTI seeds, uncompressed: small 3D and 4D volumes in every datatype the writer has, NIfTI-1 and NIfTI-2, with the
    /// affines and time steps the tests write.
    /// </summary>
    public static IReadOnlyList<byte[]> NiftiSeeds()
    {
        var seeds = new List<byte[]>();
        var rng = new Random(5);
        NiftiDataType[] types = [NiftiDataType.UInt8, NiftiDataType.Int16, NiftiDataType.UInt16, NiftiDataType.Int32, NiftiDataType.Float32, NiftiDataType.Float64];
        foreach (NiftiVersion version in new[] { NiftiVersion.Nifti1, NiftiVersion.Nifti2 })
            foreach (NiftiDataType type in types)
                foreach (int[] shape in new[] { new[] { 6, 5, 3 }, new[] { 4, 4, 2, 3 } })
                {
                    var data = new float[shape.Aggregate(1, (a, b) => a * b)];
                    for (int i = 0; i < data.Length; i++) data[i] = rng.Next(0, 200);
                    var volume = new Volume(data, shape, new Spacing(1.25, 1.5, 8), timeStepS: shape.Length == 4 ? 0.03 : 0);
                    using var ms = new MemoryStream();
                    NiftiWriter.Write(volume, ms, new NiftiWriteOptions { DataType = type, Version = version });
                    seeds.Add(ms.ToArray());
                }
        return seeds;
    }

    /// <summary>gzip of <paramref name="bytes"/>.</summary>
    public static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }

    /// <summary>Byte-level mutations of one input: between 1 and 6 of them, biased to the first 540 bytes (the header).</summary>
    public static Gen<byte[]> Mutate(byte[] seed) =>
        Gen.Int[1, 6].SelectMany(n => Gen.Int[0, int.MaxValue].Array[n * 4].Select(r =>
        {
            var bytes = seed.ToList();
            for (int k = 0; k < n; k++)
            {
                int a = r[k * 4], b = r[k * 4 + 1], c = r[k * 4 + 2], d = r[k * 4 + 3];
                if (bytes.Count == 0) { bytes.Add((byte)a); continue; }
                int at = (d & 1) == 0 ? a % Math.Min(bytes.Count, 540) : a % bytes.Count;
                switch (b % 8)
                {
                    case 0: bytes[at] ^= (byte)(1 << (c % 8)); break;
                    case 1: bytes[at] = Interesting8[c % Interesting8.Length]; break;
                    case 2:
                        {
                            int value = Interesting32[c % Interesting32.Length];
                            for (int i = 0; i < 4 && at + i < bytes.Count; i++) bytes[at + i] = (byte)(value >> (8 * ((d >> 1) % 2 == 0 ? i : 3 - i)));
                            break;
                        }
                    case 3:
                        {
                            short value = (short)Interesting32[c % Interesting32.Length];
                            for (int i = 0; i < 2 && at + i < bytes.Count; i++) bytes[at + i] = (byte)(value >> (8 * i));
                            break;
                        }
                    case 4: bytes.RemoveRange(at, bytes.Count - at); break;
                    case 5: bytes.RemoveRange(at, Math.Min(1 + c % 64, bytes.Count - at)); break;
                    case 6: bytes.InsertRange(at, Enumerable.Repeat((byte)c, 1 + d % 64)); break;
                    default:
                        {
                            int length = Math.Min(1 + c % 256, bytes.Count - at);
                            bytes.InsertRange(Math.Min(bytes.Count, d % bytes.Count), bytes.GetRange(at, length));
                            break;
                        }
                }
            }
            return bytes.ToArray();
        }));

    private static readonly byte[] Interesting8 = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40];
    private static readonly int[] Interesting32 = [0, 1, -1, 2, 3, 4, 7, 8, 16, 255, 256, 348, 352, 540, 544, 32767, -32768, 65535, int.MaxValue, int.MinValue, 0x7fffffff, 1 << 20, 1 << 30];

    /// <summary>Fuzzed NIfTI inputs: a seed, mutated, then sent raw or gzip-compressed (so the mutation survives the CRC).</summary>
    public static Gen<byte[]> NiftiInputs(IReadOnlyList<byte[]> seeds) =>
        Gen.Int[0, seeds.Count - 1].SelectMany(i => Mutate(seeds[i])).SelectMany(m => Gen.Bool.Select(gz => gz ? Gzip(m) : m));

    /// <summary>
    /// A model file written by <c>SaveModel</c>: LoadNifti → Preprocess → U-Net (seeded initial weights; the format is fuzzed,
    /// not training), the bytes the tests' model files have.
    /// </summary>
    public static byte[] ModelSeed(CardiacSegmentationCatalog cardiac, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(cardiac);
        torch.manual_seed(1);
        var unet = new UNetOptions { BaseFilters = 4, Depth = 2 };
        var preprocessing = new PreprocessingOptions { Size = 32, SpacingMm = 5 };
        var description = new ModelDescription { Network = unet, Preprocessing = preprocessing, Domains = ["A"], TrainVendors = ["A"] };
        var model = new TransformerChain<ITransformer>(
            new NiftiLoaderTransformer(),
            new SlicePreprocessingTransformer(preprocessing, null),
            new SegmentationTransformer(SegmentationModel.FromNetwork(new UNet2d(unet), description), mirrorTta: false));
        cardiac.SaveModel(model, inputSchema, path);
        foreach (var stage in model) (stage as IDisposable)?.Dispose();
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// Fuzzed model files, one of four kinds: raw bytes mutated (stopped by the file's SHA-256); raw bytes mutated and
    /// the file hash stamped again (reaches the zip reader and the entry checksums); the manifest JSON mutated and
    /// the zip rebuilt (reaches the manifest reader); the weights mutated with their manifest SHA-256 updated
    /// (reaches the TorchSharp weights loader).
    /// </summary>
    public static Gen<byte[]> ModelInputs(byte[] seed)
    {
        Dictionary<string, byte[]> entries = Entries(seed);
        string weightsName = entries.Keys.First(k => k.EndsWith(".weights", StringComparison.Ordinal));
        return Gen.Int[0, 3].SelectMany(kind => kind switch
        {
            0 => Mutate(seed),
            1 => Mutate(seed).Select(StampFileHash),
            2 => Mutate(entries[CardiacModelFile.ManifestEntry]).Select(m => Zip(entries, CardiacModelFile.ManifestEntry, m)),
            _ => Mutate(entries[weightsName]).Select(w => WithWeights(entries, weightsName, w)),
        });
    }

    /// <summary>A model zip of <paramref name="entries"/> whose entry <paramref name="weightsName"/> is <paramref name="weights"/>, the manifest's SHA-256 and the file hash updated.</summary>
    public static byte[] WithWeights(Dictionary<string, byte[]> entries, string weightsName, byte[] weights)
    {
        string manifest = Encoding.UTF8.GetString(entries[CardiacModelFile.ManifestEntry])
            .Replace(Convert.ToHexString(SHA256.HashData(entries[weightsName])), Convert.ToHexString(SHA256.HashData(weights)), StringComparison.Ordinal);
        var changed = new Dictionary<string, byte[]>(entries) { [weightsName] = weights };
        return Zip(changed, CardiacModelFile.ManifestEntry, Encoding.UTF8.GetBytes(manifest));
    }

    /// <summary>The entries of a model zip, by name.</summary>
    public static Dictionary<string, byte[]> Entries(byte[] zipBytes)
    {
        using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return ms.ToArray();
        });
    }

    /// <summary>A model zip of <paramref name="entries"/> with <paramref name="name"/> replaced, its file hash stamped as SaveModel does.</summary>
    public static byte[] Zip(Dictionary<string, byte[]> entries, string name, byte[] replacement)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.Comment = CardiacModelFile.FileHashMarker + new string('0', 64);
            foreach (var (entryName, bytes) in entries)
            {
                using var s = zip.CreateEntry(entryName, CompressionLevel.Fastest).Open();
                s.Write(entryName == name ? replacement : bytes);
            }
        }
        return StampFileHash(ms.ToArray());
    }

    /// <summary>Writes the SHA-256 of all but the last 64 bytes into those bytes (what SaveModel does), when they are there.</summary>
    private static byte[] StampFileHash(byte[] file)
    {
        if (file.Length < 64) return file;
        Encoding.ASCII.GetBytes(Convert.ToHexString(SHA256.HashData(file.AsSpan(0, file.Length - 64)))).CopyTo(file, file.Length - 64);
        return file;
    }

    /// <summary>Runs <paramref name="target"/> on one input, timing it; the slowest time and outcome counts go to <paramref name="tally"/>.</summary>
    public static void Run(FuzzTally tally, Func<(FuzzOutcome Outcome, Exception? Error)> target)
    {
        ArgumentNullException.ThrowIfNull(tally);
        ArgumentNullException.ThrowIfNull(target);
        var clock = Stopwatch.StartNew();
        var (outcome, error) = target();
        tally.Add(outcome, error, clock.Elapsed);
    }
}

/// <summary>Counts of a fuzzing run: outcomes, distinct refusal messages, the slowest input, the crashes.</summary>
public sealed class FuzzTally
{
    /// <summary>Inputs run.</summary>
    public int Inputs { get; private set; }
    /// <summary>Inputs accepted.</summary>
    public int Accepted { get; private set; }
    /// <summary>Inputs refused with our exception.</summary>
    public int Refused { get; private set; }
    /// <summary>Crashes: input description and exception.</summary>
    public List<string> Crashes { get; } = [];
    /// <summary>Distinct refusal reasons (message with numbers and the file name removed).</summary>
    public HashSet<string> Reasons { get; } = new(StringComparer.Ordinal);
    /// <summary>The slowest input.</summary>
    public TimeSpan Slowest { get; private set; }

    /// <summary>Records one input.</summary>
    public void Add(FuzzOutcome outcome, Exception? error, TimeSpan elapsed)
    {
        Inputs++;
        if (elapsed > Slowest) Slowest = elapsed;
        switch (outcome)
        {
            case FuzzOutcome.Accepted: Accepted++; break;
            case FuzzOutcome.Refused:
                Refused++;
                Reasons.Add(System.Text.RegularExpressions.Regex.Replace(error!.Message, @"/\S+|\d+", "#"));
                break;
            default: Crashes.Add($"{error?.GetType().Name}: {error?.Message}"); break;
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Inputs} inputs: {Accepted} accepted, {Refused} refused ({Reasons.Count} distinct reasons), {Crashes.Count} crashes; slowest {Slowest.TotalMilliseconds:F0} ms";
}
