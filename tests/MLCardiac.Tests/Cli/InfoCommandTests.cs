using System.Text.Json;
using MLCardiac.Cli;
using MLCardiac.Imaging;
using MLCardiac.Tests.Imaging;
using Spectre.Console;

namespace MLCardiac.Tests.Cli;

/// <summary><c>mlcardiac info</c> run in-process with the CLI's own configuration.</summary>
[TestClass]
public sealed class InfoCommandTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateFolder() => _dir = TestFiles.NewTempDirectory("cli-info");

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void Info_Json_PrintsVolumeFacts()
    {
        var affine = new Affine([-0.75, 0, 0, 90, 0, -0.75, 0, 100, 0, 0, 6, -40, 0, 0, 0, 1]);
        float[] data = TestFiles.Ramp(6 * 5 * 4 * 3, 2f, -10f);
        string path = Path.Combine(_dir, "case_sa.nii.gz");
        NiftiWriter.Write(new Volume(data, [6, 5, 4, 3], new Spacing(0.75, 0.75, 6), affine, 0.035), path,
            new NiftiWriteOptions { DataType = NiftiDataType.Int16, Description = "secret patient name" });

        (int code, string output) = Run("info", path, "--json");

        Assert.AreEqual(0, code, output);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        CollectionAssert.AreEqual(new[] { 6, 5, 4, 3 }, root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        CollectionAssert.AreEqual(new[] { 0.75, 0.75, 6.0 }, root.GetProperty("spacingMm").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        Assert.AreEqual(0.035, root.GetProperty("timeStepS").GetDouble(), 1e-7);
        Assert.AreEqual("int16", root.GetProperty("dataType").GetString());
        Assert.AreEqual(1, root.GetProperty("niftiVersion").GetInt32());
        Assert.AreEqual("LPS", root.GetProperty("orientation").GetString());
        Assert.AreEqual(-0.75, root.GetProperty("affine")[0][0].GetDouble(), 1e-6);
        Assert.AreEqual(-40, root.GetProperty("affine")[2][3].GetDouble(), 1e-6);
        Assert.AreEqual(data.Min(), root.GetProperty("intensity").GetProperty("min").GetDouble());
        Assert.AreEqual(data.Max(), root.GetProperty("intensity").GetProperty("max").GetDouble());
        Assert.AreEqual(data.Average(v => (double)v), root.GetProperty("intensity").GetProperty("mean").GetDouble(), 1e-9);
        Assert.DoesNotContain("secret", output);
    }

    [TestMethod]
    public void Info_Table_ShowsOrientationAndNoFreeText()
    {
        string path = Path.Combine(_dir, "plain.nii");
        NiftiWriter.Write(new Volume(TestFiles.Ramp(60), [5, 4, 3], new Spacing(1, 1, 2)), path, new NiftiWriteOptions { Description = "secret" });

        (int code, string output) = Run("info", path);

        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "RAS");
        StringAssert.Contains(output, "5 × 4 × 3");
        Assert.DoesNotContain("secret", output);
    }

    [TestMethod]
    public void Info_TruncatedFile_ExitCode1AndFileNameInMessage()
    {
        string good = Path.Combine(_dir, "good.nii");
        NiftiWriter.Write(new Volume(TestFiles.Ramp(60), [5, 4, 3], new Spacing(1, 1, 1)), good);
        string path = Path.Combine(_dir, "cut_short.nii");
        File.WriteAllBytes(path, File.ReadAllBytes(good)[..400]);

        (int code, string output) = Run("info", path);

        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "cut_short.nii");
        StringAssert.Contains(output, "truncated");
        Assert.AreEqual(1, output.Trim().Split('\n').Length, $"one line expected:\n{output}");
    }

    [TestMethod]
    public void Info_MissingFile_ExitCode1()
    {
        (int code, string output) = Run("info", Path.Combine(_dir, "absent.nii.gz"));

        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "absent.nii.gz");
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        using var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 400;
        int code = CliApp.Create(console).Run(args);
        return (code, writer.ToString());
    }
}
