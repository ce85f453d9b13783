using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Cli;
using MLCardiac.Data.Synthetic;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Tests.Data;
using Spectre.Console;
using TorchSharp;

namespace MLCardiac.Tests.ML;

/// <summary>
/// Model files that cannot silently lie: a <c>model.zip</c> written by <c>SaveModel</c> (a tiny U-Net pipeline, fitted once
/// for the class) damaged by one byte anywhere — local headers, central directory, end record, manifest, weights — is
/// refused at load with one line naming the file; a network with NaN weights is refused too.
/// </summary>
[TestClass]
public sealed class ModelFileDamageTests
{
    private static string _root = "";
    private static string _model = "";
    private static CardiacSegmentationCatalog _cardiac = null!;

    [ClassInitialize]
    public static void Fit(TestContext context)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-damage-" + Guid.NewGuid().ToString("N"));
        string data = Path.Combine(_root, "data");
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(data, new SyntheticDatasetRequest { Vendors = [VendorProfiles.A], SubjectsPerVendor = 1 });
        _cardiac = new MLContext(seed: 1).CardiacSegmentation();
        IDataView cases = _cardiac.Data.FromDirectory(data);
        // The file format is under test, not training: the chain's U-Net keeps its seeded initial weights (fast, and finite).
        torch.manual_seed(1);
        var unet = new UNetOptions { BaseFilters = 4, Depth = 2 };
        var preprocessing = new MLCardiac.Preprocessing.PreprocessingOptions { Size = 32, SpacingMm = 5 };
        var description = new MLCardiac.Inference.ModelDescription { Network = unet, Preprocessing = preprocessing, Domains = ["A"], TrainVendors = ["A"] };
        var model = new TransformerChain<ITransformer>(
            new NiftiLoaderTransformer(),
            new SlicePreprocessingTransformer(preprocessing, null),
            new SegmentationTransformer(MLCardiac.Inference.SegmentationModel.FromNetwork(new UNet2d(unet), description), mirrorTta: false));
        _model = Path.Combine(_root, "model.zip");
        _cardiac.SaveModel(model, cases.Schema, _model);
        Dispose(model);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static void Dispose(IEnumerable<ITransformer> model)
    {
        foreach (var stage in model) (stage as IDisposable)?.Dispose();
    }

