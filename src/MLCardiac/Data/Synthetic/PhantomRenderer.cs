using MLCardiac.Imaging;

namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Turns <see cref="PhantomParameters"/> into a 4D cine and its labels, deterministically (the "apply" half). After
/// <see cref="HeartCalibration"/>, per slice: the body is painted once (anti-aliased coverage: partial volume at every
/// boundary) with the slice's bSSFP tissue signals and filtered with the acquisition's k-space window (acquired fraction,
/// partial Fourier, reconstruction filter: a complex operator when the window is asymmetric); per frame the heart is
/// painted in its rectangle — averaged over three planes through the slice thickness (through-plane partial volume, the
/// oblique cut of the tilted long axis), labelled in the centre plane — and only its change is filtered and added (the
/// filter is linear). The magnitude then takes the coil/B0/B1 gain, root-sum-of-squares noise (non-central chi with 2L
/// degrees of freedom: |A + σ·n₁ + iσ·n₂|² + σ²·χ²₂L₋₂, spatially correlated through the same window) and the uniformity
/// correction, and is stored by the vendor's scaling convention as whole numbers.
/// </summary>
internal static class PhantomRenderer
{
    private const int NoiseFields = 8, RemainderFields = 6;

    public static SyntheticSubject Render(PhantomParameters parameters)
    {
        PhantomParameters p = HeartCalibration.Calibrate(parameters);
        int w = p.MatrixX, h = p.MatrixY, nz = p.SliceCount, nt = p.FrameCount, plane = w * h;
        double pix = p.PixelSpacingMm;
        AcquisitionSettings a = p.Acquisition;
        var image = new float[(long)plane * nz * nt];
        var labels = new byte[image.Length];
        var model = new HeartModel(p.Heart);
        var rect = HeartGrid.Rectangle(p, model.MaxExtentMm() + (3 * pix));
        var acquisition = new AcquisitionModel(p);
        var filter = ComplexFilter.Create(p);
        var detail = new SeededRandom(p.DetailSeed);
        var noiseRandom = new SeededRandom(p.NoiseSeed);
        var pool = new NoisePool(w, h, filter.XReal, filter.YReal, NoiseFields, noiseRandom.Fork());
        float[][] remainders = RemainderPool(pool, (2 * a.EffectiveChannels) - 2, noiseRandom.Fork());

        double thickness = p.SliceThicknessMm;
        double[] offsets = thickness >= 4 ? [-thickness / 3, 0, thickness / 3] : [0];
        var background = new float[plane];
        var bgRe = new float[plane];
        var bgIm = new float[plane];
        var frameRe = new float[plane];
        var frameIm = new float[plane];
        var scratch = new float[plane];
        var patch = new float[rect.Width * rect.Height];
        var patchLabels = new byte[rect.Width * rect.Height];
        double maxRate = MaxEjectionRate(p.EsPhase);

        for (int z = 0; z < nz; z++)
        {
            SliceAcquisition slice = acquisition.Slice(z);
            HeartGrid[] grids = [.. offsets.Select(o => HeartGrid.Build(p, model, z, o, rect))];
            int centre = offsets.Length / 2;
            double sSlice = Math.Max(0, (acquisition.HeartCentre(z) - p.Heart.Origin).Dot(p.Heart.Axis) / p.Heart.LengthMm);
            double extent = model.MaxExtentMm() + pix, ventricles = model.VentricleExtentMm() + pix, basal = model.BasalLimitMm;
            var signals = new HeartSignals
            {
                Myocardium = slice.Signals[Tissue.Myocardium],
                Fat = slice.Signals[Tissue.Fat],
                Fluid = slice.Signals[Tissue.Fluid],
                AtrialBlood = (float)acquisition.BloodSignal(slice, thickness, 15, 0.3),
                VesselBlood = (float)acquisition.BloodSignal(slice, thickness, 50, 0.5),
            };
            PaintBackground(p, z, slice.Signals, signals.VesselBlood, detail.Fork(), background);
            filter.Apply(background, 0, 0, w, h, w, bgRe, bgIm, scratch, clear: true);

            for (int t = 0; t < nt; t++)
            {
                double phase = (((t - p.Info.EdFrame) % nt) + nt) % nt / (double)nt;
                double c = CardiacCycle.Contraction(phase, p.EsPhase);
                double rate = Math.Abs(CardiacCycle.Contraction(phase + 0.005, p.EsPhase) - CardiacCycle.Contraction(phase - 0.005, p.EsPhase)) / 0.01 / maxRate;
                model.SetFrame(c, phase < p.EsPhase ? rate : 0);
                double atBase = rate * Math.Exp(-sSlice / 0.2);
                double speed = p.Heart.BloodSpeedMidCmS + (p.Heart.BloodSpeedBaseCmS * atBase);
                double fresh = p.Heart.FreshBloodFraction + ((0.75 - p.Heart.FreshBloodFraction) * atBase);
                signals.LvBlood = (float)acquisition.BloodSignal(slice, thickness, speed, fresh);
                signals.RvBlood = (float)acquisition.BloodSignal(slice, thickness, speed * 0.9, fresh);

                for (int k = 0; k < patch.Length; k++)
                {
                    int i = rect.X0 + (k % rect.Width), j = rect.Y0 + (k / rect.Width);
                    float under = background[(j * w) + i];
                    float sum = 0;
                    byte label = 0;
                    for (int g = 0; g < grids.Length; g++)
                    {
                        HeartGrid grid = grids[g];
                        float value = under;
                        if (grid.Rho[k] <= (grid.H[k] > basal ? ventricles : extent))
                        {
                            byte l = model.Evaluate(grid, k, pix, signals, paint: true, ref value);
                            if (g == centre) label = l;
                        }
                        sum += value;
                    }
                    patch[k] = (sum / grids.Length) - under;
                    patchLabels[k] = label;
                }
                Labeling.ApplyBasalRule(patchLabels, rect.Width, rect.Height);
                Span<byte> frameLabels = labels.AsSpan(((t * nz) + z) * plane, plane);
                for (int r = 0; r < rect.Height; r++)
                {
                    patchLabels.AsSpan(r * rect.Width, rect.Width).CopyTo(frameLabels.Slice(((rect.Y0 + r) * w) + rect.X0, rect.Width));
                }

                bgRe.CopyTo(frameRe, 0);
                bgIm.CopyTo(frameIm, 0);
                (int r0, int q0, int ch, int cw) = NonZeroWindow(patch, rect.Width, rect.Height);
                if (ch > 0)
                {
                    filter.Apply(patch.AsSpan((r0 * rect.Width) + q0), rect.X0 + q0, rect.Y0 + r0, cw, ch, rect.Width, frameRe, frameIm, scratch, clear: false);
                }
                var noise = new SeededRandom(p.NoiseSeed ^ ((ulong)((t * nz) + z + 1) * 0x9E3779B97F4A7C15UL));
                Finish(a, frameRe, frameIm, filter.HasImaginary, slice, pool, remainders, noise, image.AsSpan(((t * nz) + z) * plane, plane));
            }
        }

        double slope = Store(p, image);
        return new SyntheticSubject(p.Info, w, h, nz, nt, pix, thickness, image, labels)
        {
            SliceSpacingMm = p.SliceSpacingMm,
            ScaleSlope = slope,
            FlipRows = a.FlipRows,
            DisplayVoxelToWorld = Orientation(p, new SeededRandom(p.DetailSeed ^ 0x0A11CE)),
        };
    }

