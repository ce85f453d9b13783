namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Draws the <see cref="PhantomParameters"/> of one subject (the random half of the generator) from its vendor's profile:
/// a centre by share, demographics and phenotype (<see cref="PathologyModel"/>), anatomy, motion, body, and the acquisition
/// (protocol of the centre, with per-subject field maps, coil placement, noise and gain). The heart's size parameters drawn
/// here are first guesses: <see cref="HeartCalibration"/> adjusts them so the rendered labels measure the drawn targets.
/// </summary>
internal static class PhantomParameterSampler
{
    private const double Deg = Math.PI / 180;

    /// <summary>Reference protocol for the noise level: 1.5 T, 1.8 × 1.8 × 8 mm acquired voxel, 150 phase lines, 930 Hz/pixel, no acceleration.</summary>
    private const double ReferenceVoxelMm3 = 1.8 * 1.8 * 8, ReferencePhaseLines = 150, ReferenceBandwidth = 930;

    /// <summary>
    /// Noise σ of the reference protocol in units of M0: the steady-state blood signal there (≈ 0.23 M0) over σ is 80, the order
    /// of blood SNR reported for cine bSSFP at 1.5 T before acceleration (e.g. Schär et al., Magn Reson Med 51:799, 2004).
    /// </summary>
    private const double ReferenceSigma = 0.23 / 80;

