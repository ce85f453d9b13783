using MLCardiac.Cli;

namespace MLCardiac.Tests.Cli;

[TestClass]
public sealed class SynthCommandTests
{
    [TestMethod]
    public void Run_UnknownVendor_FailsWithUserError()
    {
        (int code, string output) = CliRunner.Run("synth", "--preview", Path.Combine(Path.GetTempPath(), "never.png"), "--vendors", "Q");
        Assert.AreEqual(ErrorReporting.UserError, code);
        StringAssert.Contains(output, "Unknown synthetic vendor 'Q'");
    }

    [TestMethod]
    public void Run_OneVendorWithPreview_WritesDatasetAndPng()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-synth-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            string png = Path.Combine(dir, "preview.png");
            (int code, string output) = CliRunner.Run("synth", "--out", dir, "--vendors", "D", "--subjects-per-vendor", "1", "--min-frames", "4", "--max-frames", "4",
                "--seed", "5", "--preview", png, "--preview-subjects", "1");
            Assert.AreEqual(0, code, output);
            StringAssert.Contains(output, "wrote 1 subjects");
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
