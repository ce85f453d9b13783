namespace MLCardiac.Evaluation;

/// <summary>The quality-control verdict on one evaluated case, as the pipeline's QualityControl stage gave it (no ground truth used).</summary>
/// <param name="ShiftScore">Distance of the scan's features to the training scans'.</param>
/// <param name="ShiftDetected">True when the score passed the calibrated threshold.</param>
/// <param name="PredictedDice">Predicted Dice of LV, MYO, RV.</param>
/// <param name="PredictedDiceLow">Lower ends of their intervals.</param>
/// <param name="PredictedDiceHigh">Upper ends of their intervals.</param>
/// <param name="Flagged">True when the case should be reviewed.</param>
/// <param name="Reasons">Why, one sentence each.</param>
public sealed record CaseQuality(double ShiftScore, bool ShiftDetected, double[] PredictedDice, double[] PredictedDiceLow, double[] PredictedDiceHigh,
    bool Flagged, IReadOnlyList<string> Reasons)
{
    /// <summary>Mean predicted Dice of the three structures.</summary>
    public double PredictedMeanDice => PredictedDice.Average();
}