    /// <summary>Fields σ²-free χ² remainders: sums of squares of 2L − 2 randomly shifted unit noise fields.</summary>
    private static float[][] RemainderPool(NoisePool pool, int components, SeededRandom random)
    {
        int w = pool.Width, h = pool.Height;
        var fields = new float[RemainderFields][];
        for (int f = 0; f < fields.Length; f++)
        {
            var sum = new float[w * h];
            for (int c = 0; c < components; c++)
            {
                float[] src = pool.Field(random.NextInt(0, pool.Count - 1));
                int dx = random.NextInt(0, w - 1), dy = random.NextInt(0, h - 1);
                for (int y = 0; y < h; y++)
                {
                    int row = ((y + dy) % h) * w;
                    for (int x = 0; x < w; x++)
                    {
                        int xx = x + dx;
                        if (xx >= w) xx -= w;
                        float v = src[row + xx];
                        sum[(y * w) + x] += v * v;
                    }
                }
            }
            fields[f] = sum;
        }
        return fields;
    }

    private static void Finish(AcquisitionSettings a, float[] re, float[] im, bool complex, SliceAcquisition slice, NoisePool pool, float[][] remainders,
        SeededRandom random, Span<float> output)
    {
        int w = pool.Width, h = pool.Height;
        float sigma = (float)a.NoiseSigma, sigma2 = sigma * sigma;
        float[] f0 = pool.Field(random.NextInt(0, pool.Count - 1)), f1 = pool.Field(random.NextInt(0, pool.Count - 1));
        float[] rem = remainders[random.NextInt(0, remainders.Length - 1)];
        int dx0 = random.NextInt(0, w - 1), dy0 = random.NextInt(0, h - 1), dx1 = random.NextInt(0, w - 1), dy1 = random.NextInt(0, h - 1);
        int dx2 = random.NextInt(0, w - 1), dy2 = random.NextInt(0, h - 1);
        bool s0 = random.Chance(0.5), s1 = random.Chance(0.5);
        float g0 = s0 ? sigma : -sigma, g1 = s1 ? sigma : -sigma;
        float[] gain = slice.Gain, correction = slice.Correction;
        for (int y = 0; y < h; y++)
        {
            int r0 = ((y + dy0) % h) * w, r1 = ((y + dy1) % h) * w, r2 = ((y + dy2) % h) * w;
            for (int x = 0; x < w; x++)
            {
                int k = (y * w) + x;
                float m = complex ? MathF.Sqrt((re[k] * re[k]) + (im[k] * im[k])) : MathF.Abs(re[k]);
                float amplitude = m * gain[k];
                int x0 = x + dx0, x1 = x + dx1, x2 = x + dx2;
                if (x0 >= w) x0 -= w;
                if (x1 >= w) x1 -= w;
                if (x2 >= w) x2 -= w;
                float n0 = amplitude + (g0 * f0[r0 + x0]);
                float n1 = g1 * f1[r1 + x1];
                output[k] = MathF.Sqrt((n0 * n0) + (n1 * n1) + (sigma2 * rem[r2 + x2])) * correction[k];
            }
        }
    }

