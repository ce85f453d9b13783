using System.Text.RegularExpressions;
using MLCardiac.Search;

namespace MLCardiac.Tests.Cli;

/// <summary><c>mlcardiac runs progress</c>: a search's trials by status and its workers, read from the trial store.</summary>
[TestClass]
public sealed class RunsProgressCommandTests
{
    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(10);

    private static NewTrial? Propose(IReadOnlyList<TrialRecord> history) =>
        history.Count >= 6 ? null : new NewTrial(new ParameterAssignment([new("learningRate", 0.001 * (history.Count + 1))]), "tuner", 3);

    [TestMethod]
    public void Progress_CountsTrialsPerStatus_AndShowsWhatEachWorkerRunsNow()
    {
        string db = Path.Combine(Path.GetTempPath(), $"mlcardiac-progress-{Guid.NewGuid():N}.db");
        try
        {
            var store = new SqliteTrialStore(db);
            store.EnsureSearch("unet-cfo", "fingerprint", "{}");
            TrialRecord a = store.Claim("unet-cfo", "alpha", Stale, Propose)!;
            Assert.IsTrue(store.Finish("unet-cfo", a.Trial, "alpha", TrialStatus.Completed, 0.81, null, 120, null, null));
            TrialRecord b = store.Claim("unet-cfo", "beta", Stale, Propose)!;
            Assert.IsTrue(store.Finish("unet-cfo", b.Trial, "beta", TrialStatus.Failed, null, null, 6, null, "diverged"));
            TrialRecord c = store.Claim("unet-cfo", "alpha", Stale, Propose)!;
            Assert.IsTrue(store.Finish("unet-cfo", c.Trial, "alpha", TrialStatus.Completed, 0.77, null, 60, null, null));
            TrialRecord running = store.Claim("unet-cfo", "beta", Stale, Propose)!;
            store.EnsureSearch("other", "fingerprint", "{}");

            (int code, string output) = CliRunner.Run("runs", "progress", "--store", db);

            Assert.AreEqual(0, code, output);
            // unet-cfo: 3 finished of no budget, 0 pending, 1 running, 2 completed, 0 stopped, 1 failed, 1 live worker, best 0.8100.
            StringAssert.Matches(output, new Regex(@"unet-cfo\s*│\s*3 / –\s*│\s*0\s*│\s*1\s*│\s*2\s*│\s*0\s*│\s*1\s*│\s*1\s*│\s*0\.8100"));
            StringAssert.Matches(output, new Regex(@"other\s*│\s*0 / –"));
            Assert.IsFalse(output.Contains("Workers", StringComparison.Ordinal), "workers are listed for one search");

            (code, output) = CliRunner.Run("runs", "progress", "--store", db, "--search", "unet-cfo");
            Assert.AreEqual(0, code, output);
            StringAssert.Matches(output, new Regex(@"alpha\s*│\s*–\s*│\s*–\s*│\s*2\s*│\s*0\s*│\s*1\.5"), "alpha: nothing running, 2 finished in 2 and 1 minutes");
            StringAssert.Matches(output, new Regex($@"beta\s*│\s*trial {running.Trial}\s*│\s*\d+ s ago\s*│\s*0\s*│\s*1"), "beta runs a trial with a fresh heartbeat");
            Assert.IsFalse(output.Contains("stale", StringComparison.Ordinal));

            Thread.Sleep(1500);
            (code, output) = CliRunner.Run("runs", "progress", "--store", db, "--search", "unet-cfo", "--stale", "1s");
            Assert.AreEqual(0, code, output);
            StringAssert.Contains(output, "stale: another worker will retry it");

            (code, output) = CliRunner.Run("runs", "progress", "--store", db, "--search", "nope");
            Assert.AreEqual(1, code, output);
            StringAssert.Contains(output, "has no search \"nope\" (it has: other, unet-cfo)");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(db);
        }
    }

    [TestMethod]
    public void Progress_NoStoreFile_SaysSoInOneLine()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"mlcardiac-none-{Guid.NewGuid():N}.db");
        (int code, string output) = CliRunner.Run("runs", "progress", "--store", missing);
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, $"{missing}: no trial store");
        Assert.IsFalse(File.Exists(missing), "watching creates nothing");
    }
}
