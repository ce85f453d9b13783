using MLCardiac.Data.Synthetic;

namespace MLCardiac.Tests.Data;

/// <summary>The phantom's acquisition physics: bSSFP signal, off-resonance banding, inflow, coil noise and uniformity correction.</summary>
[TestClass]
public sealed class PhantomAcquisitionTests
{
    private static readonly TissueRelaxation Blood = TissueRelaxation.At(Tissue.Blood, 1.5), Myocardium = TissueRelaxation.At(Tissue.Myocardium, 1.5);

    [TestMethod]
    [DataRow(3.0, 70.0)]
    [DataRow(2.8, 45.0)]
    public void SteadyState_OnResonanceAtHalfTr_EqualsTheClosedForm(double tr, double flipDeg)
    {
        // Alternating-phase bSSFP on resonance (Scheffler & Lehnhardt 2003): M0·sinα(1 − E1)·√E2 / (1 − (E1 − E2)cosα − E1E2) at TE = TR/2.
        foreach (TissueRelaxation t in new[] { Blood, Myocardium, TissueRelaxation.At(Tissue.Fat, 3) })
        {
            double a = flipDeg * Math.PI / 180, e1 = Math.Exp(-tr / t.T1Ms), e2 = Math.Exp(-tr / t.T2Ms);
            double expected = t.ProtonDensity * Math.Sin(a) * (1 - e1) * Math.Sqrt(e2) / (1 - ((e1 - e2) * Math.Cos(a)) - (e1 * e2));

            Assert.AreEqual(expected, BssfpSignal.SteadyState(t, tr, tr / 2, a), 1e-9);
        }
    }

    [TestMethod]
    public void SteadyState_OffResonancePhaseReachesPi_SignalNullsInABand()
    {
        double a = 60 * Math.PI / 180;
        double onResonance = BssfpSignal.SteadyState(Blood, 3, 1.5, a, 0);
        double band = BssfpSignal.SteadyState(Blood, 3, 1.5, a, Math.PI);
        double between = BssfpSignal.SteadyState(Blood, 3, 1.5, a, Math.PI / 2);

        Assert.IsLessThan(0.15 * onResonance, band, $"band {band:F4} against {onResonance:F4}");
        Assert.IsGreaterThan(band, between);
    }

    [TestMethod]
    public void InflowCurve_FreshSpins_BrighterThanSteadyStateAndConvergingToIt()
    {
        double a = 70 * Math.PI / 180;
        double steady = BssfpSignal.SteadyState(Blood, 3, 1.5, a);
        double[] curve = BssfpSignal.InflowCurve(Blood, 3, 1.5, a, 0, 20000);

        Assert.IsGreaterThan(1.5 * steady, curve[9], "ten pulses after entering: far brighter than the steady state");
        Assert.IsGreaterThan(curve[2999], curve[99], "the mean falls as the spins stay longer");
        Assert.AreEqual(steady, curve[^1], 0.05 * steady, "after a minute the mean approaches the steady state");
    }

    [TestMethod]
    public void FieldStrength_SameSubjectAndShim_BandsOnlyAt3T()
    {
        // The same subjects and centre, once at 1.5 T and once at 3 T: B0 inhomogeneity in ppm is anatomy; in Hz it doubles.
        CentreProfile centre = VendorProfiles.A.Centre(1);
        VendorProfile Make(double field) => VendorProfiles.A with { Centres = [centre with { FieldStrengthT = field, Share = 1 }] };
        var options = new SyntheticCohortOptions { Seed = 77, MinFrames = 4, MaxFrames = 4 };
        int subjectsBandedAt3T = 0;
        for (int i = 0; i < 8; i++)
        {
            double at15 = BandFraction(PhantomParameterSampler.Sample(Make(1.5), i, options, PathologyModel.DefaultMix));
            double at3 = BandFraction(PhantomParameterSampler.Sample(Make(3.0), i, options, PathologyModel.DefaultMix));
            Assert.AreEqual(0, at15, $"subject {i}: no pixel of the body at the band's phase at 1.5 T");
            subjectsBandedAt3T += at3 > 0 ? 1 : 0;
        }
        Assert.IsGreaterThan(0, subjectsBandedAt3T, "at 3 T the same field maps put bands into the body");
    }

