namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Draws the <see cref="PhantomParameters"/> of one subject (the random half of the generator). All sizes in
/// mm; distributions are chosen to give M&amp;Ms-like cohorts: LV EDV ≈ 80–210 ml, EF 35–75 %, ED wall 6–11 mm
/// (12–16 mm plus septal bulge for HCM).
/// </summary>
internal static class PhantomParameterSampler
{
    public static PhantomParameters Sample(VendorProfile vendor, int index, SyntheticCohortOptions options)
    {
        var r = SeededRandom.ForSubject(options.Seed, vendor.Code, index);

        // Demographics and phenotype.
        double p = r.NextDouble();
        Pathology pathology = p < 0.5 ? Pathology.Normal : p < 0.75 ? Pathology.DilatedCardiomyopathy : Pathology.HypertrophicCardiomyopathy;
        char sex = r.Chance(0.62) ? 'M' : 'F';
        int age = pathology == Pathology.HypertrophicCardiomyopathy ? r.NextInt(18, 70) : r.NextInt(22, 82);
        double heightCm = Math.Round(Math.Clamp((sex == 'M' ? 176 : 163) + ((sex == 'M' ? 7 : 6) * r.Normal()), 148, 200));
        double bmi = r.Uniform(19, 33);
        double weightKg = Math.Round(bmi * (heightCm / 100) * (heightCm / 100));
        double sexFactor = sex == 'M' ? 1.0 : 0.86;

        double ef, edvMl, wallMm, septalExtraMm = 0;
        switch (pathology)
        {
            case Pathology.DilatedCardiomyopathy:
                ef = r.Uniform(0.35, 0.47);
                edvMl = r.Uniform(175, 215) * sexFactor;
                wallMm = r.Uniform(6.0, 8.0);
                break;
            case Pathology.HypertrophicCardiomyopathy:
                ef = r.Uniform(0.62, 0.75);
                edvMl = r.Uniform(85, 130) * sexFactor;
                wallMm = r.Uniform(11.5, 15.0);
                septalExtraMm = r.Uniform(2, 6);
                break;
            default:
                ef = r.Uniform(0.55, 0.72);
                edvMl = r.Uniform(100, 170) * sexFactor;
                wallMm = r.Uniform(6.5, 10.0);
                break;
        }

        // Acquisition.
        double spacing = vendor.PixelSpacingMm * (1 + r.Uniform(-vendor.PixelSpacingJitter, vendor.PixelSpacingJitter));
        double thickness = vendor.SliceThicknessMm;
        int frames = r.NextInt(options.MinFrames, options.MaxFrames);
        int edFrame = r.Chance(0.6) ? 0 : r.NextInt(0, frames - 1);
        double esPhaseDrawn = r.Uniform(0.35, 0.45);
        int esOffset = Math.Clamp((int)Math.Round(esPhaseDrawn * frames), 1, frames - 1);
        double esPhase = esOffset / (double)frames;
        int esFrame = (edFrame + esOffset) % frames;

        // LV long axis and slice coverage.
        double lengthMm = r.Uniform(78, 98) * Math.Cbrt(edvMl / 130.0);
        double firstS = r.Uniform(-0.08, 0.06);
        double capS = wallMm * 0.75 / lengthMm;
        int slices = (int)Math.Floor((1 + (0.5 * capS) - firstS) * lengthMm / thickness) + 1 + r.NextInt(0, 1);
        slices = Math.Clamp(slices, options.MinSlices, options.MaxSlices);

        Harmonics endoShape = Harmonics.Random(r, 2, 4, 0.05);
        Harmonics wallShape = Harmonics.Random(r, 1, 3, 0.18);

        // LV radius from the target EDV: EDV = Σ_slices thickness · ∫ R(θ)²/2 dθ with R = a·profile(s)·(1 + endo(θ)).
        double meanSquare = 0;
        const int bins = 360;
        for (int b = 0; b < bins; b++)
        {
            double f = 1 + endoShape.Evaluate(2 * Math.PI * b / bins);
            meanSquare += f * f / bins;
        }
        double unitVolume = 0;
        for (int z = 0; z < slices; z++)
        {
            double s = firstS + (z * thickness / lengthMm);
            double prof = PhantomParameters.EndoProfile(s);
            unitVolume += thickness * Math.PI * prof * prof * meanSquare;
        }
        double lvRadius = Math.Sqrt(edvMl * 1000.0 / unitVolume);

        // Body.
        double fovX = vendor.MatrixX * spacing;
        double fovY = vendor.MatrixY * spacing;
        double bodyRot = r.Uniform(-0.25, 0.25);
        double bodyA = Math.Min(148 * Math.Pow(bmi / 24, 0.35) * Math.Sqrt(heightCm / 170) * r.Uniform(0.95, 1.05), 0.46 * fovX);
        double bodyB = Math.Min(108 * Math.Pow(bmi / 24, 0.45) * r.Uniform(0.95, 1.05), 0.42 * fovY);
        double fat = Math.Clamp(4 + ((bmi - 19) * 1.3) + (sex == 'F' ? 3 : 0) + r.Uniform(-2, 2), 3, 26);
        double muscle = r.Uniform(7, 13);
        double bodyCx = r.Uniform(-15, 15);
        double bodyCy = r.Uniform(-10, 14);

        // Heart position: anterior-left in the chest (image right, up), in the body frame, then to image coordinates.
        double hu = r.Uniform(8, 40);
        double hv = r.Uniform(-32, -10);
        double cos = Math.Cos(bodyRot), sin = Math.Sin(bodyRot);
        double lvX = bodyCx + (cos * hu) - (sin * hv);
        double lvY = bodyCy + (sin * hu) + (cos * hv);

        double rvEf = Math.Clamp(ef - 0.05 + r.Uniform(-0.06, 0.06), 0.3, 0.7);
        var blobs = new List<InnerBlob>();
        double rvAxis = Math.PI + r.Uniform(0.0, 0.75) + bodyRot;
        blobs.Add(new InnerBlob(rvAxis + Math.PI - r.Uniform(0.55, 0.95), r.Uniform(3.0, 5.0), r.Uniform(0.12, 0.3), r.Uniform(0.65, 0.82), 1.25));
        blobs.Add(new InnerBlob(rvAxis + Math.PI + r.Uniform(0.55, 0.95), r.Uniform(3.0, 5.0), r.Uniform(0.12, 0.3), r.Uniform(0.65, 0.82), 1.25));
        int trabeculae = r.NextInt(5, 12);
        for (int i = 0; i < trabeculae; i++)
        {
            double first = r.Uniform(0.1, 0.7);
            blobs.Add(new InnerBlob(rvAxis + Math.PI + r.Uniform(-1.9, 1.9), r.Uniform(0.9, 1.9), first, first + r.Uniform(0.1, 0.35), 0.35));
        }

        // Appearance: vendor parameters with per-subject jitter.
        // (Every draw below happens in a fixed order; new draws go after the last one so existing subjects do not change.)
        double j = vendor.AcquiredFractionJitter;
        var info = new SyntheticSubjectInfo
        {
            Code = SubjectCode.Create(options.Seed, vendor.Code, index),
            VendorCode = vendor.Code,
            VendorName = vendor.VendorName,
            IndexInVendor = index,
            Centre = vendor.Centres[r.NextInt(0, vendor.Centres.Count - 1)],
            EdFrame = edFrame,
            EsFrame = esFrame,
            Pathology = pathology,
            AgeYears = age,
            Sex = sex,
            HeightCm = heightCm,
            WeightKg = weightKg,
            TargetEjectionFraction = ef,
            TargetEdvMl = edvMl,
            WallThicknessMm = wallMm,
            HeartRateBpm = 0,
        };
        var parameters = new PhantomParameters
        {
            Info = info,
            MatrixX = vendor.MatrixX,
            MatrixY = vendor.MatrixY,
            PixelSpacingMm = spacing,
            SliceThicknessMm = thickness,
            SliceCount = slices,
            FrameCount = frames,
            EsPhase = esPhase,
            BodyCentreXMm = bodyCx,
            BodyCentreYMm = bodyCy,
            BodyRotationRad = bodyRot,
            BodySemiAxisXMm = bodyA,
            BodySemiAxisYMm = bodyB,
            BodyShape = Harmonics.Random(r, 2, 4, 0.03),
            FatThicknessMm = fat,
            MuscleThicknessMm = muscle,
            LiverStartS = r.Uniform(0.25, 0.75),
            AortaRadiusMm = r.Uniform(9, 13),
            AortaOffsetXMm = r.Uniform(20, 32),
            LvCentreXMm = lvX,
            LvCentreYMm = lvY,
            LvTiltXMm = r.Uniform(-6, 6),
            LvTiltYMm = r.Uniform(-6, 6),
            LvRadiusMm = lvRadius,
            LvLengthMm = lengthMm,
            FirstSliceS = firstS,
            EndoShape = endoShape,
            WallShape = wallShape,
            SeptalExtraMm = septalExtraMm,
            Blobs = [.. blobs],
            SliceShiftMm = [.. Enumerable.Range(0, 2 * slices).Select(_ => Math.Clamp(1.5 * r.Normal(), -3, 3))],
            RvAxisRad = rvAxis,
            RvHalfSpanRad = r.Uniform(1.55, 1.95),
            RvDepthMm = r.Uniform(17, 27) * (pathology == Pathology.DilatedCardiomyopathy ? 1.2 : 1.0) * Math.Sqrt(sexFactor),
            RvLengthFraction = r.Uniform(0.72, 0.9),
            RvEjectionFraction = rvEf,
            RvWallMm = r.Uniform(2.5, 4.0),
            RvShape = Harmonics.Random(r, 1, 3, 0.12),
            EpicardialFatMm = r.Uniform(1.0, 3.5) * Math.Sqrt(bmi / 24),
            FatShape = Harmonics.Random(r, 1, 3, 0.5),
            Contrast = vendor.Contrast.Jittered(r, vendor.ContrastJitter),
            RvBloodSignal = r.Uniform(0.88, 0.98),
            NoiseSigma = vendor.NoiseSigma * r.Jitter(vendor.NoiseJitter),
            BiasCoefficients = [.. Enumerable.Range(0, 6).Select(_ => vendor.BiasFieldStrength * r.Normal())],
            AnteriorCoilGradient = vendor.AnteriorCoilGradient * r.Uniform(0.7, 1.3),
            AcquiredFractionX = Math.Clamp(vendor.AcquiredFractionX + r.Uniform(-j, j), 0.3, 1.0),
            AcquiredFractionY = Math.Clamp(vendor.AcquiredFractionY + r.Uniform(-j, j), 0.3, 1.0),
            KSpaceRolloff = vendor.KSpaceRolloff * r.Uniform(0.7, 1.3),
            BlurSigmaMm = vendor.BlurSigmaMm * r.Uniform(0.7, 1.3),
            IntensityScale = vendor.IntensityScale * r.Jitter(vendor.IntensityScaleJitter),
            IntensityOffset = vendor.IntensityOffset * r.Uniform(0.8, 1.2),
            DetailSeed = r.NextUInt64(),
            NoiseSeed = r.NextUInt64(),
        };
        double heartRate = Math.Round(r.Uniform(55, 85) + (pathology == Pathology.DilatedCardiomyopathy ? 8 : 0));

        // bSSFP off-resonance banding: a dark ring in the periphery where the quadratic B0 phase crosses π.
        var banding = (Depth: 0.0, Width: 1.0, Cycles: 0.0, Offset: 0.0, CentreX: 0.0, CentreY: 0.0);
        bool band = r.Chance(vendor.BandingProbability);
        double cycles = r.Uniform(0.3, 0.6), ringRadius = r.Uniform(0.7, 0.95);
        double depth = r.Uniform(0.5, 0.9), width = r.Uniform(0.04, 0.12), ox = r.Uniform(-0.25, 0.25), oy = r.Uniform(-0.25, 0.25);
        if (band)
        {
            banding = (depth, width, cycles, Math.PI - (2 * Math.PI * cycles * ringRadius * ringRadius), ox, oy);
        }
        return parameters with { Info = info with { HeartRateBpm = heartRate }, Banding = banding };
    }
}
