namespace MLCardiac.Training;

/// <summary>
/// One preprocessed 2D slice as training sees it: image float [H, W] row-major (normalised intensities),
/// label byte [H, W] (0 background, 1 LV, 2 MYO, 3 RV) or null for an unlabeled target-domain slice,
/// the index of its domain (vendor) in <see cref="SliceDataset.Domains"/>, and the subject it comes from.
/// </summary>
public sealed class TrainingSlice
{
    /// <summary>Creates a slice; throws <see cref="ArgumentException"/> when sizes disagree or labels exceed 3.</summary>
    public TrainingSlice(float[] image, byte[]? label, int height, int width, int domain, string subject)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(subject);
        if (height < 1 || width < 1) throw new ArgumentException($"Slice size must be positive (was {height}×{width}).", nameof(height));
        if (image.Length != height * width)
            throw new ArgumentException($"Image of subject {subject} has {image.Length} pixels, expected {height}×{width}.", nameof(image));
        if (label is not null && label.Length != height * width)
            throw new ArgumentException($"Label of subject {subject} has {label.Length} pixels, expected {height}×{width}.", nameof(label));
        if (label is not null && label.AsSpan().IndexOfAnyExceptInRange((byte)0, (byte)3) >= 0)
            throw new ArgumentException($"Label of subject {subject} has values outside 0..3.", nameof(label));
        if (domain < 0) throw new ArgumentOutOfRangeException(nameof(domain), domain, "domain index must be ≥ 0");
        Image = image;
        Label = label;
        Height = height;
        Width = width;
        Domain = domain;
        Subject = subject;
        HasForeground = label is not null && label.AsSpan().IndexOfAnyExcept((byte)0) >= 0;
    }

    /// <summary>Intensities [H, W], row-major.</summary>
    public float[] Image { get; }
    /// <summary>Labels [H, W], row-major; null for unlabeled rows.</summary>
    public byte[]? Label { get; }
    /// <summary>Rows.</summary>
    public int Height { get; }
    /// <summary>Columns.</summary>
    public int Width { get; }
    /// <summary>Index of the slice's domain (vendor).</summary>
    public int Domain { get; }
    /// <summary>Subject identifier (a dataset code, never a patient name).</summary>
    public string Subject { get; }
    /// <summary>
    /// The volume (one frame of one case) the slice belongs to, numbered within its dataset, or -1 when unknown; the slices of
    /// a volume are consecutive in a <see cref="SliceDataset"/>, base to apex as stored. 3D networks train on stacks of them.
    /// </summary>
    public int Volume { get; init; } = -1;
    /// <summary>True when the label contains any heart structure (used for foreground oversampling).</summary>
    public bool HasForeground { get; }
}
