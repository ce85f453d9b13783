using System.Diagnostics;
using MLCardiac.Models;
using MLCardiac.Onnx;
using MLCardiac.Preprocessing;

namespace MLCardiac.Tests.Onnx;

/// <summary>
/// Runs samples/OnnxConsumer — an app that references only Microsoft.ML, Microsoft.ML.OnnxTransformer and ONNX Runtime —
/// as a separate process on an ML.NET model made by <see cref="OnnxExporter.SaveAsMLNetModel"/>.
/// </summary>
[TestClass]
public sealed class OnnxConsumerSampleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void OnnxConsumer_MLNetModelWrappingTheExport_WritesTheLabelsTorchSharpPredicts()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mlcardiac-consumer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            using UNet2d net = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 8, Depth = 3 }, seed: 11);
            string onnx = Path.Combine(dir, "unet.onnx"), zip = Path.Combine(dir, "unet.zip");
            File.WriteAllBytes(onnx, OnnxExporter.ExportSegmentation(net, new PreprocessingOptions { Size = 64 }));
            OnnxExporter.SaveAsMLNetModel(onnx, zip);
            const int slices = 3, px = 64 * 64;
            float[] x = OnnxTestNetworks.RandomInput(slices * px, seed: 12);
            string input = Path.Combine(dir, "slices.f32"), output = Path.Combine(dir, "labels.u8");
            File.WriteAllBytes(input, System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()).ToArray());

            var (code, text) = RunSample(zip, input, output);

            Assert.AreEqual(0, code, text);
            StringAssert.Contains(text, "3 slices of 4096 pixels");
            byte[] labels = File.ReadAllBytes(output);
            float[] logits = OnnxTestNetworks.Torch(net, x, [slices, 1, 64, 64]);
            int differing = 0;
            for (int n = 0; n < slices; n++)
                for (int i = 0; i < px; i++)
                {
                    int best = 0;
                    for (int c = 1; c < 4; c++) if (logits[(n * 4 + c) * px + i] > logits[(n * 4 + best) * px + i]) best = c;
                    if (labels[n * px + i] != best) differing++;
                }
            TestContext.WriteLine($"{differing} of {labels.Length} pixels differ from TorchSharp's arg-max");
            Assert.AreEqual(0, differing);
            Assert.IsGreaterThan(1, labels.Distinct().Count());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void OnnxConsumer_MissingModel_ExitsOneNamingIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.zip");
        var (code, text) = RunSample(missing, missing, missing + ".out");
        Assert.AreEqual(1, code);
        StringAssert.Contains(text, missing);
    }

    private static (int Code, string Output) RunSample(params string[] args)
    {
        string dll = SampleDll();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("OnnxConsumer did not finish within 2 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The sample's own build output (the test project builds it first; same configuration as the tests).</summary>
    private static string SampleDll()
    {
        string baseDir = AppContext.BaseDirectory;
        string configuration = baseDir.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dir = new DirectoryInfo(baseDir);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MLCardiac.sln"))) dir = dir.Parent;
        Assert.IsNotNull(dir, $"no MLCardiac.sln above {baseDir}");
        string dll = Path.Combine(dir.FullName, "samples", "OnnxConsumer", "bin", configuration, "net10.0", "OnnxConsumer.dll");
        Assert.IsTrue(File.Exists(dll), $"{dll} is missing: build the solution (the test project references the sample)");
        return dll;
    }
}
