namespace MLCardiac.Training;

/// <summary>The vendor classifier's verdict on one volume (all its slices).</summary>
/// <param name="Subject">The volume's subject code.</param>
/// <param name="Probabilities">Mean of the slices' softmax probabilities, one per known vendor.</param>
/// <param name="PredictedVendor">Index of the most probable vendor.</param>
/// <param name="Confidence">Largest mean probability (the out-of-distribution score: low means unfamiliar).</param>
/// <param name="Unfamiliar">True when <paramref name="Confidence"/> is below the calibrated threshold.</param>
public sealed record VolumePrediction(string Subject, IReadOnlyList<double> Probabilities, int PredictedVendor, double Confidence, bool Unfamiliar);
