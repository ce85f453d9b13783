using System.Globalization;

namespace MLCardiac.Augmentation;

/// <summary>
/// Deterministic spatial transform of image and label together in ONE resampling pass: mirroring, rotation,
/// shear and (isotropic × per-axis) scaling composed into one affine about the slice centre, a translation,
/// and an optional <see cref="ElasticField"/> added to the source position. Image bilinear, label by
/// <see cref="LabelInterpolation"/>. Geometry is in mm (pixel spacing is honoured), so a rotation is a
/// rotation even on anisotropic pixels.
/// </summary>
/// <remarks>
/// Forward model, centred mm coordinates p: output = F·R(θ)·H·S·p + t, where S = diag(ScaleX, ScaleY)
/// (factors &gt; 1 magnify the content), H = [[1, ShearX], [ShearY, 1]], R turns the +x axis towards +y by
/// <see cref="RotationDegrees"/> (clockwise on screen, where rows grow downwards), F flips x and/or y. Each output pixel reads the input at the inverse position plus the
/// elastic displacement. Border: <see cref="Border"/> (constant <see cref="FillValue"/> for the image and
/// background for the label by default).
/// </remarks>
public sealed class SpatialTransform : IAugmentation
{
    /// <summary>Rotation angle in degrees, from +x towards +y (clockwise on screen).</summary>
    public double RotationDegrees { get; init; }

    /// <summary>Magnification along x (columns); 1 = none.</summary>
    public double ScaleX { get; init; } = 1;

    /// <summary>Magnification along y (rows); 1 = none.</summary>
    public double ScaleY { get; init; } = 1;

    /// <summary>Shear factor: x gains <c>ShearX</c>·y.</summary>
    public double ShearX { get; init; }

    /// <summary>Shear factor: y gains <c>ShearY</c>·x.</summary>
    public double ShearY { get; init; }

    /// <summary>Translation along x in mm.</summary>
    public double TranslationXMm { get; init; }

    /// <summary>Translation along y in mm.</summary>
    public double TranslationYMm { get; init; }

    /// <summary>Mirror left–right (columns).</summary>
    public bool FlipX { get; init; }

    /// <summary>Mirror top–bottom (rows).</summary>
    public bool FlipY { get; init; }

    /// <summary>Optional smooth displacement field; null for a purely affine transform.</summary>
    public ElasticField? Elastic { get; init; }

    /// <summary>What is read outside the slice.</summary>
    public BorderMode Border { get; init; } = BorderMode.Constant;

    /// <summary>Image value outside the slice with <see cref="BorderMode.Constant"/> (0 = mean of a z-scored slice).</summary>
    public float FillValue { get; init; }

    /// <summary>How the label map is resampled.</summary>
    public LabelInterpolation LabelInterpolation { get; init; } = LabelInterpolation.Linear;

    /// <summary>Whether the transform leaves every slice unchanged (applying it is then skipped, so the output is bitwise the input).</summary>
    public bool IsIdentity => RotationDegrees == 0 && ScaleX == 1 && ScaleY == 1 && ShearX == 0 && ShearY == 0
        && TranslationXMm == 0 && TranslationYMm == 0 && !FlipX && !FlipY && (Elastic is null || Elastic.IsZero);

