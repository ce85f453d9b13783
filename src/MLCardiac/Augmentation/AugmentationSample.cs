namespace MLCardiac.Augmentation;

/// <summary>
/// One 2D short-axis slice as the augmentations see it: an image <c>float</c> [H, W] row-major (intensities
/// already normalised, roughly z-scored), an optional label map <c>byte</c> [H, W] (0 background, 1 LV blood
/// pool, 2 LV myocardium, 3 RV blood pool) and the in-plane pixel spacing in mm. Transforms work in place.
/// </summary>
/// <remarks>Independent of the NIfTI volume type on purpose: a slice view over any buffer.</remarks>
public readonly ref struct AugmentationSample
{
    /// <summary>Largest label value the system uses (RV blood pool).</summary>
    public const int MaxLabel = 3;

    /// <summary>Creates a sample over <paramref name="image"/> and an optional <paramref name="label"/> (empty span = no label).</summary>
    /// <exception cref="MLCardiacException">A size does not match <paramref name="height"/> × <paramref name="width"/> or a spacing is not positive.</exception>
    public AugmentationSample(Span<float> image, Span<byte> label, int height, int width, double spacingYMm = 1.0, double spacingXMm = 1.0)
    {
        if (height <= 0 || width <= 0)
        {
            throw new MLCardiacException($"Slice size must be positive, got height {height} and width {width}.");
        }

        if (image.Length != height * width)
        {
            throw new MLCardiacException($"The image has {image.Length} pixels but height × width is {height} × {width} = {height * width}.");
        }

        if (!label.IsEmpty && label.Length != height * width)
        {
            throw new MLCardiacException($"The label has {label.Length} pixels but height × width is {height * width}.");
        }

        if (!(spacingYMm > 0) || !(spacingXMm > 0) || double.IsInfinity(spacingYMm) || double.IsInfinity(spacingXMm))
        {
            throw new MLCardiacException($"Pixel spacing must be positive and finite, got {spacingYMm} × {spacingXMm} mm.");
        }

        Image = image;
        Label = label;
        Height = height;
        Width = width;
        SpacingYMm = spacingYMm;
        SpacingXMm = spacingXMm;
    }

    /// <summary>Creates an unlabeled sample (a target-domain row).</summary>
    public AugmentationSample(Span<float> image, int height, int width, double spacingYMm = 1.0, double spacingXMm = 1.0)
        : this(image, Span<byte>.Empty, height, width, spacingYMm, spacingXMm)
    {
    }

    /// <summary>Image intensities, row-major [H, W].</summary>
    public Span<float> Image { get; }

    /// <summary>Label map, row-major [H, W]; empty when the slice has no label.</summary>
    public Span<byte> Label { get; }

    /// <summary>Whether the slice carries a label map.</summary>
    public bool HasLabel => !Label.IsEmpty;

    /// <summary>Number of rows (H).</summary>
    public int Height { get; }

    /// <summary>Number of columns (W).</summary>
    public int Width { get; }

    /// <summary>Distance between rows in mm.</summary>
    public double SpacingYMm { get; }

    /// <summary>Distance between columns in mm.</summary>
    public double SpacingXMm { get; }

    /// <summary>Number of pixels (H × W).</summary>
    public int PixelCount => Height * Width;
}
