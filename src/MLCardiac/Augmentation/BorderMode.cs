namespace MLCardiac.Augmentation;

/// <summary>What a resampling reads outside the slice.</summary>
public enum BorderMode
{
    /// <summary>A constant: the transform's fill value for the image (0, the mean of a z-scored slice, by default) and background (0) for the label.</summary>
    Constant,

    /// <summary>The nearest edge pixel (image and label), as numpy's <c>edge</c> / PyTorch's <c>border</c> padding.</summary>
    Edge,
}
