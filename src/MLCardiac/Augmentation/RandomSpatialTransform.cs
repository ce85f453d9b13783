namespace MLCardiac.Augmentation;

/// <summary>
/// Draws a <see cref="SpatialTransform"/>: each component (rotation, isotropic scaling, per-axis scaling,
/// shear, translation, elastic deformation, mirroring per axis) is switched on by its own probability and
/// its parameter drawn uniformly from its range; everything is then applied in one resampling pass.
/// </summary>
/// <remarks>
/// Defaults are nnU-Net v2's 2D spatial augmentation: rotation ±180° with p = 0.2, isotropic scaling
/// 0.7–1.4 with p = 0.2, mirroring of each axis with p = 0.5, no elastic deformation, constant border.
/// Elastic deformation follows TorchIO's <c>RandomElasticDeformation</c> (cubic B-spline over a coarse grid
/// of control points; the outermost control points stay fixed).
/// </remarks>
public sealed class RandomSpatialTransform : IRandomAugmentation
{
    /// <summary>Probability of a rotation.</summary>
    public double RotationProbability { get; init; } = 0.2;

    /// <summary>Rotation range in degrees.</summary>
    public ParameterRange RotationDegrees { get; init; } = ParameterRange.Symmetric(180);

    /// <summary>Probability of isotropic scaling.</summary>
    public double ScalingProbability { get; init; } = 0.2;

    /// <summary>Isotropic magnification range (1 = none).</summary>
    public ParameterRange Scale { get; init; } = new(0.7, 1.4);

    /// <summary>Probability of an extra, independent scaling of each axis.</summary>
    public double AnisotropicScalingProbability { get; init; }

    /// <summary>Per-axis magnification range, multiplied onto the isotropic factor.</summary>
    public ParameterRange AnisotropicScale { get; init; } = new(0.9, 1.1);

    /// <summary>Probability of a shear.</summary>
    public double ShearProbability { get; init; }

    /// <summary>Shear factor range (each axis drawn independently).</summary>
    public ParameterRange Shear { get; init; } = ParameterRange.Symmetric(0.1);

    /// <summary>Probability of a translation.</summary>
    public double TranslationProbability { get; init; }

    /// <summary>Translation range in mm (each axis drawn independently).</summary>
    public ParameterRange TranslationMm { get; init; } = ParameterRange.Symmetric(10);

    /// <summary>Probability of an elastic deformation.</summary>
    public double ElasticProbability { get; init; }

    /// <summary>Control points along each axis of the elastic grid (≥ 4).</summary>
    public int ElasticControlPoints { get; init; } = 7;

    /// <summary>Largest displacement of a control point along each axis, in mm.</summary>
    public double ElasticMaxDisplacementMm { get; init; } = 6;

    /// <summary>Probability of mirroring left–right.</summary>
    public double MirrorXProbability { get; init; } = 0.5;

    /// <summary>Probability of mirroring top–bottom.</summary>
    public double MirrorYProbability { get; init; } = 0.5;

    /// <summary>What is read outside the slice.</summary>
    public BorderMode Border { get; init; } = BorderMode.Constant;

    /// <summary>Image value outside the slice with <see cref="BorderMode.Constant"/>.</summary>
    public float FillValue { get; init; }

    /// <summary>How the label map is resampled.</summary>
    public LabelInterpolation LabelInterpolation { get; init; } = LabelInterpolation.Linear;

    /// <inheritdoc/>
    public string Name => "spatial";

    /// <inheritdoc/>
    public bool IsSpatial => true;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Scale.Validate("Scale", 1e-3);
        AnisotropicScale.Validate("AnisotropicScale", 1e-3);
        if (ElasticControlPoints < 4)
        {
            throw new MLCardiacException($"ElasticControlPoints must be at least 4, got {ElasticControlPoints}.");
        }

        double rotation = random.NextBool(RotationProbability) ? RotationDegrees.Sample(random) : 0;
        double scale = random.NextBool(ScalingProbability) ? Scale.Sample(random) : 1;
        double scaleX = scale, scaleY = scale;
        if (random.NextBool(AnisotropicScalingProbability))
        {
            scaleX *= AnisotropicScale.Sample(random);
            scaleY *= AnisotropicScale.Sample(random);
        }

        double shearX = 0, shearY = 0;
        if (random.NextBool(ShearProbability))
        {
            shearX = Shear.Sample(random);
            shearY = Shear.Sample(random);
        }

        double shiftX = 0, shiftY = 0;
        if (random.NextBool(TranslationProbability))
        {
            shiftX = TranslationMm.Sample(random);
            shiftY = TranslationMm.Sample(random);
        }

        ElasticField? elastic = null;
        if (random.NextBool(ElasticProbability))
        {
            int g = ElasticControlPoints;
            var ex = new float[g * g];
            var ey = new float[g * g];
            for (int r = 1; r < g - 1; r++)
            {
                for (int c = 1; c < g - 1; c++)
                {
                    ex[(r * g) + c] = (float)random.NextUniform(-ElasticMaxDisplacementMm, ElasticMaxDisplacementMm);
                    ey[(r * g) + c] = (float)random.NextUniform(-ElasticMaxDisplacementMm, ElasticMaxDisplacementMm);
                }
            }

            elastic = new ElasticField(g, g, ex, ey);
        }

        bool flipX = random.NextBool(MirrorXProbability);
        bool flipY = random.NextBool(MirrorYProbability);
        return new SpatialTransform
        {
            RotationDegrees = rotation,
            ScaleX = scaleX,
            ScaleY = scaleY,
            ShearX = shearX,
            ShearY = shearY,
            TranslationXMm = shiftX,
            TranslationYMm = shiftY,
            Elastic = elastic,
            FlipX = flipX,
            FlipY = flipY,
            Border = Border,
            FillValue = FillValue,
            LabelInterpolation = LabelInterpolation,
        };
    }
}
