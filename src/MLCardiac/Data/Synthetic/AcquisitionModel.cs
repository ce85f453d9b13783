namespace MLCardiac.Data.Synthetic;

/// <summary>The acquisition's maps and tissue signals for one slice.</summary>
internal sealed class SliceAcquisition
{
    /// <summary>Receive brightness √Σ|s_c|² (1 at the heart of the middle slice) times the B0/B1 shading of the bSSFP signal, per pixel.</summary>
    public required float[] Gain { get; init; }

    /// <summary>Factor of the reconstruction's uniformity correction per pixel (1 without it).</summary>
    public required float[] Correction { get; init; }

    /// <summary>Static tissue signals at this slice's heart (fraction of M0).</summary>
    public required IReadOnlyDictionary<Tissue, float> Signals { get; init; }

    /// <summary>Mean signal of fresh blood over its first n pulses in this slice (element n − 1).</summary>
    public required double[] InflowCurve { get; init; }

    /// <summary>Off-resonance phase per TR at each pixel, radians (for tests and figures).</summary>
    public required float[] OffResonancePhase { get; init; }

    /// <summary>Receive sensitivity √Σ|s_c|² alone per pixel (1 at the heart of the middle slice).</summary>
    public required float[] Sensitivity { get; init; }
}

/// <summary>
/// The scanner side of one subject: receive coil sensitivities, main-field (B0) and transmit-field (B1⁺) maps, and the
/// bSSFP signal of every tissue at this field, protocol and position. Per slice, tissue signals are those at the slice's
/// heart (its flip-angle scale and off-resonance); elsewhere, B0/B1 act as a tissue-independent shading taken from blood's
/// signal curve (bands where the off-resonance phase per TR reaches ±π). B0 is the shim residual in ppm (a low-order field
/// plus a susceptibility bump near the inferolateral heart–lung interface, bounded by the centre's
/// <see cref="CentreProfile.ShimResidualPpm"/>), centred by the scanner's frequency adjustment on the heart; in Hz it
/// scales with B0, so the same subject bands at 3 T and not at 1.5 T. The γ of ¹H: 42.577 MHz/T.
/// </summary>
internal sealed class AcquisitionModel
{
    private const double GammaMHzPerT = 42.577;
    private const int Coarse = 4;
    private const int FlipBins = 49, PhaseBins = 129;
    private const double FlipLow = 0.4, FlipHigh = 1.6;
    private const int InflowPulses = 600;

    private readonly PhantomParameters _p;
    private readonly double[] _bloodTable = new double[FlipBins * PhaseBins];
    private readonly double _ssReference, _ppmReference;
    private readonly double _shimLimit;

    public AcquisitionModel(PhantomParameters p)
    {
        _p = p;
        _shimLimit = p.Acquisition.ShimLimitPpm;
        AcquisitionSettings a = p.Acquisition;
        TissueRelaxation blood = a.Tissues[Tissue.Blood];
        for (int f = 0; f < FlipBins; f++)
        {
            double scale = FlipLow + ((FlipHigh - FlipLow) * f / (FlipBins - 1));
            for (int q = 0; q < PhaseBins; q++)
            {
                double theta = -Math.PI + (2 * Math.PI * q / (PhaseBins - 1));
                _bloodTable[(f * PhaseBins) + q] = BssfpSignal.SteadyState(blood, a.RepetitionTimeMs, a.EchoTimeMs, a.FlipAngleRad * scale, theta);
            }
        }
        Vec3 heart = HeartCentre(p.SliceCount / 2);
        _ssReference = RawSensitivity(heart);
        _ppmReference = RawPpm(heart) - a.FrequencyErrorPpm;
    }

    /// <summary>The LV axis point in slice <paramref name="z"/>'s plane (stack frame, with the slice's breath-hold shift).</summary>
    public Vec3 HeartCentre(int z)
    {
        HeartShape h = _p.Heart;
        Vec3 shift = _p.SliceShiftMm[z];
        double zeta = _p.SliceZeta(z);
        double t = (zeta - shift.Z - h.Origin.Z) / h.Axis.Z;
        return h.Origin + (t * h.Axis) + new Vec3(shift.X, shift.Y, 0);
    }