    /// <summary>Scales the magnitude to the vendor's stored numbers (whole, int16 range, divided by the rescale slope); returns the slope.</summary>
    private static double Store(PhantomParameters p, float[] image)
    {
        AcquisitionSettings a = p.Acquisition;
        double scale;
        if (a.ScaleMode == "auto")
        {
            int stride = Math.Max(1, image.Length / 200_000);
            var sample = new List<float>(image.Length / stride + 1);
            for (int i = 0; i < image.Length; i += stride) sample.Add(image[i]);
            sample.Sort();
            double p995 = Math.Max(sample[(int)(0.995 * (sample.Count - 1))], 1e-9);
            scale = a.Scale / p995;
        }
        else
        {
            double blood = BssfpSignal.SteadyState(a.Tissues[Tissue.Blood], a.RepetitionTimeMs, a.EchoTimeMs, a.FlipAngleRad);
            scale = a.Scale / blood;
        }
        float factor = (float)(scale / a.RescaleSlope);
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = MathF.Round(Math.Min(image[i] * factor, short.MaxValue));
        }
        return a.RescaleSlope;
    }

    /// <summary>
    /// The display-order voxel-to-world affine (RAS, mm) of a short-axis stack: slice normal along the LV long axis (towards
    /// the patient's left, anterior and inferior, ±10°), columns towards the patient's left within the plane, rows towards
    /// posterior-inferior, as a DICOM short-axis series is displayed (anterior up, RV on the left).
    /// </summary>
    private static Affine Orientation(PhantomParameters p, SeededRandom r)
    {
        var n = new Vec3(-0.6 + (0.12 * r.Normal()), 0.55 + (0.12 * r.Normal()), -0.58 + (0.12 * r.Normal())).Normalized();
        var left = new Vec3(-1, 0, 0);
        Vec3 x = (left - (left.Dot(n) * n)).Normalized();
        Vec3 y = x.Cross(n);
        double pix = p.PixelSpacingMm, dz = p.SliceSpacingMm;
        Vec3 centre = new Vec3(r.Uniform(-20, 20), r.Uniform(-20, 20), r.Uniform(-30, 30)) + (p.FirstSliceMm * n);
        Vec3 origin = centre - (((p.MatrixX / 2.0) - 0.5) * pix * x) - (((p.MatrixY / 2.0) - 0.5) * pix * y);
        return new Affine(
        [
            x.X * pix, y.X * pix, n.X * dz, origin.X,
            x.Y * pix, y.Y * pix, n.Y * dz, origin.Y,
            x.Z * pix, y.Z * pix, n.Z * dz, origin.Z,
            0, 0, 0, 1,
        ]);
    }

    private static double MaxEjectionRate(double esPhase)
    {
        double max = 1e-9;
        for (int i = 0; i < 400; i++)
        {
            double ph = i / 400.0;
            max = Math.Max(max, Math.Abs(CardiacCycle.Contraction(ph + 0.005, esPhase) - CardiacCycle.Contraction(ph - 0.005, esPhase)) / 0.01);
        }
        return max;
    }

    /// <summary>Smallest window (first row, first column, height, width) holding every non-zero value of a row-major patch; height 0 when all are zero.</summary>
    private static (int Row, int Column, int Height, int Width) NonZeroWindow(ReadOnlySpan<float> patch, int width, int height)
    {
        int r0 = height, r1 = -1, q0 = width, q1 = -1;
        for (int r = 0; r < height; r++)
        {
            ReadOnlySpan<float> row = patch.Slice(r * width, width);
            int first = row.IndexOfAnyExcept(0f);
            if (first < 0) continue;
            int last = row.LastIndexOfAnyExcept(0f);
            r0 = Math.Min(r0, r);
            r1 = r;
            q0 = Math.Min(q0, first);
            q1 = Math.Max(q1, last);
        }
        return r1 < 0 ? (0, 0, 0, 0) : (r0, q0, r1 - r0 + 1, q1 - q0 + 1);
    }

    private static float Coverage(double boundary, double distance, double pix) => (float)Math.Clamp(0.5 + ((boundary - distance) / pix), 0, 1);

    private static float Lerp(float under, double over, float alpha) => under + (alpha * ((float)over - under));

    /// <summary>Coverage of an ellipse (centre, semi-axes) by a pixel at (u, v): distance to the boundary along the ray from the centre.</summary>
    private static float Ellipse(double u, double v, double cu, double cv, double a, double b, double pix)
    {
        if (a <= 0 || b <= 0) return 0;
        double du = u - cu, dv = v - cv;
        if (Math.Abs(du) > a + pix || Math.Abs(dv) > b + pix) return 0;
        double f = Math.Sqrt(((du / a) * (du / a)) + ((dv / b) * (dv / b)));
        if (f < 1e-9) return 1;
        double r = Math.Sqrt((du * du) + (dv * dv));
        return Coverage(r / f, r, pix);
    }

    /// <summary>
    /// The body in one slice: skin fat, chest-wall muscle, breasts, thoracic cavity with mediastinal tissue, lungs with vessels,
    /// liver, stomach (fluid or gas) and spleen rising into the lower slices (with the breath hold's shift), paraspinal muscles,
    /// vertebra, spinal canal and descending aorta.
    /// </summary>
    private static void PaintBackground(PhantomParameters p, int z, IReadOnlyDictionary<Tissue, float> k, float vessel, SeededRandom detail, Span<float> output)
    {
        BodyShape body = p.Body;
        int w = p.MatrixX, h = p.MatrixY;
        double pix = p.PixelSpacingMm;
        double cos = Math.Cos(body.RotationRad), sin = Math.Sin(body.RotationRad);
        double a = body.SemiAxisXMm, b = body.SemiAxisYMm, ft = body.FatMm, mt = body.MuscleMm;
        double ca = a - ft - mt, cb = b - (0.8 * ft) - mt - 10, ccv = -6;
        double spineV = b - (0.8 * ft) - 50;
        Vec3 shift = p.SliceShiftMm[z];
        double stackLength = Math.Max(p.SliceSpacingMm * (p.SliceCount - 1), 1);
        double f = p.StackFraction(z) + (shift.Z / stackLength);
        double liverGrow = Math.Sqrt(Math.Clamp((f - body.LiverStart) / 0.6, 0, 1));
        double stomachGrow = Math.Sqrt(Math.Clamp((f - body.StomachStart) / 0.5, 0, 1));
        HeartShape heart = p.Heart;
        double t = (p.SliceZeta(z) - shift.Z - heart.Origin.Z) / heart.Axis.Z;
        double medX = heart.Origin.X + (t * heart.Axis.X) + shift.X, medY = heart.Origin.Y + (t * heart.Axis.Y) + shift.Y;
        double medR = heart.RadiusMm + heart.WallMm + (0.6 * heart.RvDepthMm) + 10;
        float fat = k[Tissue.Fat], muscle = k[Tissue.SkeletalMuscle], soft = k[Tissue.SoftTissue], lung = k[Tissue.Lung], liver = k[Tissue.Liver];
        float stomach = body.StomachGas ? 0.02f * k[Tissue.Fluid] : k[Tissue.Fluid], spleen = k[Tissue.Spleen], marrow = k[Tissue.BoneMarrow];
        float csf = k[Tissue.Csf];
        var bodyShape = new float[HeartModel.Bins + 1];
        for (int bin = 0; bin <= HeartModel.Bins; bin++) bodyShape[bin] = (float)body.Shape.Evaluate((2 * Math.PI * bin / HeartModel.Bins) - Math.PI);

        int vesselCount = detail.NextInt(8, 16);
        var vessels = new (double U, double V, double R)[vesselCount];
        for (int i = 0; i < vesselCount; i++)
        {
            double side = detail.Chance(0.5) ? 1 : -1;
            double ang = detail.Uniform(0, 2 * Math.PI), rad = Math.Sqrt(detail.NextDouble()) * 0.8;
            vessels[i] = ((side * 0.5 * ca) + (rad * 0.42 * ca * Math.Cos(ang)), (0.05 * cb) + (rad * 0.75 * cb * Math.Sin(ang)), detail.Uniform(1.0, 2.6));
        }

        for (int j = 0; j < h; j++)
        {
            double y = (j + 0.5 - (h / 2.0)) * pix;
            for (int i = 0; i < w; i++)
            {
                double x = (i + 0.5 - (w / 2.0)) * pix;
                double dx = x - body.CentreXMm, dy = y - body.CentreYMm;
                double u = (cos * dx) + (sin * dy), v = (-sin * dx) + (cos * dy);
                double shape = 1 + HeartModel.Sample(bodyShape, Math.Min(HeartModel.Position(Math.Atan2(v, u)), HeartModel.Bins - 1e-3));
                float inBody = Ellipse(u, v, 0, 0, a * shape, b * shape, pix);
                float val = 0;
                if (body.BreastMm > 0)
                {
                    float breast = Math.Max(Ellipse(u, v, 0.45 * a, -b + 4, 0.38 * a, body.BreastMm + 6, pix), Ellipse(u, v, -0.45 * a, -b + 4, 0.38 * a, body.BreastMm + 6, pix));
                    val = Lerp(val, (0.8 * fat) + (0.2 * soft), breast);
                }
                if (inBody <= 0 && val <= 0)
                {
                    output[(j * w) + i] = 0;
                    continue;
                }
                val = Lerp(val, fat, inBody);
                val = Lerp(val, muscle, Ellipse(u, v, 0, 0.1 * ft, (a - ft) * shape, (b - (0.8 * ft)) * shape, pix));
                float cavity = Ellipse(u, v, 0, ccv, ca, cb, pix);
                val = Lerp(val, soft, cavity);
                val = Lerp(val, lung, cavity * Ellipse(u, v, 0.5 * ca, 0.05 * cb, 0.47 * ca, 0.8 * cb, pix));
                val = Lerp(val, lung, cavity * Ellipse(u, v, -0.5 * ca, 0.02 * cb, 0.47 * ca, 0.82 * cb, pix));
                foreach (var (vu, vv, vr) in vessels)
                {
                    if (cavity <= 0 || Math.Abs(u - vu) > vr + pix || Math.Abs(v - vv) > vr + pix) continue;
                    double dd = Math.Sqrt(((u - vu) * (u - vu)) + ((v - vv) * (v - vv)));
                    val = Lerp(val, vessel * 0.6f, cavity * Coverage(vr, dd, pix));
                }
                double ud = u - shift.X, vd = v - shift.Y; // organs under the diaphragm move with the breath hold
                if (liverGrow > 0) val = Lerp(val, liver, cavity * Ellipse(ud, vd, -0.32 * ca, 0.2 * cb, 0.66 * ca * liverGrow, 0.82 * cb * liverGrow, pix));
                if (stomachGrow > 0)
                {
                    val = Lerp(val, spleen, cavity * Ellipse(ud, vd, 0.62 * ca, 0.45 * cb, 0.22 * ca * stomachGrow, 0.32 * cb * stomachGrow, pix));
                    val = Lerp(val, stomach, cavity * Ellipse(ud, vd, 0.35 * ca, 0.1 * cb, 0.3 * ca * stomachGrow, 0.35 * cb * stomachGrow, pix));
                }
                val = Lerp(val, muscle, Ellipse(u, v, 0, spineV + 22, 58, 30, pix));
                val = Lerp(val, marrow, Ellipse(u, v, 0, spineV, 16, 14, pix));
                val = Lerp(val, csf, Ellipse(u, v, 0, spineV + 24, 6, 6, pix));
                val = Lerp(val, vessel, Ellipse(u, v, body.AortaOffsetXMm, spineV - 20, body.AortaRadiusMm, body.AortaRadiusMm, pix));
                val = Lerp(val, soft, cavity * Ellipse(x, y, medX, medY, medR, medR, pix));
                output[(j * w) + i] = Math.Max(val, float.Epsilon);
            }
        }
    }

    /// <summary>
    /// The image formation's linear part as four real separable operators: (Y_re + i·Y_im)·M·(X_re + i·X_im)ᵀ; the imaginary
    /// parts exist only on an axis with zero-filled partial Fourier.
    /// </summary>
    private sealed class ComplexFilter
    {
        public required KSpaceTruncation XReal { get; init; }
        public required KSpaceTruncation YReal { get; init; }
        public KSpaceTruncation? XImag { get; init; }
        public KSpaceTruncation? XImagNegated { get; init; }
        public KSpaceTruncation? YImag { get; init; }
        public bool HasImaginary => XImag is not null || YImag is not null;

        public static ComplexFilter Create(PhantomParameters p)
        {
            AcquisitionSettings a = p.Acquisition;
            double blur = a.BlurSigmaMm / p.PixelSpacingMm;
            KSpaceTruncation? Imag(int n, double fraction, double pf) => pf < 1 ? new KSpaceTruncation(n, fraction, a.FilterRolloff, blur, pf, imaginary: true) : null;
            KSpaceTruncation? xi = Imag(p.MatrixX, a.AcquiredFractionX, a.PartialFourierX);
            return new ComplexFilter
            {
                XReal = new KSpaceTruncation(p.MatrixX, a.AcquiredFractionX, a.FilterRolloff, blur, a.PartialFourierX, imaginary: false),
                YReal = new KSpaceTruncation(p.MatrixY, a.AcquiredFractionY, a.FilterRolloff, blur, a.PartialFourierY, imaginary: false),
                XImag = xi,
                XImagNegated = xi?.Negated(),
                YImag = Imag(p.MatrixY, a.AcquiredFractionY, a.PartialFourierY),
            };
        }

        /// <summary>Adds (or writes, with <paramref name="clear"/>) the filtered real and imaginary images of a patch.</summary>
        public void Apply(ReadOnlySpan<float> patch, int x0, int y0, int width, int height, int stride, float[] re, float[] im, float[] scratch, bool clear)
        {
            if (clear)
            {
                Array.Clear(re);
                Array.Clear(im);
            }
            KSpaceTruncation.AddFilteredWindow(XReal, YReal, patch, stride, x0, y0, width, height, re, scratch);
            if (XImagNegated is not null && YImag is not null) KSpaceTruncation.AddFilteredWindow(XImagNegated, YImag, patch, stride, x0, y0, width, height, re, scratch);
            if (YImag is not null) KSpaceTruncation.AddFilteredWindow(XReal, YImag, patch, stride, x0, y0, width, height, im, scratch);
            if (XImag is not null) KSpaceTruncation.AddFilteredWindow(XImag, YReal, patch, stride, x0, y0, width, height, im, scratch);
        }
    }
}
