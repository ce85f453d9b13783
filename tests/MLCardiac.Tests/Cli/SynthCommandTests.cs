using MLCardiac.Cli;
using Spectre.Console;

namespace MLCardiac.Tests.Cli;

[TestClass]
public sealed class SynthCommandTests
{
    [TestMethod]
    public void Run_UnknownVendor_FailsWithUserError()
    {
        using var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.No });
        int code = CliApp.Create(console).Run(["synth", "--preview", Path.Combine(Path.GetTempPath(), "never.png"), "--vendors", "Q"]);
        Assert.AreEqual(ErrorReporting.UserError, code);
        StringAssert.Contains(writer.ToString(), "Unknown synthetic vendor 'Q'");
    }

    [TestMethod]
    public void Run_OneVendorWithPreview_WritesDatasetAndPng()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-synth-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var writer = new StringWriter();
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(writer),
                Interactive = InteractionSupport.No,
            });
            string png = Path.Combine(dir, "preview.png");
            int code = CliApp.Create(console).Run(["synth", "--out", dir, "--vendors", "D", "--subjects-per-vendor", "1", "--min-frames", "4", "--max-frames", "4",
                "--seed", "5", "--preview", png, "--preview-subjects", "1"]);
            Assert.AreEqual(0, code, writer.ToString());
            StringAssert.Contains(writer.ToString(), "wrote 1 subjects");
            Assert.HasCount(2, File.ReadAllLines(Path.Combine(dir, "Synthetic_Dataset_information.csv")));
            Assert.HasCount(2, Directory.GetFiles(Path.Combine(dir, "Training", "Labeled"), "*.nii.gz", SearchOption.AllDirectories));
            byte[] head = File.ReadAllBytes(png)[..8];
            CollectionAssert.AreEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, head, "PNG signature (SkiaSharp native library loaded)");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