    /// <summary>Maps and signals of slice <paramref name="z"/>.</summary>
    public SliceAcquisition Slice(int z)
    {
        int w = _p.MatrixX, hgt = _p.MatrixY;
        AcquisitionSettings a = _p.Acquisition;
        double zeta = _p.SliceZeta(z);
        int cw = (w / Coarse) + 2, ch = (hgt / Coarse) + 2;
        var sens = new float[cw * ch];
        var shade = new float[cw * ch];
        var phase = new float[cw * ch];
        Vec3 heart = HeartCentre(z);
        double heartFlip = FlipScale(heart), heartPhase = OffResonancePhase(heart);
        double heartBlood = BloodShading(heartFlip, heartPhase);
        for (int j = 0; j < ch; j++)
        {
            for (int i = 0; i < cw; i++)
            {
                var point = new Vec3(X(i * Coarse), Y(j * Coarse), zeta);
                double s = Math.Sqrt(RawSensitivity(point) / _ssReference);
                double theta = OffResonancePhase(point);
                sens[(j * cw) + i] = (float)s;
                phase[(j * cw) + i] = (float)theta;
                shade[(j * cw) + i] = (float)(BloodShading(FlipScale(point), theta) / heartBlood);
            }
        }
        var gain = new float[w * hgt];
        var correction = new float[w * hgt];
        var sensitivity = new float[w * hgt];
        var offResonance = new float[w * hgt];
        for (int y = 0; y < hgt; y++)
        {
            for (int x = 0; x < w; x++)
            {
                float s = Bilinear(sens, cw, x, y), sh = Bilinear(shade, cw, x, y);
                int k = (y * w) + x;
                sensitivity[k] = s;
                gain[k] = s * sh;
                offResonance[k] = Bilinear(phase, cw, x, y);
                correction[k] = a.UniformityCorrection ? 1f / Math.Max(0.15f, s) : 1f;
            }
        }
        var signals = new Dictionary<Tissue, float>();
        foreach (var (tissue, relaxation) in a.Tissues)
        {
            signals[tissue] = (float)BssfpSignal.SteadyState(relaxation, a.RepetitionTimeMs, a.EchoTimeMs, a.FlipAngleRad * heartFlip, heartPhase);
        }
        double[] inflow = BssfpSignal.InflowCurve(a.Tissues[Tissue.Blood], a.RepetitionTimeMs, a.EchoTimeMs, a.FlipAngleRad * heartFlip, heartPhase, InflowPulses);
        return new SliceAcquisition { Gain = gain, Correction = correction, Signals = signals, InflowCurve = inflow, OffResonancePhase = offResonance, Sensitivity = sensitivity };
    }

    /// <summary>
    /// Blood signal in a slice of <paramref name="thicknessMm"/>: a fraction <paramref name="freshFraction"/> of the blood
    /// entered the slice unexcited and, moving through at <paramref name="speedCmS"/>, has seen thickness/(speed·TR) pulses
    /// (its mean transient signal, <see cref="BssfpSignal.InflowCurve"/>); the rest has stayed (recirculating in the cavity) and
    /// is in the steady state. This is the inflow enhancement of 2D cine bSSFP, strongest in basal slices during ejection and
    /// early filling.
    /// </summary>
    public double BloodSignal(SliceAcquisition slice, double thicknessMm, double speedCmS, double freshFraction)
    {
        double residenceMs = thicknessMm / (Math.Max(speedCmS, 0.05) * 0.01);
        int pulses = (int)Math.Clamp(Math.Round(residenceMs / _p.Acquisition.RepetitionTimeMs), 1, InflowPulses);
        double steady = slice.Signals[Tissue.Blood];
        return steady + (Math.Clamp(freshFraction, 0, 1) * (slice.InflowCurve[pulses - 1] - steady));
    }

    private double X(double i) => (i + 0.5 - (_p.MatrixX / 2.0)) * _p.PixelSpacingMm;

    private double Y(double j) => (j + 0.5 - (_p.MatrixY / 2.0)) * _p.PixelSpacingMm;

