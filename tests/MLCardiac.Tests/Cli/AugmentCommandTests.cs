using System.Buffers.Binary;
using MLCardiac.Augmentation;
using MLCardiac.Cli.Commands;
using MLCardiac.Cli.Preview;
using SkiaSharp;
using Spectre.Console.Cli;

namespace MLCardiac.Tests.Cli;

[TestClass]
public sealed class AugmentCommandTests
{
    private static CommandApp NewApp()
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.PropagateExceptions();
            config.AddCommand<AugmentCommand>("augment");
        });
        return app;
    }

    [TestMethod]
    public void Run_PreviewStandard_WritesPngOfTheGridSize()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlcardiac-preview-{Guid.NewGuid():N}.png");
        try
        {
            int rc = NewApp().Run(["augment", "--preview", path, "--preset", "Standard", "--seed", "3"]);

            Assert.AreEqual(0, rc);
            byte[] bytes = File.ReadAllBytes(path);
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
            int height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));

            // Standard: 3 rows (original + draws, 3 spatial components, 7 intensity transforms), 7 columns of 256 × 280 panels.
            Assert.AreEqual(7 * AugmentationPreview.PanelWidth, width);
            Assert.AreEqual(3 * AugmentationPreview.PanelHeight, height);
            Assert.AreEqual((width, height), AugmentationPreview.Size(AugmentationPreset.Standard));

            using SKBitmap decoded = SKBitmap.Decode(path);
            Assert.AreEqual(width, decoded.Width);
            SKColor centre = decoded.GetPixel(AugmentationPreview.PanelWidth / 2, AugmentationPreview.TitleHeight + (AugmentationPreview.PanelWidth / 2));
            Assert.IsGreaterThan(100, (int)centre.Red, "the LV blood pool is bright in the first panel");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Run_UnknownPreset_ThrowsListingValidNames()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlcardiac-preview-{Guid.NewGuid():N}.png");
        var ex = Assert.ThrowsExactly<MLCardiacException>(() => NewApp().Run(["augment", "--preview", path, "--preset", "extreme"]));
        StringAssert.Contains(ex.Message, "none, standard, heavy");
        Assert.IsFalse(File.Exists(path));
    }
}
