using System.Globalization;
using System.Text.Json;
using MLCardiac.Evaluation;
using MLCardiac.Tests.Imaging;

namespace MLCardiac.Tests.Evaluation;

/// <summary>The subject-level (cluster) bootstrap: behaviour, and agreement with an independent numpy/scipy implementation.</summary>
[TestClass]
public sealed class ClusterBootstrapTests
{
    /// <summary>Subjects with a subject effect: each subject's <paramref name="perSubject"/> values share it (ED/ES and seeds of one subject).</summary>
    private static (string[] Clusters, double[] Values) Correlated(int subjects, int perSubject, int seed)
    {
        var rng = new Random(seed);
        var clusters = new List<string>();
        var values = new List<double>();
        for (int s = 0; s < subjects; s++)
        {
            double subject = 0.85 + (0.06 * (rng.NextDouble() - 0.5) * 2);
            for (int k = 0; k < perSubject; k++)
            {
                clusters.Add($"S{s}");
                values.Add(subject + (0.005 * (rng.NextDouble() - 0.5)));
            }
        }
        return ([.. clusters], [.. values]);
    }

    [TestMethod]
    public void ClusteredMeanInterval_CorrelatedValuesPerSubject_WiderThanResamplingValues()
    {
        var (clusters, values) = Correlated(12, 4, 3);

        var byRow = Bootstrap.MeanInterval(values);
        var bySubject = Bootstrap.ClusteredMeanInterval(clusters, values);

        Assert.AreEqual(values.Average(), bySubject.Mean, 1e-12);
        // Four nearly identical values per subject: resampling values pretends to have 48 independent ones, not 12 (width ≈ × √4).
        Assert.IsGreaterThan(1.6 * (byRow.Upper - byRow.Lower), bySubject.Upper - bySubject.Lower, $"rows {byRow}, subjects {bySubject}");
        Assert.AreEqual(bySubject, Bootstrap.ClusteredMeanInterval(clusters, values), "seeded: the same interval again");
    }

    [TestMethod]
    public void ClusteredDifferenceInterval_SeparatedGroups_ExcludesZero_EmptyGivesNaN()
    {
        var (ca, a) = Correlated(10, 2, 5);
        var (cb, b) = Correlated(10, 2, 6);
        double[] lower = [.. b.Select(v => v - 0.08)];
        string[] cbOther = [.. cb.Select(c => "T" + c)];

        var d = Bootstrap.ClusteredDifferenceInterval(ca, a, cbOther, lower);

        Assert.AreEqual(a.Average() - lower.Average(), d.Mean, 1e-12);
        Assert.IsTrue(d.Lower > 0 && d.Lower < d.Mean && d.Mean < d.Upper, $"{d}");
        Assert.IsTrue(double.IsNaN(Bootstrap.ClusteredDifferenceInterval([], [], cbOther, lower).Mean));
        Assert.ThrowsExactly<ArgumentException>(() => Bootstrap.ClusteredMeanInterval(["a"], [1.0, 2.0]));
    }

    [TestMethod]
    [DataRow(15, 2, 11)]
    [DataRow(8, 6, 12)]
    public void ClusteredMeanInterval_AgreesWithNumpyAndScipy(int subjects, int perSubject, int seed)
    {
        string? python = NibabelPython.TryGetInterpreter("numpy, scipy", out string reason);
        if (python is null)
        {
            NibabelPython.Skip(reason);
            return;
        }
        var (clusters, values) = Correlated(subjects, perSubject, seed);
        const int resamples = 20000;
        var ours = Bootstrap.ClusteredMeanInterval(clusters, values, resamples, seed: seed);

        string input = Path.Combine(Path.GetTempPath(), $"mlcardiac-cluster-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(input, JsonSerializer.Serialize(new { clusters, values, resamples, alpha = 0.05, seed }));
            string script = Path.Combine(AppContext.BaseDirectory, "Evaluation", "Scripts", "cluster_bootstrap.py");
            (int code, string stdout, string stderr) = NibabelPython.Run(python, [script, input], TimeSpan.FromMinutes(2));
            Assert.AreEqual(0, code, stderr);
            using JsonDocument reference = JsonDocument.Parse(stdout);
            JsonElement r = reference.RootElement;
            double width = ours.Upper - ours.Lower;
            // Different random generators: the endpoints agree within Monte-Carlo error (20 000 resamples), here 8 % of the width.
            Assert.AreEqual(r.GetProperty("mean").GetDouble(), ours.Mean, 1e-12);
            Assert.AreEqual(r.GetProperty("lower").GetDouble(), ours.Lower, 0.08 * width, string.Create(CultureInfo.InvariantCulture, $"ours {ours}, numpy {stdout}"));
            Assert.AreEqual(r.GetProperty("upper").GetDouble(), ours.Upper, 0.08 * width, stdout);
            Assert.AreEqual(r.GetProperty("scipy_lower").GetDouble(), ours.Lower, 0.08 * width, stdout);
            Assert.AreEqual(r.GetProperty("scipy_upper").GetDouble(), ours.Upper, 0.08 * width, stdout);
        }
        finally
        {
            File.Delete(input);
        }
    }
}
