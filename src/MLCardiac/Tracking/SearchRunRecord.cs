using System.Globalization;
using MLCardiac.Search;

namespace MLCardiac.Tracking;

/// <summary>
/// Turns a finished search into a <see cref="RunRecord"/> of kind "search" (named by the search id, whose trials the
/// same store holds): the best configuration as parameters (<c>best.&lt;name&gt;</c>), the validation metric of the best
/// and the default trial, the refitted models' test-vendor metrics (<c>test.best.&lt;vendor&gt;/meanDice</c>, …), trial
/// counts, timings, and the files (report, model file).
/// </summary>
public static class SearchRunRecord
{
    /// <summary>Kind of the runs this class records.</summary>
    public const string Kind = "search";

    /// <summary>The record of a search run.</summary>
    /// <param name="result">What <see cref="SearchExperiment.RunAsync"/> returned.</param>
    /// <param name="source">Pipeline file (or null).</param>
    /// <param name="settings">Settings worth keeping (tuner, budget, split…), stored as <c>settings.&lt;key&gt;</c> parameters.</param>
    /// <param name="artifacts">Files the search wrote: name → path (the refitted models are added here).</param>
    /// <param name="startedUtc">When this run started.</param>
    public static RunRecord From(SearchResult result, string? source, IReadOnlyDictionary<string, string>? settings, IReadOnlyDictionary<string, string> artifacts, DateTime startedUtc)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(artifacts);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["tuner"] = result.Tuner.ToName(),
            ["metric"] = $"{result.MetricName} ({(result.Maximize ? "higher" : "lower")} is better)",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) parameters[$"settings.{k}"] = v;
        if (result.Best is { } best)
        {
            parameters["best.trial"] = best.Trial.ToString(CultureInfo.InvariantCulture);
            foreach (var (k, v) in best.Parameters) parameters[$"best.{k}"] = SearchParameter.Format(v);
        }
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["trials"] = result.Trials.Count,
            ["trials.completed"] = result.Trials.Count(t => t.Status == TrialStatus.Completed),
            ["trials.stopped"] = result.Trials.Count(t => t.Status == TrialStatus.Stopped),
            ["trials.failed"] = result.Trials.Count(t => t.Status == TrialStatus.Failed),
        };
        if (result.Best?.Metric is double b) metrics[$"validation.best.{result.MetricName}"] = b;
        if (result.Default?.Metric is double d) metrics[$"validation.default.{result.MetricName}"] = d;
        foreach (var (k, v) in result.BestRefit?.TestMetrics ?? new Dictionary<string, double>()) metrics[$"test.best.{k}"] = v;
        foreach (var (k, v) in result.DefaultRefit?.TestMetrics ?? new Dictionary<string, double>()) metrics[$"test.default.{k}"] = v;

        var timings = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["wall"] = result.WallTime.TotalSeconds,
            ["trials"] = result.Trials.Sum(t => t.Seconds ?? 0),
        };
        if (result.BestRefit is { } br) timings["refit.best"] = br.Seconds;
        if (result.DefaultRefit is { } dr) timings["refit.default"] = dr.Seconds;

        var files = new Dictionary<string, string>(artifacts, StringComparer.Ordinal);
        void Model(string name, RefitResult? refit)
        {
            if (refit is null) return;
            if (refit.ModelFile is not null) files[name] = refit.ModelFile;
            files[$"{name}.folder"] = refit.ModelDirectory;
        }
        Model("model.best", result.BestRefit);
        Model("model.default", result.DefaultRefit);
        return new RunRecord
        {
            Kind = Kind,
            Name = result.SearchId,
            Source = source,
            Status = result.Best is null ? "no trial finished" : "finished",
            StartedUtc = startedUtc,
            FinishedUtc = DateTime.UtcNow,
            Parameters = parameters,
            Metrics = metrics,
            TimingsSeconds = timings,
            Artifacts = files,
        };
    }
}
