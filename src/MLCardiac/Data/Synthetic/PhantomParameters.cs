namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Everything drawn at random for one subject (the "randomize" half); <see cref="PhantomRenderer"/> turns it into images
/// deterministically. Lengths in mm, angles in radians. The stack frame has x to the image right, y downwards (anterior is
/// up, the patient's left on the right) and ζ along the slice normal from base to apex; slice z's centre is at
/// ζ = <see cref="FirstSliceMm"/> + z·<see cref="SliceSpacingMm"/>. The heart has its own frame: origin at the centre of the
/// LV base (mitral annulus) at end diastole, unit long axis <see cref="HeartShape.Axis"/> (base → apex, tilted against the
/// stack normal: the short-axis stack cuts it obliquely), and in-plane axes E1, E2.
/// </summary>
internal sealed record PhantomParameters
{
    public required SyntheticSubjectInfo Info { get; init; }
    public required int MatrixX { get; init; }
    public required int MatrixY { get; init; }
    public required double PixelSpacingMm { get; init; }
    public required double SliceThicknessMm { get; init; }
    public required double SliceSpacingMm { get; init; }
    public required int SliceCount { get; init; }
    public required int FrameCount { get; init; }
    public required double EsPhase { get; init; }
    public required double FirstSliceMm { get; init; }

    /// <summary>Breath-hold displacement of the heart (and the organs that move with the diaphragm) in each slice, mm.</summary>
    public required Vec3[] SliceShiftMm { get; init; }

    public required HeartShape Heart { get; init; }
    public required BodyShape Body { get; init; }
    public required AcquisitionSettings Acquisition { get; init; }
    public required ulong DetailSeed { get; init; }
    public required ulong NoiseSeed { get; init; }

    /// <summary>ζ of slice <paramref name="z"/>'s centre plane, mm.</summary>
    public double SliceZeta(int z) => FirstSliceMm + (z * SliceSpacingMm);

    /// <summary>Position of slice <paramref name="z"/> along the stack, 0 (first) … 1 (last).</summary>
    public double StackFraction(int z) => SliceCount > 1 ? z / (double)(SliceCount - 1) : 0.5;
}

/// <summary>A blob inside the LV cavity (papillary muscle or trabecula): angle about the LV axis, radius, long-axis extent, how deep it sits.</summary>
internal sealed record InnerBlob(double AngleRad, double RadiusMm, double FirstS, double LastS, double InsetFraction);

/// <summary>An ellipsoidal chamber or vessel in the heart frame: centre at height H along the axis, at Offset from the axis towards AngleRad; in-plane and axial radii.</summary>
internal sealed record HeartBlob(double HMm, double AngleRad, double OffsetMm, double RadiusMm, double AxialRadiusMm);

/// <summary>The heart of one subject (geometry at end diastole and its motion).</summary>
internal sealed record HeartShape
{
    public required Vec3 Origin { get; init; }
    public required Vec3 Axis { get; init; }
    public required Vec3 E1 { get; init; }
    public required Vec3 E2 { get; init; }

    // Left ventricle.
    public required double LengthMm { get; init; }
    public required double RadiusMm { get; init; }
    public required Harmonics EndoShape { get; init; }
    public required double WallMm { get; init; }
    public required Harmonics WallShape { get; init; }
    public required double SeptalRatio { get; init; }
    public required double SeptumAngleRad { get; init; }
    public required (double AngleRad, double HalfWidthRad, double Thinning, double Kinesis) Infarct { get; init; }
    public required double NonCompactionRatio { get; init; }
    public required double NonCompactionAngleRad { get; init; }
    public required (double A, double B, double C) TextureSeeds { get; init; }
    public required InnerBlob[] Blobs { get; init; }
    public required double Gamma { get; init; }
    public required double MapseMm { get; init; }

    // Outflow, atria, great vessels (above or at the base).
    public required double LvotAngleRad { get; init; }
    public required double LvotHalfWidthRad { get; init; }
    public required double LvotTopS { get; init; }
    public required HeartBlob AorticRoot { get; init; }
    public required HeartBlob LeftAtrium { get; init; }
    public required HeartBlob RightAtrium { get; init; }