    /// <summary>Byte ranges of the zip's structures: local headers, entry data, central directory, end record (with the comment).</summary>
    private static Dictionary<string, List<(int Start, int Length)>> Regions(byte[] file)
    {
        var regions = new Dictionary<string, List<(int, int)>> { ["local header"] = [], ["entry data"] = [], ["central directory"] = [], ["end record"] = [] };
        int end = file.Length - 22;
        while (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(end)) != 0x06054b50) end--;
        int cdOffset = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(end + 16));
        regions["central directory"].Add((cdOffset, end - cdOffset));
        regions["end record"].Add((end, file.Length - end));
        for (int p = 0; p < cdOffset;)
        {
            Assert.AreEqual(0x04034b50u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(p)), $"local header at {p}");
            int header = 30 + BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(p + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(p + 28));
            int data = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(p + 18));
            int flags = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(p + 6));
            if ((flags & 8) != 0)
            {
                // Sizes in a data descriptor: take them from the central directory entry of the same local offset.
                for (int c = cdOffset; c < end; c += 46 + BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(c + 28)) + BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(c + 30)) + BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(c + 32)))
                    if (BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(c + 42)) == p) data = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(c + 20));
            }
            regions["local header"].Add((p, header));
            regions["entry data"].Add((p + header, data));
            p += header + data + ((flags & 8) != 0 ? 16 : 0);
        }
        return regions;
    }

    [TestMethod]
    public void LoadModel_FortySingleByteCorruptions_AllRefusedWithOneLineNamingTheFileAndExit1()
    {
        byte[] good = File.ReadAllBytes(_model);
        Dispose(_cardiac.LoadModel(_model, out _)); // the intact file loads
        var regions = Regions(good);
        // 40 corruptions, seeded: 8 in local headers, 16 in entry data (manifest and weights), 10 in the central directory, 6 in the end record.
        var plan = new (string Region, int Count)[] { ("local header", 8), ("entry data", 16), ("central directory", 10), ("end record", 6) };
        var rng = new Random(17);
        var refused = new List<string>();
        foreach (var (region, count) in plan)
        {
            for (int i = 0; i < count; i++)
            {
                var (start, length) = regions[region][rng.Next(regions[region].Count)];
                int position = start + rng.Next(length);
                byte[] damaged = (byte[])good.Clone();
                damaged[position] ^= (byte)(1 + rng.Next(255));
                string path = Path.Combine(_root, $"damaged-{refused.Count}.zip");
                File.WriteAllBytes(path, damaged);

                MLCardiacException e;
                try
                {
                    Dispose(_cardiac.LoadModel(path, out _));
                    Assert.Fail($"byte {position} ({region}) changed, yet the file loaded");
                    return;
                }
                catch (MLCardiacException caught)
                {
                    e = caught;
                }
                StringAssert.Contains(e.Message, path, $"byte {position} ({region})");
                Assert.IsFalse(e.Message.Contains('\n', StringComparison.Ordinal), e.Message);
                var (code, output) = Report(e);
                Assert.AreEqual(1, code);
                Assert.AreEqual(1, output.TrimEnd().Split('\n').Length, output);
                refused.Add($"{region}@{position}: {e.Message}");
                File.Delete(path);
            }
        }
        Assert.HasCount(40, refused);
    }

    private static (int Code, string Output) Report(Exception e)
    {
        using var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 2000;
        return (ErrorReporting.Report(e, console), writer.ToString());
    }

    [TestMethod]
    public void LoadModel_NaNInTheWeights_RefusedNamingTheStage()
    {
        var loaded = _cardiac.LoadModel(_model, out var schema);
        string path = Path.Combine(_root, "nan.zip");
        try
        {
            var network = loaded.OfType<SegmentationTransformer>().Single().Model.Network;
            using (torch.no_grad()) network.parameters().First().fill_(float.NaN);
            _cardiac.SaveModel(loaded, schema, path);
        }
        finally
        {
            Dispose(loaded);
        }

        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));

        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "NaN or infinite");
        StringAssert.Contains(e.Message, "Segmentation");
    }

    [TestMethod]
    public void LoadModel_FileWithoutFileHash_LoadsOnItsEntryHashes_DamagedWeightsStillRefused()
    {
        string path = Path.Combine(_root, "older.zip");
        File.Copy(_model, path, overwrite: true);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update)) zip.Comment = "";

        Dispose(_cardiac.LoadModel(path, out _));

        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.First(x => x.FullName.EndsWith(".weights", StringComparison.Ordinal));
            string name = entry.FullName;
            byte[] bytes;
            using (var s = entry.Open()) { using var ms = new MemoryStream(); s.CopyTo(ms); bytes = ms.ToArray(); }
            entry.Delete();
            bytes[bytes.Length / 2] ^= 0x40;
            using var w = zip.CreateEntry(name).Open();
            w.Write(bytes);
        }
        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));
        StringAssert.Contains(e.Message, "corrupt");
    }

    /// <summary>Found by the fuzzer: weights whose header declares another U-Net were refused without naming the file.</summary>
    [TestMethod]
    public void LoadModel_WeightsForAnotherNetworkWithValidChecksums_RefusedNamingTheFile()
    {
        var entries = MLCardiac.Fuzzing.FuzzTargets.Entries(File.ReadAllBytes(_model));
        string name = entries.Keys.Single(k => k.EndsWith(".weights", StringComparison.Ordinal));
        byte[] weights = entries[name];
        int at = System.Text.Encoding.ASCII.GetString(weights).IndexOf("\"Depth\":2", StringComparison.Ordinal);
        Assert.IsGreaterThan(0, at);
        weights[at + "\"Depth\":".Length] = (byte)'4';
        string path = Path.Combine(_root, "other-network.zip");
        File.WriteAllBytes(path, MLCardiac.Fuzzing.FuzzTargets.WithWeights(entries, name, weights));

        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));

        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "stage 2 (Segmentation)");
    }

    /// <summary>Found by the fuzzer in CI: a byte of invalid UTF-8 inside a manifest string escaped as an InvalidOperationException.</summary>
    [TestMethod]
    public void LoadModel_InvalidUtf8InsideAManifestString_RefusedNamingTheFile()
    {
        var entries = MLCardiac.Fuzzing.FuzzTargets.Entries(File.ReadAllBytes(_model));
        byte[] manifest = entries[CardiacModelFile.ManifestEntry];
        int at = System.Text.Encoding.ASCII.GetString(manifest).IndexOf("\"format\"", StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, at);
        int value = Array.IndexOf(manifest, (byte)'"', Array.IndexOf(manifest, (byte)':', at)) + 1;
        manifest[value] = 0xC3; // a lead byte with an ASCII continuation after it
        string path = Path.Combine(_root, "bad-utf8.zip");
        File.WriteAllBytes(path, MLCardiac.Fuzzing.FuzzTargets.Zip(entries, CardiacModelFile.ManifestEntry, manifest));

        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));

        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "UTF-8");
    }

    /// <summary>Found by the fuzzer: a property named twice (at the top or inside a stage) escaped as an ArgumentException.</summary>
    [TestMethod]
    public void LoadModel_PropertyNamedTwice_RefusedNamingTheFile()
    {
        var entries = MLCardiac.Fuzzing.FuzzTargets.Entries(File.ReadAllBytes(_model));
        string manifest = System.Text.Encoding.UTF8.GetString(entries[CardiacModelFile.ManifestEntry]);
        int stage = manifest.IndexOf('{', manifest.IndexOf("\"stages\"", StringComparison.Ordinal));
        Assert.IsGreaterThan(0, stage);
        foreach (string twice in new[] { "{\"format\": \"x\"," + manifest[1..], manifest[..(stage + 1)] + "\"kind\": \"x\"," + manifest[(stage + 1)..] })
        {
            string path = Path.Combine(_root, "twice.zip");
            File.WriteAllBytes(path, MLCardiac.Fuzzing.FuzzTargets.Zip(entries, CardiacModelFile.ManifestEntry, System.Text.Encoding.UTF8.GetBytes(twice)));

            var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));

            StringAssert.Contains(e.Message, path);
            Assert.IsFalse(e.Message.Contains('\n', StringComparison.Ordinal), e.Message);
        }
    }

    [TestMethod]
    public void ErrorReporting_JsonExceptionFromAReader_OneLineAndExit1()
    {
        var (code, output) = Report(new System.Text.Json.JsonException("'0x00' is invalid after a value.\nLineNumber: 0"));

        Assert.AreEqual(1, code);
        Assert.AreEqual(1, output.TrimEnd().Split('\n').Length, output);
        StringAssert.Contains(output, "damaged");
    }
}
