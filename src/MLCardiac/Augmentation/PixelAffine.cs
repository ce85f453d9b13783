namespace MLCardiac.Augmentation;

/// <summary>
/// Output-to-source pixel mapping used by the resampler: source = A·(x, y) + B, in pixel units
/// (x column, y row). Internal: users describe transforms in degrees, factors and mm.
/// </summary>
internal readonly record struct PixelAffine(double A00, double A01, double A10, double A11, double Bx, double By)
{
    /// <summary>The identity mapping.</summary>
    public static PixelAffine Identity => new(1, 0, 0, 1, 0, 0);

    /// <summary>Whether the mapping is exactly the identity.</summary>
    public bool IsIdentity => A00 == 1 && A01 == 0 && A10 == 0 && A11 == 1 && Bx == 0 && By == 0;

    /// <summary>
    /// Whether every output pixel reads exactly one input pixel: axis flips and whole-pixel shifts, no rotation
    /// or scaling. Such a mapping is a copy with reordering; bilinear weights would all be 0 or 1.
    /// </summary>
    public bool IsPixelPermutation => Math.Abs(A00) == 1 && A01 == 0 && A10 == 0 && Math.Abs(A11) == 1
        && Bx == Math.Round(Bx) && By == Math.Round(By);
}