    /// <summary>Fraction of body pixels (over all slices) whose off-resonance phase per TR is within 0.1π of ±π.</summary>
    private static double BandFraction(PhantomParameters p)
    {
        var model = new AcquisitionModel(p);
        long band = 0, body = 0;
        for (int z = 0; z < p.SliceCount; z++)
        {
            float[] phase = model.Slice(z).OffResonancePhase;
            for (int j = 0; j < p.MatrixY; j++)
                for (int i = 0; i < p.MatrixX; i++)
                {
                    double x = (i + 0.5 - (p.MatrixX / 2.0)) * p.PixelSpacingMm - p.Body.CentreXMm, y = (j + 0.5 - (p.MatrixY / 2.0)) * p.PixelSpacingMm - p.Body.CentreYMm;
                    if ((x * x / (p.Body.SemiAxisXMm * p.Body.SemiAxisXMm)) + (y * y / (p.Body.SemiAxisYMm * p.Body.SemiAxisYMm)) > 0.8) continue;
                    body++;
                    band += Math.Abs(phase[(j * p.MatrixX) + i]) > 0.9 * Math.PI ? 1 : 0;
                }
        }
        return band / (double)body;
    }

    [TestMethod]
    public void SteadyState_3TWithItsSarLimitedFlip_LowerBloodMyocardiumRatioThan15T()
    {
        // Vendor A's 3 T protocol (45°) against its 1.5 T one (70°): bSSFP contrast goes with T2/T1 and the flip angle.
        double Ratio(CentreProfile c)
        {
            CineProtocol p = c.Protocol;
            double a = p.FlipAngleDeg * Math.PI / 180;
            return BssfpSignal.SteadyState(TissueRelaxation.At(Tissue.Blood, c.FieldStrengthT), p.RepetitionTimeMs, p.EchoTimeMs, a)
                / BssfpSignal.SteadyState(TissueRelaxation.At(Tissue.Myocardium, c.FieldStrengthT), p.RepetitionTimeMs, p.EchoTimeMs, a);
        }
        double at15 = Ratio(VendorProfiles.A.Centre(1)), at3 = Ratio(VendorProfiles.A.Centre(6));

        Assert.IsGreaterThan(1.1 * at3, at15, $"1.5 T {at15:F2}, 3 T {at3:F2}");
        Assert.IsTrue(at15 is > 2 and < 5, $"{at15:F2}");
    }

    [TestMethod]
    public void BloodSignal_MoreFreshBloodAndFasterFlow_Brighter()
    {
        PhantomParameters p = PhantomParameterSampler.Sample(VendorProfiles.B, 0, SyntheticTestCohort.Options, PathologyModel.DefaultMix);
        var model = new AcquisitionModel(p);
        SliceAcquisition slice = model.Slice(p.SliceCount / 2);
        double steady = slice.Signals[Tissue.Blood];

        Assert.AreEqual(steady, model.BloodSignal(slice, 8, 20, 0), 1e-12, "no fresh blood: the steady state");
        Assert.IsGreaterThan(model.BloodSignal(slice, 8, 20, 0.2), model.BloodSignal(slice, 8, 20, 0.6));
        Assert.IsGreaterThan(model.BloodSignal(slice, 8, 1, 0.6), model.BloodSignal(slice, 8, 40, 0.6), "faster flow: fewer pulses in the slice, brighter");
    }

    [TestMethod]
    public void Noise_WithUniformityCorrection_RisesWhereCoilSensitivityFalls()
    {
        // Vendor D corrects uniformity; in air only noise remains, scaled by 1 / sensitivity.
        var (low, high) = AirNoiseBySensitivity(VendorProfiles.D, 0);

        Assert.IsGreaterThan(1.3 * high, low, $"noise std where the coil sees little {low:F2}, where it sees much {high:F2}");
    }

    [TestMethod]
    public void Noise_WithoutUniformityCorrection_SameWhereverTheCoilIs()
    {
        // Vendor C does not correct: root-sum-of-squares noise does not depend on the sensitivity.
        var (low, high) = AirNoiseBySensitivity(VendorProfiles.C, 0);

        Assert.AreEqual(1.0, low / high, 0.2, $"{low:F2} against {high:F2}");
    }

