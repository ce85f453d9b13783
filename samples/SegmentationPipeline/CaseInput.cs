namespace SegmentationPipeline;

/// <summary>One case by its file.</summary>
public sealed class CaseInput
{
    /// <summary>NIfTI image.</summary>
    public string ImagePath { get; set; } = "";
    /// <summary>Frame of the image.</summary>
    public int ImageFrame { get; set; }
}
