using System.Text.Json;
using MLCardiac.Inference;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// The JSON that <c>mlcardiac predict</c> writes beside each label map (<c>NAME.quality.json</c> for <c>NAME.nii.gz</c>):
/// per segmented frame the shift score and threshold, the predicted Dice per structure with its interval, the QC flag and its
/// reasons, the broken anatomical rules; and the volume-plausibility warnings. Nothing from the input's header or path.
/// </summary>
internal static class QualitySidecar
{
    /// <summary>Schema version of the sidecar.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The sidecar's path for the label map <paramref name="labelsPath"/>.</summary>
    public static string PathFor(string labelsPath)
    {
        string name = Path.GetFileName(labelsPath);
        int dot = name.IndexOf(".nii", StringComparison.OrdinalIgnoreCase);
        string stem = dot > 0 ? name[..dot] : Path.GetFileNameWithoutExtension(name);
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(labelsPath))!, stem + ".quality.json");
    }

    /// <summary>One frame's verdict.</summary>
    public sealed record Frame(int Index, bool Flagged, IReadOnlyList<string> Reasons, double ShiftScore, double ShiftThreshold, bool ShiftDetected,
        IReadOnlyDictionary<string, DiceEstimate> PredictedDice, IReadOnlyList<Finding> Findings)
    {
        public static Frame From(int index, QualityAssessment a) => new(index, a.Flagged, a.Reasons, a.ShiftScore, a.ShiftThreshold, a.Shifted,
            QualityFeatures.Structures.Select((s, k) => (s, k)).ToDictionary(t => t.s, t => new DiceEstimate(a.PredictedDice[t.k], a.PredictedDiceLow[t.k], a.PredictedDiceHigh[t.k])),
            [.. a.Findings.Select(f => new Finding(f.Rule, f.Structure, f.Slice, f.Message))]);
    }

    /// <summary>A predicted Dice and its interval.</summary>
    public sealed record DiceEstimate(double Predicted, double Low, double High);

    /// <summary>A broken anatomical rule.</summary>
    public sealed record Finding(string Rule, string Structure, int? Slice, string Message);

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The sidecar's text.</summary>
    public static string Json(SegmentationModel model, bool hasQualityControl, IReadOnlyList<Frame> frames, IReadOnlyList<string> warnings) =>
        JsonSerializer.Serialize(new
        {
            schemaVersion = SchemaVersion,
            model = new { weightsSha256 = model.WeightsSha256(), trainVendors = model.Description.TrainVendors },
            qualityControl = hasQualityControl,
            flagged = frames.Any(f => f.Flagged) || warnings.Count > 0,
            frames,
            warnings,
        }, Options);
}
