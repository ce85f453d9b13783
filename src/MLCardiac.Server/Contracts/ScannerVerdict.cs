namespace MLCardiac.Server.Contracts;

/// <summary>The vendor classifier's verdict on the uploaded image.</summary>
/// <param name="Vendor">Most probable known vendor.</param>
/// <param name="Confidence">Its mean slice probability: the out-of-distribution score (low means unfamiliar).</param>
/// <param name="Threshold">Calibrated threshold; below it the scanner is flagged unfamiliar.</param>
/// <param name="Unfamiliar">True when <paramref name="Confidence"/> is below <paramref name="Threshold"/>.</param>
/// <param name="Probabilities">Mean probability per known vendor.</param>
public sealed record ScannerVerdict(string Vendor, double Confidence, double Threshold, bool Unfamiliar, IReadOnlyDictionary<string, double> Probabilities);
