namespace MLCardiac.Augmentation;

/// <summary>How a spatial transform resamples the label map. Neither mode ever blends labels into new values.</summary>
public enum LabelInterpolation
{
    /// <summary>Nearest neighbour.</summary>
    Nearest,

    /// <summary>
    /// Label-wise bilinear, then argmax: each of the four neighbours votes for its label with its bilinear
    /// weight and the label with the largest total wins (ties go to the smaller label). Equal to resampling the
    /// one-hot encoding bilinearly and taking the argmax, with smoother boundaries than nearest neighbour.
    /// </summary>
    Linear,
}
