namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Everything drawn at random for one subject (the "randomize" half); <see cref="PhantomRenderer"/> turns it
/// into images deterministically. Lengths in mm, angles in radians, image coordinates relative to the image
/// centre with x to the right and y downwards (anterior is up, the patient's left is on the right).
/// </summary>
internal sealed record PhantomParameters
{
    public required SyntheticSubjectInfo Info { get; init; }

    // Acquisition geometry.
    public required int MatrixX { get; init; }
    public required int MatrixY { get; init; }
    public required double PixelSpacingMm { get; init; }
    public required double SliceThicknessMm { get; init; }
    public required int SliceCount { get; init; }
    public required int FrameCount { get; init; }
    public required double EsPhase { get; init; }

    // Body (static), in a frame rotated by BodyRotationRad about BodyCentre.
    public required double BodyCentreXMm { get; init; }
    public required double BodyCentreYMm { get; init; }
    public required double BodyRotationRad { get; init; }
    public required double BodySemiAxisXMm { get; init; }
    public required double BodySemiAxisYMm { get; init; }
    public required Harmonics BodyShape { get; init; }
    public required double FatThicknessMm { get; init; }
    public required double MuscleThicknessMm { get; init; }
    public required double LiverStartS { get; init; }
    public required double AortaRadiusMm { get; init; }
    public required double AortaOffsetXMm { get; init; }

    // Left ventricle.
    public required double LvCentreXMm { get; init; }
    public required double LvCentreYMm { get; init; }
    public required double LvTiltXMm { get; init; }
    public required double LvTiltYMm { get; init; }
    public required double LvRadiusMm { get; init; }
    public required double LvLengthMm { get; init; }
    public required double FirstSliceS { get; init; }
    public required Harmonics EndoShape { get; init; }
    public required Harmonics WallShape { get; init; }
    public required double SeptalExtraMm { get; init; }
    public required InnerBlob[] Blobs { get; init; }

    /// <summary>Per-slice in-plane shift of the heart (inconsistent breath holds), x then y per slice, mm.</summary>
    public required double[] SliceShiftMm { get; init; }

    // Right ventricle (a crescent on the LV's epicardium around RvAxisRad).
    public required double RvAxisRad { get; init; }
    public required double RvHalfSpanRad { get; init; }
    public required double RvDepthMm { get; init; }
    public required double RvLengthFraction { get; init; }
    public required double RvEjectionFraction { get; init; }
    public required double RvWallMm { get; init; }
    public required Harmonics RvShape { get; init; }
    public required double EpicardialFatMm { get; init; }
    public required Harmonics FatShape { get; init; }

    // Appearance.
    public required TissueContrast Contrast { get; init; }
    public required double RvBloodSignal { get; init; }
    public required double NoiseSigma { get; init; }
    public required double[] BiasCoefficients { get; init; }
    public required double AnteriorCoilGradient { get; init; }
    public required double AcquiredFractionX { get; init; }
    public required double AcquiredFractionY { get; init; }
    public required double KSpaceRolloff { get; init; }
    public required double BlurSigmaMm { get; init; }
    public required double IntensityScale { get; init; }
    public required double IntensityOffset { get; init; }
    public required ulong DetailSeed { get; init; }

    /// <summary>bSSFP banding: depth (0 = none), sharpness, quadratic B0 phase strength (cycles), phase offset and centre (normalised image coordinates).</summary>
    public (double Depth, double Width, double Cycles, double Offset, double CentreX, double CentreY) Banding { get; init; }
    public required ulong NoiseSeed { get; init; }

    /// <summary>Long-axis position (0 = base, 1 = endocardial apex) of slice <paramref name="z"/>.</summary>
    public double SlicePosition(int z) => FirstSliceS + (z * SliceThicknessMm / LvLengthMm);

    /// <summary>Centre of the LV in slice <paramref name="z"/> (image mm): base position, long-axis tilt and breath-hold shift.</summary>
    public (double X, double Y) LvCentre(int z)
    {
        double f = Math.Clamp(SlicePosition(z), 0, 1);
        return (LvCentreXMm + (f * LvTiltXMm) + SliceShiftMm[2 * z], LvCentreYMm + (f * LvTiltYMm) + SliceShiftMm[(2 * z) + 1]);
    }

    /// <summary>Wall thickness along the long axis (mm, before regional variation).</summary>
    public double WallThicknessAt(double s) => Info.WallThicknessMm * (1 - (0.25 * Math.Clamp(s, 0, 1)));

    /// <summary>Endocardial radius profile (fraction of <see cref="LvRadiusMm"/>): a half ellipsoid, cylinder above the base.</summary>
    public static double EndoProfile(double s) => s <= 0 ? 1.0 : s >= 1 ? 0.0 : Math.Sqrt(1 - (s * s));

    /// <summary>Apical cap extent beyond the endocardial apex as a fraction of the long axis.</summary>
    public double ApexCapS => WallThicknessAt(1) / LvLengthMm;

    /// <summary>RV depth profile along the long axis (fraction of <see cref="RvDepthMm"/>).</summary>
    public double RvProfile(double s)
    {
        double r = Math.Max(s, 0) / RvLengthFraction;
        return r >= 1 ? 0 : Math.Sqrt(1 - (r * r));
    }

    /// <summary>Angular weight of the RV crescent at angle θ (1 on the RV axis, 0 beyond the half span).</summary>
    public double RvBump(double theta)
    {
        double d = Math.IEEERemainder(theta - RvAxisRad, 2 * Math.PI);
        double x = Math.Abs(d) / RvHalfSpanRad;
        return x >= 1 ? 0 : Math.Pow(Math.Cos(0.5 * Math.PI * x), 0.6);
    }
}
