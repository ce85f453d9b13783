namespace SegmentationPipeline;

/// <summary>What the pipeline says about one case.</summary>
public sealed class CaseOutput
{
    /// <summary>Labels 0..3 on the image grid.</summary>
    public byte[] PredictedLabel { get; set; } = [];
    /// <summary>Most probable vendor.</summary>
    public string PredictedVendor { get; set; } = "";
    /// <summary>True when the scan looks unlike every training vendor.</summary>
    public bool UnfamiliarScanner { get; set; }
}
