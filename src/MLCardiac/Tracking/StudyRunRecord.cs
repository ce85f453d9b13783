using System.Globalization;
using System.Text.Json;
using MLCardiac.Experiments;

namespace MLCardiac.Tracking;

/// <summary>Turns a finished study into a <see cref="RunRecord"/>: flattened experiment parameters, headline metrics per arm, timings, files.</summary>
public static class StudyRunRecord
{
    /// <summary>The record of a study run.</summary>
    public static RunRecord From(ExperimentDefinition experiment, StudyResults results, StudyMetrics metrics, IReadOnlyDictionary<string, string> artifacts, DateTime startedUtc)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(metrics);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        using (JsonDocument doc = JsonDocument.Parse(JsonSerializer.Serialize(experiment, StudyResults.Json)))
            Flatten(doc.RootElement, "", parameters);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var timings = new Dictionary<string, double>(StringComparer.Ordinal) { ["wall"] = results.WallSeconds };
        foreach (ArmMetrics a in metrics.Arms)
        {
            foreach (GroupMetrics g in a.ByRole)
            {
                values[$"{a.Arm}.{g.Group}.dice"] = g.MeanDice.Mean;
                values[$"{a.Arm}.{g.Group}.dice_lv"] = g.Lv.Dice.Mean;
                values[$"{a.Arm}.{g.Group}.dice_myo"] = g.Myo.Dice.Mean;
                values[$"{a.Arm}.{g.Group}.dice_rv"] = g.Rv.Dice.Mean;
                values[$"{a.Arm}.{g.Group}.hd95_mm"] = new[] { g.Lv.Hd95Mm, g.Myo.Hd95Mm, g.Rv.Hd95Mm }.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
                if (g.Clinical.TryGetValue("LV EF (%)", out var ef)) values[$"{a.Arm}.{g.Group}.lv_ef_mae"] = ef.MeanAbsoluteError;
            }
            values[$"{a.Arm}.gap.dice"] = a.DiceGap.Mean;
            timings[$"{a.Arm}.train"] = a.TrainSeconds;
            timings[$"{a.Arm}.evaluate"] = a.EvaluationSeconds;
        }
        if (metrics.VendorClassifier is { } vc)
        {
            values["vendor_classifier.volume_accuracy"] = vc.VolumeAccuracy;
            values["vendor_classifier.flagged_unseen"] = vc.FlaggedUnseen;
            timings["vendor_classifier"] = vc.Seconds;
        }
        return new RunRecord
        {
            Kind = "study",
            Name = experiment.Id,
            Profile = experiment.Profile,
            Source = experiment.SourceFile,
            Status = results.Arms.Count == experiment.Arms.Count * experiment.Seeds.Count ? "finished" : "partial",
            StartedUtc = startedUtc,
            FinishedUtc = DateTime.UtcNow,
            Parameters = parameters,
            Metrics = values,
            TimingsSeconds = timings,
            Artifacts = artifacts,
        };
    }

    private static void Flatten(JsonElement e, string prefix, Dictionary<string, string> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty p in e.EnumerateObject()) Flatten(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}", into);
                break;
            case JsonValueKind.Array when e.EnumerateArray().All(x => x.ValueKind is JsonValueKind.String or JsonValueKind.Number):
                into[prefix] = string.Join(",", e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText()));
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement x in e.EnumerateArray())
                {
                    string key = x.ValueKind == JsonValueKind.Object && x.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : i.ToString(CultureInfo.InvariantCulture);
                    Flatten(x, $"{prefix}.{key}", into);
                    i++;
                }
                break;
            case JsonValueKind.Null:
                break;
            default:
                into[prefix] = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
                break;
        }
    }
}
