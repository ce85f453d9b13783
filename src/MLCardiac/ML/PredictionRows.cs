using Microsoft.ML.Data;

namespace MLCardiac.ML;

/// <summary>
/// <c>PredictionEngine</c> input for a whole pipeline (the loader included): one case by its NIfTI file and frame.
/// </summary>
public sealed class CaseInput
{
    /// <summary>The NIfTI image file.</summary>
    public string ImagePath { get; set; } = "";
    /// <summary>Frame of a 4D image (0-based); 0 for a 3D image.</summary>
    public int ImageFrame { get; set; }
}

/// <summary>
/// <c>PredictionEngine</c> input for a pipeline without its loader (<see cref="CardiacSegmentationCatalog.WithoutLoader"/>):
/// one frame already in memory, as the <c>LoadNifti</c> stage would produce it.
/// </summary>
public sealed class VolumeInput
{
    /// <summary>Voxels of one frame, x fastest.</summary>
    [VectorType]
    public float[] Image { get; set; } = [];
    /// <summary>X, Y, Z.</summary>
    [VectorType(3)]
    public int[] ImageShape { get; set; } = [];
    /// <summary>Voxel spacing in mm (X, Y, Z).</summary>
    [VectorType(3)]
    public float[] SpacingMm { get; set; } = [];
}

/// <summary><c>PredictionEngine</c> output of a segmentation pipeline (add fields such as <c>PredictedVendor</c> in a class of your own when the pipeline ends with the vendor classifier).</summary>
public sealed class SegmentationOutput
{
    /// <summary>Labels 0 background, 1 LV, 2 MYO, 3 RV on the image's own grid, x fastest.</summary>
    public byte[] PredictedLabel { get; set; } = [];
}