    /// <inheritdoc/>
    public string Describe()
    {
        var parts = new List<string>();
        if (RotationDegrees != 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"rot {RotationDegrees:0}°"));
        }

        if (ScaleX != 1 || ScaleY != 1)
        {
            parts.Add(ScaleX == ScaleY
                ? string.Create(CultureInfo.InvariantCulture, $"scale {ScaleX:0.00}")
                : string.Create(CultureInfo.InvariantCulture, $"scale {ScaleX:0.00}×{ScaleY:0.00}"));
        }

        if (ShearX != 0 || ShearY != 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"shear {ShearX:0.00},{ShearY:0.00}"));
        }

        if (TranslationXMm != 0 || TranslationYMm != 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"shift {TranslationXMm:0},{TranslationYMm:0}mm"));
        }

        if (FlipX || FlipY)
        {
            parts.Add(FlipX && FlipY ? "flip xy" : FlipX ? "flip x" : "flip y");
        }

        if (Elastic is not null && !Elastic.IsZero)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"elastic {Elastic.MaxDisplacementMm:0.0}mm"));
        }

        return parts.Count == 0 ? "identity" : string.Join(' ', parts);
    }

    /// <inheritdoc/>
    public void Apply(AugmentationSample sample, AugmentationWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (IsIdentity)
        {
            return;
        }

        PixelAffine map = ToPixelAffine(sample.Height, sample.Width, sample.SpacingYMm, sample.SpacingXMm);
        int n = sample.PixelCount;
        bool elastic = Elastic is not null && !Elastic.IsZero;
        if (!elastic && map.IsPixelPermutation)
        {
            // Mirroring (alone or with whole-pixel shifts): a reordering copy, bitwise equal to resampling.
            Span<float> copy = workspace.Floats(2, n);
            sample.Image.CopyTo(copy);
            Resampler.Permute<float>(copy, sample.Image, sample.Height, sample.Width, map, Border, FillValue);
            if (sample.HasLabel)
            {
                Span<byte> labelCopy = workspace.Bytes(n);
                sample.Label.CopyTo(labelCopy);
                Resampler.Permute<byte>(labelCopy, sample.Label, sample.Height, sample.Width, map, Border, 0);
            }

            return;
        }

        Span<float> sourceX = workspace.Floats(0, n);
        Span<float> sourceY = workspace.Floats(1, n);
        if (elastic)
        {
            Elastic!.Evaluate(sourceX, sourceY, sample.Height, sample.Width, sample.SpacingYMm, sample.SpacingXMm);
        }

        Resampler.Coordinates(map, sample.Height, sample.Width, sourceX, sourceY, addToDisplacement: elastic);
        Span<float> source = workspace.Floats(2, n);
        sample.Image.CopyTo(source);
        Resampler.ResampleImage(source, sample.Image, sample.Height, sample.Width, sourceX, sourceY, Border, FillValue);
        if (sample.HasLabel)
        {
            // 4 bytes of padding let the vectorised path gather whole ints at any label position.
            Span<byte> labelSource = workspace.Bytes(n + 4);
            sample.Label.CopyTo(labelSource);
            Resampler.ResampleLabel(labelSource, sample.Label, sample.Height, sample.Width, sourceX, sourceY, Border, LabelInterpolation);
        }
    }

    /// <summary>The output-to-source pixel mapping of the affine part for a slice of the given size and spacing.</summary>
    internal PixelAffine ToPixelAffine(int height, int width, double spacingYMm, double spacingXMm)
    {
        if (!double.IsFinite(RotationDegrees) || !double.IsFinite(ShearX) || !double.IsFinite(ShearY)
            || !double.IsFinite(TranslationXMm) || !double.IsFinite(TranslationYMm) || !float.IsFinite(FillValue))
        {
            throw new MLCardiacException("Spatial transform parameters must be finite.");
        }

        if (!(ScaleX > 0) || !(ScaleY > 0) || double.IsInfinity(ScaleX) || double.IsInfinity(ScaleY))
        {
            throw new MLCardiacException($"Scale factors must be positive, got {ScaleX} × {ScaleY}.");
        }

        double theta = RotationDegrees * Math.PI / 180;
        double c = Math.Cos(theta), s = Math.Sin(theta);
        if (RotationDegrees == 0)
        {
            c = 1;
            s = 0;
        }

        // M = F · R · H · S (input mm → output mm).
        double h00 = ScaleX, h01 = ShearX * ScaleY, h10 = ShearY * ScaleX, h11 = ScaleY;
        double m00 = (c * h00) - (s * h10), m01 = (c * h01) - (s * h11);
        double m10 = (s * h00) + (c * h10), m11 = (s * h01) + (c * h11);
        if (FlipX)
        {
            m00 = -m00;
            m01 = -m01;
        }

        if (FlipY)
        {
            m10 = -m10;
            m11 = -m11;
        }

        double det = (m00 * m11) - (m01 * m10);
        if (!(Math.Abs(det) > 1e-12))
        {
            throw new MLCardiacException("The spatial transform is singular (shear and scale collapse the slice).");
        }

        // Inverse in mm, then conjugated by the spacing: A = S⁻¹·M⁻¹·S.
        double i00 = m11 / det, i01 = -m01 / det, i10 = -m10 / det, i11 = m00 / det;
        double sx = spacingXMm, sy = spacingYMm;
        double a00 = i00, a01 = i01 * sy / sx, a10 = i10 * sx / sy, a11 = i11;
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
        double tx = ((i00 * TranslationXMm) + (i01 * TranslationYMm)) / sx;
        double ty = ((i10 * TranslationXMm) + (i11 * TranslationYMm)) / sy;
        double bx = cx - ((a00 * cx) + (a01 * cy)) - tx;
        double by = cy - ((a10 * cx) + (a11 * cy)) - ty;
        return new PixelAffine(a00, a01, a10, a11, bx, by);
    }
}
