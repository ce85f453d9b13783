using System.Globalization;
using Microsoft.Playwright;
using MLCardiac.Server;
using SkiaSharp;

namespace MLCardiac.Tests.Server;

/// <summary>
/// The web page in a real browser: Debian's headless Chromium (/usr/bin/chromium, or $MLCARDIAC_CHROMIUM) driven by
/// Playwright loads the page from the service, uploads a synthetic cine, waits for the segmentation overlay and
/// checks what a person would see. Without Chromium the test is inconclusive — and fails when CI=true.
/// </summary>
[TestClass]
public sealed class PageTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string? FindChromium()
    {
        foreach (string? path in new[] { Environment.GetEnvironmentVariable("MLCARDIAC_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" })
            if (!string.IsNullOrEmpty(path) && File.Exists(path)) return path;
        return null;
    }

    private static void Skip(string reason)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail($"{reason} (CI=true: the browser test must run)");
        Assert.Inconclusive(reason);
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task Page_UploadSyntheticCine_ShowsIndicesAndTheOverlay()
    {
        string? chromium = FindChromium();
        if (chromium is null) { Skip("Chromium not installed (Debian: apt-get install chromium; or set MLCARDIAC_CHROMIUM)"); return; }
        if (!EmbeddedAssets.HasViewer) { Skip("this build has no NiiVue bundle (npm was missing at build time)"); return; }
        ServerFixture f = ServerFixture.Shared;
        await using RunningServer server = await f.StartAsync(o => o with { ClassifierDirectory = f.StrictClassifierDirectory });

        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // WebGL2 without a GPU: SwiftShader through ANGLE.
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
        });
        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        var offsite = new List<string>();
        page.Request += (_, r) => { if (!r.Url.StartsWith(server.Address.ToString(), StringComparison.Ordinal) && !r.Url.StartsWith("blob:", StringComparison.Ordinal)) offsite.Add(r.Url); };

        await page.GotoAsync(server.Address.ToString());
        await page.WaitForSelectorAsync("#model:not(:text('loading model…'))");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "scan.nii.gz", MimeType = "application/gzip", Buffer = f.ScanGz });
        await page.WaitForFunctionAsync("document.body.dataset.state === 'ready' || document.body.dataset.state === 'error'", null,
            new PageWaitForFunctionOptions { Timeout = 180_000 });
        string pageState = await page.EvaluateAsync<string>("document.body.dataset.state");
        Assert.AreEqual("ready", pageState, await page.InnerTextAsync("#error") + " | console: " + string.Join(" | ", consoleErrors));
        await page.WaitForTimeoutAsync(500); // one more animation frame for the overlay

        string dir = Path.Combine(TestContext.TestResultsDirectory ?? Path.GetTempPath(), "page");
        Directory.CreateDirectory(dir);
        string shot = Path.Combine(dir, "page-after-upload.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        TestContext.AddResultFile(shot);

        // The table shows numbers: EDV, ESV, EF, mass.
        var values = await page.Locator("#indices td.value").AllInnerTextsAsync();
        double[] numbers = values.Take(7).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.HasCount(7, numbers);
        Assert.IsGreaterThan(0.0, numbers[0], "LV EDV");
        Assert.IsTrue(await page.IsVisibleAsync("#warning"), "the unfamiliar-scanner warning is shown");
        StringAssert.Contains(await page.InnerTextAsync("#warning"), "Unfamiliar scanner");
        // The quality badge: shown, with a verdict and the predicted Dice.
        Assert.IsTrue(await page.IsVisibleAsync("#badge"), "the quality badge is shown");
        string badge = await page.InnerTextAsync("#badge");
        Assert.IsTrue(badge is "Review this segmentation" or "Quality check passed", badge);
        StringAssert.Contains(await page.InnerTextAsync("#quality-text"), "Predicted Dice");
        Assert.AreEqual(f.Scan.Frames - 1, int.Parse(await page.GetAttributeAsync("#frame", "max") ?? "-1", CultureInfo.InvariantCulture));

        // The canvas is not blank: grey image pixels, and the overlay's LV (red) and RV (blue) colours.
        byte[] png = await page.Locator("#gl").ScreenshotAsync();
        using SKBitmap bitmap = SKBitmap.Decode(png);
        int grey = 0, red = 0, blue = 0;
        var levels = new HashSet<byte>();
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                if (Math.Abs(c.Red - c.Green) < 8 && Math.Abs(c.Green - c.Blue) < 8 && c.Red > 20) { grey++; levels.Add(c.Red); }
                if (c.Red > c.Green + 60 && c.Red > c.Blue + 60) red++;
                if (c.Blue > c.Red + 60 && c.Blue > c.Green + 30) blue++;
            }
        Assert.IsGreaterThan(1000, grey, $"image pixels ({bitmap.Width}×{bitmap.Height} canvas)");
        Assert.IsGreaterThan(20, levels.Count, "the image has grey levels, not a flat fill");
        Assert.IsGreaterThan(30, red, "LV overlay pixels");
        Assert.IsGreaterThan(30, blue, "RV overlay pixels");

        // Offline: nothing but this server was asked for anything.
        Assert.IsEmpty(offsite, string.Join(", ", offsite));

        // The label download link works.
        string href = await page.GetAttributeAsync("#download", "href") ?? "";
        IAPIResponse download = await page.APIRequest.GetAsync(new Uri(server.Address, href).ToString());
        Assert.AreEqual(200, download.Status);
    }
}
