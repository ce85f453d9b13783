namespace MLCardiac.Experiments;

/// <summary>The experiment's vendor-classifier run (<c>vendorClassifier</c>): can a network tell the scanners apart?</summary>
public sealed record VendorClassifierDefinition
{
    /// <summary>Epochs (<c>epochs</c>).</summary>
    public int Epochs { get; init; } = 6;
    /// <summary>Steps per epoch (<c>iterationsPerEpoch</c>; 0: one pass).</summary>
    public int IterationsPerEpoch { get; init; }
    /// <summary>ResNet base width (<c>width</c>).</summary>
    public int Width { get; init; } = 16;
    /// <summary>Vendors kept out of the classifier's training, to measure the unfamiliar-scanner warning (<c>unseenVendors</c>).</summary>
    public IReadOnlyList<string> UnseenVendors { get; init; } = [];
    /// <summary>Share of familiar volumes the calibrated warning may flag (<c>falseAlarmRate</c>).</summary>
    public double FalseAlarmRate { get; init; } = 0.05;
}
