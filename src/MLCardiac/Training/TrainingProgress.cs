namespace MLCardiac.Training;

/// <summary>A progress report during training (for progress bars).</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Step">Step within the epoch (1-based).</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="Loss">Running mean loss of this epoch.</param>
/// <param name="LastValidationDice">Mean validation Dice of the last finished epoch, if any.</param>
/// <param name="Eta">Estimated time left.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double? LastValidationDice, TimeSpan Eta);