    public static PhantomParameters Sample(VendorProfile vendor, int index, SyntheticCohortOptions options, IReadOnlyDictionary<Pathology, double> mix)
    {
        var r = SeededRandom.ForSubject(options.Seed, vendor.Code, index);

        CentreProfile centre = DrawCentre(r, vendor);
        CineProtocol protocol = centre.Protocol;

        // Demographics and phenotype.
        Pathology pathology = PathologyModel.DrawPathology(r, mix);
        char sex = r.Chance(pathology == Pathology.AthleteHeart ? 0.75 : 0.62) ? 'M' : 'F';
        int age = pathology switch
        {
            Pathology.AthleteHeart => r.NextInt(18, 45),
            Pathology.IschemicHeartDisease => r.NextInt(45, 85),
            Pathology.HypertrophicCardiomyopathy => r.NextInt(18, 75),
            _ => r.NextInt(20, 82),
        };
        double heightCm = Math.Round(Math.Clamp((sex == 'M' ? 176 : 163) + ((sex == 'M' ? 7 : 6) * r.Normal()), 148, 200));
        double bmi = pathology == Pathology.AthleteHeart ? r.Uniform(20, 26) : Math.Clamp(r.Uniform(19, 31) + (r.Chance(0.15) ? r.Uniform(0, 8) : 0), 17, 40);
        double weightKg = Math.Round(bmi * (heightCm / 100) * (heightCm / 100));
        double bsa = PopulationReference.BodySurfaceArea(heightCm, weightKg);
        CardiacTargets targets = PathologyModel.Draw(r, pathology, sex, age, bsa);

        // Timing.
        int frames = r.NextInt(options.MinFrames, options.MaxFrames);
        int edFrame = r.Chance(0.6) ? 0 : r.NextInt(0, frames - 1);
        int esOffset = Math.Clamp((int)Math.Round(r.Uniform(0.33, 0.43) * frames), 1, frames - 1);
        double esPhase = esOffset / (double)frames;
        int esFrame = (edFrame + esOffset) % frames;
        double heartRate = Math.Round(r.Uniform(55, 85) + (pathology is Pathology.DilatedCardiomyopathy or Pathology.IschemicHeartDisease ? 8 : 0) - (pathology == Pathology.AthleteHeart ? 10 : 0));

        // Body habitus.
        double bodyRot = r.Uniform(-0.25, 0.25);
        double bodyA = 150 * Math.Pow(bmi / 24, 0.4) * Math.Sqrt(heightCm / 170) * r.Uniform(0.95, 1.05);
        double bodyB = 108 * Math.Pow(bmi / 24, 0.5) * r.Uniform(0.95, 1.05);

        // Field of view and grid: the operator widens the FOV for large patients; the phase FOV is the image height.
        double fov = Math.Max(protocol.FovReadMm, Math.Ceiling(((2 * bodyA) + 20) / 10) * 10);
        int matrixX = protocol.ReconMatrixRead;
        int matrixY = 2 * (int)Math.Round(protocol.ReconMatrixRead * protocol.FovPhaseFraction / 2);
        double pixel = fov / matrixX;
        bodyB = Math.Min(bodyB, 0.47 * matrixY * pixel);
        bodyA = Math.Min(bodyA, 0.47 * fov);
        bool phaseAlongY = protocol.PhaseEncoding == "rows";
        double readFraction = protocol.AcquiredFractionRead, phaseFraction = Math.Min(1, protocol.AcquiredFractionRead * protocol.PhaseResolution);
        bool zeroFill = protocol.PartialFourierReconstruction == "zeroFill";
        double pfPhase = zeroFill ? protocol.PartialFourierPhase : 1, pfRead = zeroFill ? protocol.PartialEchoRead : 1;

        // Heart geometry (first guesses; calibrated later).
        double lengthMm = 86 * Math.Cbrt(targets.LvEdvMl / 140) * targets.Sphericity * r.Uniform(0.93, 1.07);
        double radius = Math.Sqrt(targets.LvEdvMl * 1000 * 3 / (2 * Math.PI * lengthMm));
        double tilt = r.Uniform(4, 18) * Deg, tiltDirection = r.Uniform(0, 2 * Math.PI);
        var axis = new Vec3(Math.Sin(tilt) * Math.Cos(tiltDirection), Math.Sin(tilt) * Math.Sin(tiltDirection), Math.Cos(tilt));
        Vec3 e1 = (new Vec3(1, 0, 0) - (axis.X * axis)).Normalized();
        Vec3 e2 = axis.Cross(e1);
        double cos = Math.Cos(bodyRot), sin = Math.Sin(bodyRot);
        double bodyCx = r.Uniform(-15, 15), bodyCy = r.Uniform(-8, 12);
        double hu = r.Uniform(10, 40), hv = r.Uniform(-30, -8);
        var origin = new Vec3(bodyCx + (cos * hu) - (sin * hv), bodyCy + (sin * hu) + (cos * hv), 0);

        // In-plane directions in the heart frame (θ as atan2 of image y, x): RV towards the image left, anterior up.
        double rvAxis = Math.PI + r.Uniform(-0.35, 0.45) + bodyRot;
        double anterior = rvAxis + (Math.PI / 2), inferior = rvAxis - (Math.PI / 2), lateral = rvAxis + Math.PI;
        var infarct = (AngleRad: 0.0, HalfWidthRad: 0.0, Thinning: 1.0, Kinesis: 1.0);
        if (targets.Infarct.HalfWidthRad > 0)
        {
            double territory = r.NextInt(0, 2) switch { 0 => anterior + 0.35, 1 => inferior, _ => lateral };
            infarct = (territory + r.Uniform(-0.3, 0.3), targets.Infarct.HalfWidthRad, targets.Infarct.Thinning, targets.Infarct.Kinesis);
        }
        var blobs = new List<InnerBlob>
        {
            // Anterolateral and posteromedial papillary muscles (between anterior and lateral; inferior, towards the septum).
            new(anterior + (0.5 * Math.PI * r.Uniform(0.4, 0.7)), r.Uniform(3.5, 6.0), r.Uniform(0.3, 0.45), r.Uniform(0.7, 0.85), r.Uniform(0.6, 0.85)),
            new(inferior - r.Uniform(0.2, 0.6), r.Uniform(3.5, 6.0), r.Uniform(0.3, 0.45), r.Uniform(0.7, 0.85), r.Uniform(0.6, 0.85)),
        };
        int trabeculae = r.NextInt(6, 14);
        for (int i = 0; i < trabeculae; i++)
        {
            double first = r.Uniform(0.2, 0.8);
            blobs.Add(new InnerBlob(lateral + r.Uniform(-2.0, 2.0), r.Uniform(0.8, 1.8), first, first + r.Uniform(0.1, 0.3), 0.35));
        }
        double lvotAngle = rvAxis + r.Uniform(0.6, 0.9); // anteroseptal
        double rvScale = Math.Cbrt(targets.RvEdvMl / 150);
        var heart = new HeartShape
        {
            Origin = origin,
            Axis = axis,
            E1 = e1,
            E2 = e2,
            LengthMm = lengthMm,
            RadiusMm = radius,
            EndoShape = Harmonics.Random(r, 2, 4, 0.04),
            WallMm = 8,
            WallShape = Harmonics.Random(r, 1, 3, 0.12),
            SeptalRatio = targets.SeptalRatio,
            SeptumAngleRad = rvAxis + r.Uniform(-0.2, 0.2),
            Infarct = infarct,
            NonCompactionRatio = targets.NonCompactionRatio,
            NonCompactionAngleRad = lateral + r.Uniform(-0.5, 0.5),
            TextureSeeds = (r.Uniform(0, 2 * Math.PI), r.Uniform(0, 2 * Math.PI), r.Uniform(0, 2 * Math.PI)),
            Blobs = [.. blobs],
            Gamma = targets.LvEf,
            MapseMm = targets.MapseMm,
            LvotAngleRad = lvotAngle,
            LvotHalfWidthRad = r.Uniform(0.35, 0.55),
            LvotTopS = r.Uniform(0.08, 0.15),
            AorticRoot = new HeartBlob(-r.Uniform(14, 22), lvotAngle, radius * r.Uniform(0.45, 0.65), r.Uniform(11, 15), 24),
            LeftAtrium = new HeartBlob(-r.Uniform(20, 28), inferior + r.Uniform(0.4, 0.9), radius * r.Uniform(0.2, 0.45), r.Uniform(19, 25), r.Uniform(18, 24)),
            RightAtrium = new HeartBlob(-r.Uniform(14, 22), rvAxis - r.Uniform(0.5, 0.9), radius + r.Uniform(12, 22), r.Uniform(18, 24) * rvScale, r.Uniform(18, 24)),
            RvAxisRad = rvAxis,
            RvSpanInferiorRad = r.Uniform(1.2, 1.7),
            RvSpanAnteriorRad = r.Uniform(1.3, 1.95),
            RvDepthMm = 22 * rvScale,
            RvShape = Harmonics.Random(r, 1, 3, 0.12),
            RvLengthFraction = r.Uniform(0.72, 0.88),
            TricuspidS = r.Uniform(0.04, 0.12),
            RvWallMm = pathology == Pathology.AbnormalRightVentricle ? r.Uniform(2.5, 4) : r.Uniform(3, 5),
            GammaRv = targets.RvEf,
            RvotAngleRad = rvAxis + r.Uniform(0.9, 1.3),
            RvotRadiusMm = r.Uniform(12, 16) * rvScale,
            PulmonaryValveS = -r.Uniform(0.15, 0.3),
            EpicardialFatMm = r.Uniform(1.0, 3.5) * Math.Sqrt(bmi / 24),
            FatShape = Harmonics.Random(r, 1, 3, 0.5),
            EffusionMm = r.Chance(0.08) ? r.Uniform(1.5, 5) : 0,
            OutflowFlowVoid = targets.OutflowFlowVoid,
            FlowVoidDepth = r.Uniform(0.5, 0.85),
            BloodSpeedMidCmS = r.Uniform(1, 4),
            BloodSpeedBaseCmS = r.Uniform(20, 40),
            FreshBloodFraction = r.Uniform(0.08, 0.25),
        };

        // Slices: the operator starts at (or up to a slice above) the mitral plane at ED and goes past the apex.
        double thickness = protocol.SliceThicknessMm, spacing = protocol.SliceThicknessMm + protocol.SliceGapMm;
        double firstSlice = spacing * r.Uniform(-1.1, 0.2);
        double apexZeta = (lengthMm + 10) * axis.Z;
        int slices = (int)Math.Ceiling((apexZeta - firstSlice) / spacing) + r.NextInt(0, 1);
        slices = Math.Clamp(slices, options.MinSlices, options.MaxSlices);
        // Breath holds: the heart and the diaphragm return to slightly different places (mostly superior–inferior, i.e. largely
        // through-plane for a short-axis stack; Holland et al., Radiology 209:483, 1998).
        Vec3[] shifts = [.. Enumerable.Range(0, slices).Select(_ => new Vec3(Math.Clamp(1.2 * r.Normal(), -4, 4), Math.Clamp(1.8 * r.Normal(), -5, 5), Math.Clamp(2.5 * r.Normal(), -6, 6)))];

        var body = new BodyShape
        {
            CentreXMm = bodyCx,
            CentreYMm = bodyCy,
            RotationRad = bodyRot,
            SemiAxisXMm = bodyA,
            SemiAxisYMm = bodyB,
            Shape = Harmonics.Random(r, 2, 4, 0.03),
            FatMm = Math.Clamp(4 + ((bmi - 19) * 1.3) + (sex == 'F' ? 3 : 0) + r.Uniform(-2, 2), 3, 30),
            MuscleMm = pathology == Pathology.AthleteHeart ? r.Uniform(11, 16) : r.Uniform(7, 13),
            LiverStart = r.Uniform(0.2, 0.7),
            StomachStart = r.Uniform(0.45, 0.9),
            StomachGas = r.Chance(0.5),
            AortaRadiusMm = r.Uniform(9, 13) * (age > 60 ? 1.1 : 1),
            AortaOffsetXMm = r.Uniform(18, 30),
            BreastMm = sex == 'F' ? r.Uniform(10, 35) * Math.Sqrt(bmi / 24) : 0,
        };

        // Acquisition: tissues at this field, jittered per subject (biological variation of T1/T2).
        var tissues = new Dictionary<Tissue, TissueRelaxation>();
        foreach (Tissue t in Enum.GetValues<Tissue>())
        {
            TissueRelaxation v = TissueRelaxation.At(t, centre.FieldStrengthT);
            tissues[t] = v with { T1Ms = v.T1Ms * r.Jitter(0.05), T2Ms = v.T2Ms * r.Jitter(0.08) };
        }
        double acquiredVoxel = (pixel / (phaseAlongY ? readFraction : phaseFraction)) * (pixel / (phaseAlongY ? phaseFraction : readFraction)) * thickness;
        double phaseLines = (phaseAlongY ? matrixY : matrixX) * phaseFraction * pfPhase;
        double snr = (centre.FieldStrengthT / 1.5) * (acquiredVoxel / ReferenceVoxelMm3) * Math.Sqrt((phaseLines / ReferencePhaseLines) * (ReferenceBandwidth / protocol.BandwidthHzPerPixel))
            * centre.Coil.Efficiency / (protocol.GeometryFactor * Math.Sqrt(protocol.AccelerationFactor));
        double loading = Math.Sqrt(bodyA * bodyB / (150.0 * 108.0));
        double sigma = ReferenceSigma / snr * loading * r.Jitter(0.1);

        var coils = new List<Vec3>();
        double heartZeta = 0.5 * lengthMm * axis.Z;
        double coilShiftX = r.Uniform(-30, 30), coilShiftZ = r.Uniform(-30, 30);
        void Array(int n, double v)
        {
            int columns = Math.Max(1, n / 2), rows = n >= 2 ? 2 : 1;
            for (int row = 0; row < rows; row++)
                for (int col = 0; col < columns; col++)
                {
                    double u = coilShiftX + ((columns == 1 ? 0 : (col / (double)(columns - 1)) - 0.5) * 1.5 * bodyA);
                    double zeta = heartZeta + coilShiftZ + ((row - ((rows - 1) / 2.0)) * 110);
                    coils.Add(new Vec3(bodyCx + (cos * u) - (sin * v), bodyCy + (sin * u) + (cos * v), zeta));
                }
        }
        Array(centre.Coil.AnteriorElements, -bodyB - 8);
        Array(centre.Coil.PosteriorElements, bodyB + 12);

        double[] b0 = [.. Enumerable.Range(0, 7).Select(_ => r.Normal())];
        double bumpAngle = lateral + r.Uniform(0.2, 1.0);
        var bumpCentre = origin + (0.55 * lengthMm * axis) + ((radius + r.Uniform(15, 30)) * ((Math.Cos(bumpAngle) * e1) + (Math.Sin(bumpAngle) * e2)));
        double b0Amplitude = centre.ShimResidualPpm * r.Uniform(0.45, 1.0);
        double[] b1 = [r.Uniform(-1, 1), r.Uniform(-1, 1), r.Uniform(-1, 1)];
        double b1Norm = Math.Abs(b1[0]) + Math.Abs(b1[1]) + (0.5 * Math.Abs(b1[2]));
        b1 = [.. b1.Select(c => c / b1Norm * centre.B1Variation)];

        var acquisition = new AcquisitionSettings
        {
            FieldStrengthT = centre.FieldStrengthT,
            RepetitionTimeMs = protocol.RepetitionTimeMs,
            EchoTimeMs = protocol.EchoTimeMs,
            FlipAngleRad = protocol.FlipAngleDeg * Deg,
            Tissues = tissues,
            AcquiredFractionX = phaseAlongY ? readFraction : phaseFraction,
            AcquiredFractionY = phaseAlongY ? phaseFraction : readFraction,
            PartialFourierX = phaseAlongY ? pfRead : pfPhase,
            PartialFourierY = phaseAlongY ? pfPhase : pfRead,
            FilterRolloff = vendor.Reconstruction.FilterRolloff * r.Uniform(0.8, 1.2),
            BlurSigmaMm = vendor.Reconstruction.ExtraBlurMm,
            NoiseSigma = sigma,
            EffectiveChannels = centre.Coil.EffectiveChannels,
            CoilCentres = [.. coils],
            CoilRadiusMm = centre.Coil.ElementRadiusMm,
            UniformityCorrection = centre.UniformityCorrection,
            B0Coefficients = b0,
            B0Bump = (bumpCentre, r.Uniform(25, 45), r.Uniform(0.3, 1.0)),
            FrequencyErrorPpm = 0.08 * r.Normal(),
            ShimLimitPpm = centre.ShimResidualPpm,
            B1Coefficients = b1,
            ScaleMode = vendor.Storage.ScaleMode,
            Scale = vendor.Storage.Scale * (vendor.Storage.ScaleMode == "fixed" ? r.Jitter(vendor.Storage.GainJitter) : 1),
            RescaleSlope = vendor.Storage.RescaleSlope,
            FlipRows = vendor.Storage.Converter == "dcm2niix",
        };
        acquisition = acquisition with { B0Coefficients = [.. b0.Select(c => c * b0Amplitude)], B0Bump = (bumpCentre, acquisition.B0Bump.WidthMm, acquisition.B0Bump.AmplitudePpm * b0Amplitude) };

        var info = new SyntheticSubjectInfo
        {
            Code = SubjectCode.Create(options.Seed, vendor.Code, index),
            VendorCode = vendor.Code,
            VendorName = vendor.VendorName,
            IndexInVendor = index,
            Centre = centre.Id,
            Scanner = centre.Scanner,
            FieldStrengthT = centre.FieldStrengthT,
            EdFrame = edFrame,
            EsFrame = esFrame,
            Pathology = pathology,
            AgeYears = age,
            Sex = sex,
            HeightCm = heightCm,
            WeightKg = weightKg,
            TargetEjectionFraction = targets.LvEf,
            TargetEdvMl = targets.LvEdvMl,
            TargetLvMassG = targets.LvMassG,
            TargetRvEdvMl = targets.RvEdvMl,
            TargetRvEjectionFraction = targets.RvEf,
            WallThicknessMm = 8,
            HeartRateBpm = heartRate,
        };
        return new PhantomParameters
        {
            Info = info,
            MatrixX = matrixX,
            MatrixY = matrixY,
            PixelSpacingMm = pixel,
            SliceThicknessMm = thickness,
            SliceSpacingMm = spacing,
            SliceCount = slices,
            FrameCount = frames,
            EsPhase = esPhase,
            FirstSliceMm = firstSlice,
            SliceShiftMm = shifts,
            Heart = heart,
            Body = body,
            Acquisition = acquisition,
            DetailSeed = r.NextUInt64(),
            NoiseSeed = r.NextUInt64(),
        };
    }

    private static CentreProfile DrawCentre(SeededRandom r, VendorProfile vendor)
    {
        double total = vendor.Centres.Sum(c => c.Share), u = r.NextDouble() * total;
        foreach (CentreProfile c in vendor.Centres)
        {
            if (u < c.Share) return c;
            u -= c.Share;
        }
        return vendor.Centres.Last(c => c.Share > 0);
    }
}