    /// <summary>Standard deviation of air pixels (outside the body) in the lowest and highest third of receive sensitivity, middle slice, ED.</summary>
    private static (double Low, double High) AirNoiseBySensitivity(VendorProfile vendor, int index)
    {
        var generator = new SyntheticCohortGenerator(SyntheticTestCohort.Options);
        PhantomParameters p = HeartCalibration.Calibrate(PhantomParameterSampler.Sample(vendor, index, generator.Options, PathologyModel.DefaultMix));
        SyntheticSubject s = generator.Generate(vendor, index);
        int z = s.SliceCount / 2;
        float[] sensitivity = new AcquisitionModel(p).Slice(z).Sensitivity;
        ReadOnlySpan<float> img = s.ImageSlice(z, s.Info.EdFrame);
        var air = new List<(float S, float V)>();
        for (int j = 0; j < s.SizeY; j++)
            for (int i = 0; i < s.SizeX; i++)
            {
                double x = (i + 0.5 - (s.SizeX / 2.0)) * s.PixelSpacingMm - p.Body.CentreXMm, y = (j + 0.5 - (s.SizeY / 2.0)) * s.PixelSpacingMm - p.Body.CentreYMm;
                double margin = 30 + p.Body.BreastMm + 10; // clear of the body, its outline's wobble and the breasts
                if ((x * x / Math.Pow(p.Body.SemiAxisXMm + margin, 2)) + (y * y / Math.Pow(p.Body.SemiAxisYMm + margin, 2)) < 1) continue;
                air.Add((sensitivity[(j * s.SizeX) + i], img[(j * s.SizeX) + i]));
            }
        air.Sort((a, b) => a.S.CompareTo(b.S));
        static double Std(IEnumerable<float> v)
        {
            double[] x = [.. v.Select(f => (double)f)];
            double m = x.Average();
            return Math.Sqrt(x.Sum(d => (d - m) * (d - m)) / (x.Length - 1));
        }
        int third = air.Count / 3;
        return (Std(air.Take(third).Select(a => a.V)), Std(air.Skip(air.Count - third).Select(a => a.V)));
    }

    [TestMethod]
    public void Noise_InAir_NonCentralChiWith2LDegreesOfFreedom()
    {
        // Pure noise combined by root sum of squares over L channels is chi-distributed with 2L degrees of freedom: its mean over
        // its standard deviation depends on L only (≈ 1.91 for L = 1 (Rayleigh), 3.98 for L = 4, 5.7 for L = 8).
        foreach (int channels in new[] { 1, 4, 8 })
        {
            CentreProfile c = VendorProfiles.C.Centre(4);
            VendorProfile vendor = VendorProfiles.C with { Centres = [c with { Coil = c.Coil with { EffectiveChannels = channels } }] };
            SyntheticSubject s = new SyntheticCohortGenerator(SyntheticTestCohort.Options).Generate(vendor, 3);
            var corner = new List<double>();
            for (int z = 0; z < s.SliceCount; z++)
            {
                ReadOnlySpan<float> img = s.ImageSlice(z, s.Info.EdFrame);
                for (int j = 0; j < 10; j++)
                    for (int i = 0; i < 10; i++) corner.Add(img[(j * s.SizeX) + i]);
            }
            double mean = corner.Average(), std = Math.Sqrt(corner.Sum(v => (v - mean) * (v - mean)) / (corner.Count - 1));
            double k = 2 * channels;
            double chiMean = Math.Sqrt(2) * Math.Exp(LogGamma((k + 1) / 2) - LogGamma(k / 2));
            double expected = chiMean / Math.Sqrt(k - (chiMean * chiMean));
            Assert.AreEqual(expected, mean / std, 0.15 * expected, $"L = {channels}: mean/std {mean / std:F2}, chi_{k} {expected:F2}");
        }
    }

    private static double LogGamma(double x)
    {
        // Lanczos (g = 7, n = 9).
        double[] g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        double a = g[0], t = x + 7.5;
        for (int i = 1; i < 9; i++) a += g[i] / (x + i);
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(a);
    }
}
