namespace MLCardiac.Tests;

/// <summary>What the whole test run shares.</summary>
[TestClass]
public static class TestRun
{
    private static string? _cache;

    /// <summary>
    /// The prepared-slice cache of every command the tests run goes to a folder of this run (deleted at the end), not to
    /// the user's ~/.cache: tests stay independent of earlier runs and leave nothing behind.
    /// </summary>
    [AssemblyInitialize]
    public static void Start(TestContext context)
    {
        _cache = Directory.CreateTempSubdirectory("mlcardiac-test-cache-").FullName;
        Environment.SetEnvironmentVariable("MLCARDIAC_CACHE", _cache);
    }

    /// <summary>Deletes the run's cache folder and the server fixture's files.</summary>
    [AssemblyCleanup]
    public static void End()
    {
        Server.ServerFixture.DeleteIfMade();
        if (_cache is not null && Directory.Exists(_cache)) Directory.Delete(_cache, recursive: true);
    }
}
