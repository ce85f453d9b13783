using System.Diagnostics;

namespace MLCardiac.Tests.Reports;

/// <summary>
/// Opens pages in headless Chromium (/usr/bin/chromium, or $MLCARDIAC_CHROMIUM) as a user's browser would.
/// Without it, tests are inconclusive — or fail when CI=true, because CI must run them (<c>make setup</c> installs it).
/// </summary>
internal static class HeadlessChromium
{
    private static readonly string[] Flags =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    /// <summary>The browser, or null.</summary>
    public static string? Find() =>
        new[] { Environment.GetEnvironmentVariable("MLCARDIAC_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    /// <summary>The browser, or marks the test inconclusive (failed under CI=true).</summary>
    public static string Require()
    {
        string? browser = Find();
        if (browser is not null) return browser;
        const string reason = "chromium is not installed (/usr/bin/chromium; `make setup` installs it as root)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail($"{reason} (CI=true: these tests must run)");
        Assert.Inconclusive(reason);
        return "";
    }

    /// <summary>Loads <paramref name="page"/>, lets its scripts run, and returns the DOM as serialised after load.</summary>
    public static string DumpDom(string browser, string page) => Run(browser, [.. Flags, "--virtual-time-budget=10000", "--dump-dom", new Uri(Path.GetFullPath(page)).AbsoluteUri]);

    /// <summary>Renders <paramref name="page"/> into a PNG screenshot.</summary>
    public static void Screenshot(string browser, string page, string png, int width = 1200, int height = 3000) =>
        Run(browser, [.. Flags, $"--window-size={width},{height}", $"--screenshot={Path.GetFullPath(png)}", new Uri(Path.GetFullPath(page)).AbsoluteUri]);

    private static string Run(string browser, string[] args)
    {
        var start = new ProcessStartInfo(browser) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        string profile = Path.Combine(Path.GetTempPath(), "mlcardiac-chromium-" + Guid.NewGuid().ToString("N"));
        start.ArgumentList.Add($"--user-data-dir={profile}");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 120 s");
        }
        try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        Assert.AreEqual(0, process.ExitCode, $"chromium failed: {stderr.Result}");
        return stdout;
    }
}