    // Right ventricle.
    public required double RvAxisRad { get; init; }
    public required double RvSpanInferiorRad { get; init; }
    public required double RvSpanAnteriorRad { get; init; }
    public required double RvDepthMm { get; init; }
    public required Harmonics RvShape { get; init; }
    public required double RvLengthFraction { get; init; }
    public required double TricuspidS { get; init; }
    public required double RvWallMm { get; init; }
    public required double GammaRv { get; init; }
    public required double RvotAngleRad { get; init; }
    public required double RvotRadiusMm { get; init; }
    public required double PulmonaryValveS { get; init; }

    // Around the heart.
    public required double EpicardialFatMm { get; init; }
    public required Harmonics FatShape { get; init; }
    public required double EffusionMm { get; init; }
    public required bool OutflowFlowVoid { get; init; }
    public required double FlowVoidDepth { get; init; }

    // Blood through-plane speed, cm/s: cavity baseline and the basal peak during ejection and early filling.
    public required double BloodSpeedMidCmS { get; init; }
    public required double BloodSpeedBaseCmS { get; init; }

    /// <summary>
    /// Fraction of the cavity's blood in a mid-ventricular slice that entered unexcited (the rest recirculates in the steady
    /// state). Set so that mid-ventricular blood/myocardium signal is ≈ 3–4 at 1.5 T as measured for 2D cine bSSFP (e.g.
    /// Plein et al., Radiology 219:828, 2001; Thiele et al., J Magn Reson Imaging 14:362, 2001); rises to 0.75 at the base
    /// during ejection and early filling.
    /// </summary>
    public required double FreshBloodFraction { get; init; }
}

/// <summary>The static body around the heart.</summary>
internal sealed record BodyShape
{
    public required double CentreXMm { get; init; }
    public required double CentreYMm { get; init; }
    public required double RotationRad { get; init; }
    public required double SemiAxisXMm { get; init; }
    public required double SemiAxisYMm { get; init; }
    public required Harmonics Shape { get; init; }
    public required double FatMm { get; init; }
    public required double MuscleMm { get; init; }
    public required double LiverStart { get; init; }
    public required double StomachStart { get; init; }
    public required bool StomachGas { get; init; }
    public required double AortaRadiusMm { get; init; }
    public required double AortaOffsetXMm { get; init; }
    public required double BreastMm { get; init; }
}

/// <summary>The acquisition of one subject: its centre's protocol and scanner, with the per-subject draws (field maps, coil placement, gain).</summary>
internal sealed record AcquisitionSettings
{
    public required double FieldStrengthT { get; init; }
    public required double RepetitionTimeMs { get; init; }
    public required double EchoTimeMs { get; init; }
    public required double FlipAngleRad { get; init; }
    public required IReadOnlyDictionary<Tissue, TissueRelaxation> Tissues { get; init; }

    // Effective resolution: acquired fractions of the reconstructed k-space, partial Fourier, filter and blur.
    public required double AcquiredFractionX { get; init; }
    public required double AcquiredFractionY { get; init; }
    public required double PartialFourierX { get; init; }
    public required double PartialFourierY { get; init; }
    public required double FilterRolloff { get; init; }
    public required double BlurSigmaMm { get; init; }

    /// <summary>Noise σ of each channel's real and imaginary part, in units of M0 (PD 1, full signal) where √Σ|s_c|² = 1.</summary>
    public required double NoiseSigma { get; init; }
    public required int EffectiveChannels { get; init; }
    public required Vec3[] CoilCentres { get; init; }
    public required double CoilRadiusMm { get; init; }
    public required bool UniformityCorrection { get; init; }

    /// <summary>B0 after shimming, ppm: coefficients of 1, x, y, x², y², xy, ζ (normalised coordinates) and a susceptibility bump (centre, width mm, amplitude ppm).</summary>
    public required double[] B0Coefficients { get; init; }
    public required (Vec3 Centre, double WidthMm, double AmplitudePpm) B0Bump { get; init; }

    /// <summary>Centre-frequency error of the scanner's adjustment, ppm.</summary>
    public required double FrequencyErrorPpm { get; init; }

    /// <summary>Bound of the residual off-resonance over the torso, ppm (the centre's shim quality).</summary>
    public required double ShimLimitPpm { get; init; }

    /// <summary>B1⁺ flip-angle scale: coefficients of x, y and r² (normalised coordinates), ±<see cref="CentreProfile.B1Variation"/> overall.</summary>
    public required double[] B1Coefficients { get; init; }

    public required string ScaleMode { get; init; }
    public required double Scale { get; init; }
    public required double RescaleSlope { get; init; }
    public required bool FlipRows { get; init; }
}