    private static float Bilinear(float[] coarse, int cw, int x, int y)
    {
        double fx = x / (double)Coarse, fy = y / (double)Coarse;
        int i = (int)fx, j = (int)fy;
        double u = fx - i, v = fy - j;
        double a = coarse[(j * cw) + i], b = coarse[(j * cw) + i + 1], c = coarse[((j + 1) * cw) + i], d = coarse[((j + 1) * cw) + i + 1];
        return (float)(((1 - v) * (((1 - u) * a) + (u * b))) + (v * (((1 - u) * c) + (u * d))));
    }

    /// <summary>Σ_c |s_c|² with a loop's on-axis fall-off r³/(r² + d²)^(3/2) per element.</summary>
    private double RawSensitivity(Vec3 point)
    {
        double r2 = _p.Acquisition.CoilRadiusMm * _p.Acquisition.CoilRadiusMm, r3 = r2 * _p.Acquisition.CoilRadiusMm, sum = 0;
        foreach (Vec3 c in _p.Acquisition.CoilCentres)
        {
            Vec3 d = point - c;
            double s = r3 / Math.Pow(r2 + d.Dot(d), 1.5);
            sum += s * s;
        }
        return sum;
    }

    private double RawPpm(Vec3 point)
    {
        double[] b = _p.Acquisition.B0Coefficients;
        double xn = point.X / (0.5 * _p.MatrixX * _p.PixelSpacingMm), yn = point.Y / (0.5 * _p.MatrixY * _p.PixelSpacingMm), zn = point.Z / 100;
        var (centre, width, amplitude) = _p.Acquisition.B0Bump;
        Vec3 d = point - centre;
        return (0.5 * ((b[0] * xn) + (b[1] * yn))) + (0.35 * ((b[2] * ((xn * xn) - (1.0 / 3))) + (b[3] * ((yn * yn) - (1.0 / 3))) + (b[4] * xn * yn)))
            + (0.3 * b[5] * zn) + (0.2 * b[6] * xn * zn) + (amplitude * Math.Exp(-d.Dot(d) / (2 * width * width)));
    }

    /// <summary>Off-resonance phase per TR, θ = 2π·γ·B0·Δppm·TR, with Δppm bounded by the shim limit (S·tanh(Δ/S)).</summary>
    public double OffResonancePhase(Vec3 point)
    {
        double delta = RawPpm(point) - _ppmReference;
        if (_shimLimit > 0) delta = _shimLimit * Math.Tanh(delta / _shimLimit);
        double hz = GammaMHzPerT * _p.Acquisition.FieldStrengthT * delta; // MHz/T × T × ppm = Hz
        return Math.IEEERemainder(2 * Math.PI * hz * _p.Acquisition.RepetitionTimeMs * 1e-3, 2 * Math.PI);
    }

    private double FlipScale(Vec3 point)
    {
        double[] c = _p.Acquisition.B1Coefficients;
        double xn = point.X / (0.5 * _p.MatrixX * _p.PixelSpacingMm), yn = point.Y / (0.5 * _p.MatrixY * _p.PixelSpacingMm);
        return Math.Clamp(1 + (c[0] * xn) + (c[1] * yn) + (c[2] * ((xn * xn) + (yn * yn) - 0.5)), FlipLow, FlipHigh);
    }

    private double BloodShading(double flipScale, double theta)
    {
        double f = (flipScale - FlipLow) / (FlipHigh - FlipLow) * (FlipBins - 1);
        double q = (Math.IEEERemainder(theta, 2 * Math.PI) + Math.PI) / (2 * Math.PI) * (PhaseBins - 1);
        int i = Math.Clamp((int)f, 0, FlipBins - 2), j = Math.Clamp((int)q, 0, PhaseBins - 2);
        double u = Math.Clamp(f - i, 0, 1), v = Math.Clamp(q - j, 0, 1);
        double a = _bloodTable[(i * PhaseBins) + j], b = _bloodTable[(i * PhaseBins) + j + 1], c = _bloodTable[((i + 1) * PhaseBins) + j], d = _bloodTable[((i + 1) * PhaseBins) + j + 1];
        return ((1 - u) * (((1 - v) * a) + (v * b))) + (u * (((1 - v) * c) + (v * d)));
    }
}
