namespace MLCardiac.Training;

/// <summary>What one epoch did: the line written to the JSON-lines training log.</summary>
/// <param name="Epoch">0-based epoch index.</param>
/// <param name="TrainLoss">Mean total loss over the epoch's steps.</param>
/// <param name="DomainLoss">Mean domain cross-entropy (DANN only; otherwise null).</param>
/// <param name="DomainAccuracy">Share of rows whose domain the head predicted (DANN only).</param>
/// <param name="Lambda">Gradient-reversal weight at the end of the epoch (DANN only).</param>
/// <param name="LearningRate">Learning rate at the end of the epoch.</param>
/// <param name="ValidationDice">Dice per foreground class (LV, MYO, RV) on the validation slices; null without validation.</param>
/// <param name="ValidationMeanDice">Mean of <paramref name="ValidationDice"/>.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="SlicesPerSecond">Training slices processed per second.</param>
public sealed record EpochRecord(
    int Epoch, double TrainLoss, double? DomainLoss, double? DomainAccuracy, double? Lambda, double LearningRate,
    IReadOnlyList<double>? ValidationDice, double? ValidationMeanDice, double Seconds, double SlicesPerSecond);
