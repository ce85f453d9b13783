namespace MLCardiac.Server.Contracts;

/// <summary>The quality-control verdict on one segmented frame (the model's QualityControl stage).</summary>
/// <param name="Frame">0-based frame.</param>
/// <param name="Flagged">True when the segmentation should be reviewed.</param>
/// <param name="Reasons">Why, one sentence each: unfamiliar scan, low predicted Dice, broken anatomical rules (each naming its slice).</param>
/// <param name="ShiftScore">Distance of the scan's features to the training scans'.</param>
/// <param name="ShiftThreshold">Calibrated threshold.</param>
/// <param name="PredictedDice">Predicted Dice per structure (LV, MYO, RV) with its interval.</param>
public sealed record QualityInfo(int Frame, bool Flagged, IReadOnlyList<string> Reasons, double ShiftScore, double ShiftThreshold,
    IReadOnlyDictionary<string, DiceEstimate> PredictedDice);

/// <summary>A predicted Dice and its interval.</summary>
public sealed record DiceEstimate(double Predicted, double Low, double High);
