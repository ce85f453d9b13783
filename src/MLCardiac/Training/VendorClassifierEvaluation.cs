namespace MLCardiac.Training;

/// <summary>How well the vendor classifier does on a labeled set of volumes.</summary>
/// <param name="SliceAccuracy">Share of slices whose vendor is predicted right.</param>
/// <param name="VolumeAccuracy">Share of volumes (mean of slice probabilities) predicted right.</param>
/// <param name="Confusion">Volume-level confusion matrix: [true vendor][predicted vendor] counts.</param>
/// <param name="FlaggedUnfamiliar">Share of volumes flagged unfamiliar (a false-alarm rate on in-distribution data).</param>
public sealed record VendorClassifierEvaluation(double SliceAccuracy, double VolumeAccuracy, int[][] Confusion, double FlaggedUnfamiliar);
