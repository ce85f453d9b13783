namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Turns <see cref="PhantomParameters"/> into a 4D cine and its labels, deterministically (the "apply" half).
/// Per slice: the static body is painted once (anti-aliased coverage of each structure's boundary gives partial
/// volume), filtered with the vendor's k-space truncation; per frame only the heart's rectangle is repainted and
/// its change is filtered and added (the filter is linear). Then the coil bias field multiplies the signal,
/// Rician noise is added (magnitude of signal plus complex Gaussian), and the vendor's scale and offset apply.
/// Labels are decided by each pixel's centre point.
/// </summary>
internal static class PhantomRenderer
{
    private const int AngleBins = 360;
    private const int NoiseTableSize = 1 << 16;
    private static readonly float[] NoiseTable = BuildNoiseTable();

    public static SyntheticSubject Render(PhantomParameters p)
    {
        int w = p.MatrixX, h = p.MatrixY, nz = p.SliceCount, nt = p.FrameCount;
        int plane = w * h;
        var image = new float[(long)plane * nz * nt];
        var labels = new byte[image.Length];
        double pix = p.PixelSpacingMm;

        var fx = new KSpaceTruncation(w, p.AcquiredFractionX, p.KSpaceRolloff, p.BlurSigmaMm / pix);
        var fy = new KSpaceTruncation(h, p.AcquiredFractionY, p.KSpaceRolloff, p.BlurSigmaMm / pix);
        (int rx0, int ry0, int rw, int rh) = HeartRectangle(p);

        var background = new float[plane];
        var filteredBackground = new float[plane];
        var bias = new float[plane];
        var frameImage = new float[plane];
        var scratch = new float[Math.Max(plane, rh * w)];
        var patch = new float[rw * rh];
        var rhoGrid = new float[rw * rh];
        var angleGrid = new float[rw * rh];
        var tables = new ContourTables(AngleBins);
        var detail = new SeededRandom(p.DetailSeed);
        BodyBase body = BodyBase.Create(p);

        for (int z = 0; z < nz; z++)
        {
            double s = p.SlicePosition(z);
            PaintBackground(p, z, body, detail.Fork(), background);
            KSpaceTruncation.FilterImage(fx, fy, background, filteredBackground, scratch);
            BiasField(p, z, bias);
            var edTables = EdContours(p, s);
            bool heartPresent = edTables.Present;
            PolarGrid(p, z, rx0, ry0, rw, rh, rhoGrid, angleGrid);

            for (int t = 0; t < nt; t++)
            {
                double phase = (((t - p.Info.EdFrame) % nt) + nt) % nt / (double)nt;
                double c = CardiacCycle.Contraction(phase, p.EsPhase);
                filteredBackground.CopyTo(frameImage, 0);
                Span<byte> frameLabels = labels.AsSpan(((t * nz) + z) * plane, plane);
                if (heartPresent)
                {
                    tables.Update(edTables, p, c);
                    PaintHeart(p, z, c, tables, background, rhoGrid, angleGrid, patch, rx0, ry0, rw, rh, frameLabels);
                    // Only the rows and columns where the heart changed the image need filtering (the rest of the patch is 0).
                    (int r0, int q0, int ch, int cw) = NonZeroWindow(patch, rw, rh);
                    if (ch > 0)
                    {
                        KSpaceTruncation.AddFilteredWindow(fx, fy, patch.AsSpan((r0 * rw) + q0), rw, rx0 + q0, ry0 + r0, cw, ch, frameImage, scratch);
                    }
                }
                var noise = new SeededRandom(p.NoiseSeed ^ ((ulong)((t * nz) + z) * 0x9E3779B97F4A7C15UL));
                Finish(p, frameImage, bias, noise, image.AsSpan(((t * nz) + z) * plane, plane));
            }
        }
        return new SyntheticSubject(p.Info, w, h, nz, nt, p.PixelSpacingMm, p.SliceThicknessMm, image, labels);
    }

    /// <summary>
    /// Bounding rectangle (pixels) of the heart and its epicardial fat over all slices and frames: every contour is
    /// largest at end diastole (endocardium scaled down, epicardium from constant area, RV depth scaled down).
    /// </summary>
    private static (int X0, int Y0, int Width, int Height) HeartRectangle(PhantomParameters p)
    {
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        var tables = new ContourTables(AngleBins);
        for (int z = 0; z < p.SliceCount; z++)
        {
            double s = p.SlicePosition(z);
            EdSlice ed = EdContours(p, s);
            if (!ed.Present)
            {
                continue;
            }
            tables.Update(ed, p, 0);
            var (cx, cy) = p.LvCentre(z);
            for (int b = 0; b < AngleBins; b++)
            {
                double theta = (2 * Math.PI * b / AngleBins) - Math.PI;
                double radius = tables.Fat[b];
                minX = Math.Min(minX, cx + (radius * Math.Cos(theta)));
                maxX = Math.Max(maxX, cx + (radius * Math.Cos(theta)));
                minY = Math.Min(minY, cy + (radius * Math.Sin(theta)));
                maxY = Math.Max(maxY, cy + (radius * Math.Sin(theta)));
            }
        }
        if (minX > maxX)
        {
            return (0, 0, 1, 1);
        }
        double margin = 3 * p.PixelSpacingMm; // anti-aliased edge, linear interpolation between angle bins
        int x0 = Math.Clamp((int)Math.Floor(((minX - margin) / p.PixelSpacingMm) + (p.MatrixX / 2.0)), 0, p.MatrixX - 1);
        int x1 = Math.Clamp((int)Math.Ceiling(((maxX + margin) / p.PixelSpacingMm) + (p.MatrixX / 2.0)), x0 + 1, p.MatrixX);
        int y0 = Math.Clamp((int)Math.Floor(((minY - margin) / p.PixelSpacingMm) + (p.MatrixY / 2.0)), 0, p.MatrixY - 1);
        int y1 = Math.Clamp((int)Math.Ceiling(((maxY + margin) / p.PixelSpacingMm) + (p.MatrixY / 2.0)), y0 + 1, p.MatrixY);
        return (x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>Smallest window (first row, first column, height, width) holding every non-zero value of a row-major patch; height 0 when all are zero.</summary>
    private static (int Row, int Column, int Height, int Width) NonZeroWindow(ReadOnlySpan<float> patch, int width, int height)
    {
        int r0 = height, r1 = -1, q0 = width, q1 = -1;
        for (int r = 0; r < height; r++)
        {
            ReadOnlySpan<float> row = patch.Slice(r * width, width);
            int first = row.IndexOfAnyExcept(0f);
            if (first < 0)
            {
                continue;
            }
            int last = row.LastIndexOfAnyExcept(0f);
            r0 = Math.Min(r0, r);
            r1 = r;
            q0 = Math.Min(q0, first);
            q1 = Math.Max(q1, last);
        }
        return r1 < 0 ? (0, 0, 0, 0) : (r0, q0, r1 - r0 + 1, q1 - q0 + 1);
    }

    private static float Coverage(double boundary, double distance, double pix)
        => (float)Math.Clamp(0.5 + ((boundary - distance) / pix), 0, 1);

    private static float Lerp(float under, double over, float alpha) => under + (alpha * ((float)over - under));

    /// <summary>Coverage of an ellipse (centre, semi-axes) by a pixel at (u, v): distance to the boundary along the ray from the centre.</summary>
    private static float Ellipse(double u, double v, double cu, double cv, double a, double b, double pix)
    {
        if (a <= 0 || b <= 0)
        {
            return 0;
        }
        double du = u - cu, dv = v - cv;
        if (Math.Abs(du) > a + pix || Math.Abs(dv) > b + pix)
        {
            return 0;
        }
        double f = Math.Sqrt(((du / a) * (du / a)) + ((dv / b) * (dv / b)));
        if (f < 1e-9)
        {
            return 1;
        }
        double r = Math.Sqrt((du * du) + (dv * dv));
        return Coverage(r / f, r, pix);
    }

    private static void PaintBackground(PhantomParameters p, int z, BodyBase body, SeededRandom detail, Span<float> output)
    {
        double s = p.SlicePosition(z);
        int w = p.MatrixX, h = p.MatrixY;
        double pix = p.PixelSpacingMm;
        TissueContrast k = p.Contrast;
        double b = p.BodySemiAxisYMm, ft = p.FatThicknessMm;
        double ca = p.BodySemiAxisXMm - ft - p.MuscleThicknessMm, cb = b - (0.8 * ft) - p.MuscleThicknessMm - 10;
        double spineV = b - (0.8 * ft) - 50;
        double liverGrow = Math.Sqrt(Math.Clamp((s - p.LiverStartS) / 0.6, 0, 1));
        double mediastinumR = MaxHeartExtent(p, s) + 6;
        double towardsRv = 0.35 * p.RvDepthMm * p.RvProfile(s);
        var (lvX, lvY) = p.LvCentre(z);
        double medCx = lvX + (towardsRv * Math.Cos(p.RvAxisRad));
        double medCy = lvY + (towardsRv * Math.Sin(p.RvAxisRad));

        // Small vessels in the lungs (bright dots), different in every slice.
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
                int index = (j * w) + i;
                float val = body.Value[index];
                if (val == 0)
                {
                    output[index] = 0;
                    continue;
                }
                double x = (i + 0.5 - (w / 2.0)) * pix;
                double u = body.U[index], v = body.V[index];
                float cavity = body.Cavity[index];
                foreach (var (vu, vv, vr) in vessels)
                {
                    if (cavity <= 0 || Math.Abs(u - vu) > vr + pix || Math.Abs(v - vv) > vr + pix)
                    {
                        continue;
                    }
                    double dd = Math.Sqrt(((u - vu) * (u - vu)) + ((v - vv) * (v - vv)));
                    val = Lerp(val, 0.45, cavity * Coverage(vr, dd, pix));
                }
                if (liverGrow > 0)
                {
                    val = Lerp(val, k.Liver, cavity * Ellipse(u, v, -0.32 * ca, 0.2 * cb, 0.66 * ca * liverGrow, 0.82 * cb * liverGrow, pix));
                }
                val = Lerp(val, k.Muscle, Ellipse(u, v, 0, spineV + 22, 58, 30, pix));
                val = Lerp(val, 0.5 * (k.Fat + k.SoftTissue), Ellipse(u, v, 0, spineV, 16, 14, pix));
                val = Lerp(val, 0.9, Ellipse(u, v, 0, spineV + 24, 6, 6, pix));
                val = Lerp(val, 0.92, Ellipse(u, v, p.AortaOffsetXMm, spineV - 20, p.AortaRadiusMm, p.AortaRadiusMm, pix));
                if (mediastinumR > 6)
                {
                    val = Lerp(val, k.SoftTissue, Ellipse(x, y, medCx, medCy, mediastinumR, mediastinumR, pix));
                }
                output[index] = val;
            }
        }
    }

    /// <summary>The layers of the body that are the same in every slice: skin fat, muscle, thoracic cavity and lungs.</summary>
    private sealed class BodyBase
    {
        private BodyBase(int n)
        {
            Value = new float[n];
            Cavity = new float[n];
            U = new float[n];
            V = new float[n];
        }

        public float[] Value { get; }
        public float[] Cavity { get; }
        public float[] U { get; }
        public float[] V { get; }

        public static BodyBase Create(PhantomParameters p)
        {
            int w = p.MatrixX, h = p.MatrixY;
            var body = new BodyBase(w * h);
            double pix = p.PixelSpacingMm;
            TissueContrast k = p.Contrast;
            double cos = Math.Cos(p.BodyRotationRad), sin = Math.Sin(p.BodyRotationRad);
            double a = p.BodySemiAxisXMm, b = p.BodySemiAxisYMm, ft = p.FatThicknessMm, mt = p.MuscleThicknessMm;
            double ca = a - ft - mt, cb = b - (0.8 * ft) - mt - 10, ccv = -6;
            double binsPerRad = AngleBins / (2 * Math.PI);
            var bodyShape = new float[AngleBins + 1];
            for (int bin = 0; bin <= AngleBins; bin++)
            {
                bodyShape[bin] = (float)p.BodyShape.Evaluate((2 * Math.PI * bin / AngleBins) - Math.PI);
            }
            for (int j = 0; j < h; j++)
            {
                double y = (j + 0.5 - (h / 2.0)) * pix;
                for (int i = 0; i < w; i++)
                {
                    int index = (j * w) + i;
                    double x = (i + 0.5 - (w / 2.0)) * pix;
                    double dx = x - p.BodyCentreXMm, dy = y - p.BodyCentreYMm;
                    double u = (cos * dx) + (sin * dy), v = (-sin * dx) + (cos * dy);
                    body.U[index] = (float)u;
                    body.V[index] = (float)v;
                    double shape = 1 + Sample(bodyShape, (Math.Atan2(v, u) + Math.PI) * binsPerRad);
                    float alphaBody = Ellipse(u, v, 0, 0, a * shape, b * shape, pix);
                    if (alphaBody <= 0)
                    {
                        continue;
                    }
                    float val = Lerp(0, k.Fat, alphaBody);
                    val = Lerp(val, k.Muscle, Ellipse(u, v, 0, 0.1 * ft, (a - ft) * shape, (b - (0.8 * ft)) * shape, pix));
                    float cavity = Ellipse(u, v, 0, ccv, ca, cb, pix);
                    val = Lerp(val, k.SoftTissue, cavity);
                    val = Lerp(val, k.Lung, cavity * Ellipse(u, v, 0.5 * ca, 0.05 * cb, 0.47 * ca, 0.8 * cb, pix));
                    val = Lerp(val, k.Lung, cavity * Ellipse(u, v, -0.5 * ca, 0.02 * cb, 0.47 * ca, 0.82 * cb, pix));
                    body.Value[index] = Math.Max(val, float.Epsilon); // 0 marks "outside the body"
                    body.Cavity[index] = cavity;
                }
            }
            return body;
        }
    }

    private static double MaxHeartExtent(PhantomParameters p, double s)
    {
        double endo = p.LvRadiusMm * PhantomParameters.EndoProfile(s);
        double wall = s <= 1 ? p.WallThicknessAt(s) : s < 1 + p.ApexCapS ? p.WallThicknessAt(1) : 0;
        return wall <= 0 ? 0 : endo + wall + (0.6 * p.RvDepthMm * p.RvProfile(s));
    }

    /// <summary>End-diastolic contours of one slice over AngleBins angles.</summary>
    private sealed class EdSlice(int bins)
    {
        public double[] Endo { get; } = new double[bins];
        public double[] MyoAreaTerm { get; } = new double[bins];
        public double[] RvDepth { get; } = new double[bins];
        public double[] Fat { get; } = new double[bins];
        public bool Present { get; set; }
    }

    private static EdSlice EdContours(PhantomParameters p, double s)
    {
        var ed = new EdSlice(AngleBins);
        double profile = PhantomParameters.EndoProfile(s);
        double cap = p.ApexCapS;
        for (int bin = 0; bin < AngleBins; bin++)
        {
            double theta = (2 * Math.PI * bin / AngleBins) - Math.PI;
            double wallShape = 1 + p.WallShape.Evaluate(theta);
            double endo = p.LvRadiusMm * profile * (1 + p.EndoShape.Evaluate(theta));
            double epi;
            if (s <= 1)
            {
                double bump = p.RvBump(theta);
                epi = endo + (p.WallThicknessAt(s) * wallShape) + (p.SeptalExtraMm * bump * bump * Math.Clamp(1.2 - s, 0, 1));
            }
            else if (s < 1 + cap)
            {
                double q = (s - 1) / cap;
                epi = p.WallThicknessAt(1) * wallShape * Math.Sqrt(1 - (q * q));
            }
            else
            {
                epi = 0;
            }
            ed.Endo[bin] = endo;
            ed.MyoAreaTerm[bin] = (epi * epi) - (endo * endo);
            ed.RvDepth[bin] = epi > 0 ? p.RvDepthMm * p.RvProfile(s) * p.RvBump(theta) * (1 + p.RvShape.Evaluate(theta)) : 0;
            ed.Fat[bin] = epi > 0 ? p.EpicardialFatMm * Math.Max(0, 0.6 + p.FatShape.Evaluate(theta)) : 0;
            ed.Present |= epi > 0;
        }
        return ed;
    }

    /// <summary>Contours at one frame: endocardium scaled by √(LV volume ratio), epicardium from myocardial area conservation.</summary>
    private sealed class ContourTables(int bins)
    {
        public float[] Endo { get; } = new float[bins + 1];
        public float[] Epi { get; } = new float[bins + 1];
        public float[] Rv { get; } = new float[bins + 1];
        public float[] RvWall { get; } = new float[bins + 1];
        public float[] Fat { get; } = new float[bins + 1];
        public float[] RvDepth { get; } = new float[bins + 1];
        public float MaxFat { get; private set; }

        public void Update(EdSlice ed, PhantomParameters p, double contraction)
        {
            double lvScale = Math.Sqrt(1 - (p.Info.TargetEjectionFraction * contraction));
            double rvScale = Math.Pow(1 - (p.RvEjectionFraction * contraction), 0.55);
            int n = Endo.Length - 1;
            MaxFat = 0;
            for (int b = 0; b <= n; b++)
            {
                int src = b % n;
                double endo = ed.Endo[src] * lvScale;
                double epi = Math.Sqrt((endo * endo) + ed.MyoAreaTerm[src]);
                double depth = ed.RvDepth[src] * rvScale;
                double rv = epi + depth;
                double wall = rv + (p.RvWallMm * Math.Clamp(depth / 4.0, 0, 1));
                Endo[b] = (float)endo;
                Epi[b] = (float)epi;
                RvDepth[b] = (float)depth;
                Rv[b] = (float)rv;
                RvWall[b] = (float)wall;
                Fat[b] = (float)(wall + ed.Fat[src]);
                MaxFat = Math.Max(MaxFat, Fat[b]);
            }
        }
    }

    private static float Sample(float[] table, double position)
    {
        position = Math.Clamp(position, 0, table.Length - 1.000001);
        int i = (int)position;
        float f = (float)(position - i);
        return table[i] + (f * (table[i + 1] - table[i]));
    }

    /// <summary>Polar coordinates (distance in mm, angle-bin position) of every pixel of the heart rectangle about the LV centre of slice <paramref name="z"/>: the same in every frame.</summary>
    private static void PolarGrid(PhantomParameters p, int z, int x0, int y0, int rw, int rh, Span<float> rho, Span<float> angle)
    {
        int w = p.MatrixX, h = p.MatrixY;
        double pix = p.PixelSpacingMm;
        var (cx, cy) = p.LvCentre(z);
        double binsPerRad = AngleBins / (2 * Math.PI);
        for (int r = 0; r < rh; r++)
        {
            double dy = ((y0 + r + 0.5 - (h / 2.0)) * pix) - cy;
            for (int q = 0; q < rw; q++)
            {
                double dx = ((x0 + q + 0.5 - (w / 2.0)) * pix) - cx;
                rho[(r * rw) + q] = (float)Math.Sqrt((dx * dx) + (dy * dy));
                angle[(r * rw) + q] = (float)Math.Clamp((Math.Atan2(dy, dx) + Math.PI) * binsPerRad, 0, AngleBins - 1e-3);
            }
        }
    }

    private static void PaintHeart(PhantomParameters p, int z, double contraction, ContourTables tab, ReadOnlySpan<float> background,
        ReadOnlySpan<float> rhoGrid, ReadOnlySpan<float> angleGrid, Span<float> patch, int x0, int y0, int rw, int rh, Span<byte> labels)
    {
        int w = p.MatrixX, h = p.MatrixY;
        double pix = p.PixelSpacingMm;
        double myo = p.Contrast.Myocardium, fat = p.Contrast.Fat, rvBlood = p.RvBloodSignal;
        double s = p.SlicePosition(z);
        var (cx, cy) = p.LvCentre(z);
        double binsPerRad = AngleBins / (2 * Math.PI);

        // Papillary muscles and trabeculae present in this slice, as circles in image mm.
        var blobs = new List<(double X, double Y, double R)>();
        foreach (InnerBlob blob in p.Blobs)
        {
            if (s < blob.FirstS || s > blob.LastS)
            {
                continue;
            }
            double pos = (Math.IEEERemainder(blob.AngleRad, 2 * Math.PI) + Math.PI) * binsPerRad;
            double endo = Sample(tab.Endo, Math.Clamp(pos, 0, AngleBins - 1e-6));
            double radius = blob.RadiusMm * (1 + (0.35 * contraction));
            double centre = Math.Max(0, endo - (radius * blob.InsetFraction));
            if (endo > radius)
            {
                blobs.Add((cx + (centre * Math.Cos(blob.AngleRad)), cy + (centre * Math.Sin(blob.AngleRad)), radius));
            }
        }

        for (int r = 0; r < rh; r++)
        {
            int j = y0 + r;
            double y = (j + 0.5 - (h / 2.0)) * pix;
            for (int q = 0; q < rw; q++)
            {
                int i = x0 + q;
                double x = (i + 0.5 - (w / 2.0)) * pix;
                double rho = rhoGrid[(r * rw) + q];
                if (rho >= tab.MaxFat + pix)
                {
                    labels[(j * w) + i] = 0;
                    patch[(r * rw) + q] = 0;
                    continue;
                }
                double pos = angleGrid[(r * rw) + q];
                float under = background[(j * w) + i];
                float val = under;
                float fatR = Sample(tab.Fat, pos);
                byte label = 0;
                if (rho < fatR + pix)
                {
                    float endo = Sample(tab.Endo, pos), epi = Sample(tab.Epi, pos), rv = Sample(tab.Rv, pos);
                    val = Lerp(val, fat, Coverage(fatR, rho, pix));
                    val = Lerp(val, myo, Coverage(Sample(tab.RvWall, pos), rho, pix));
                    val = Lerp(val, rvBlood, Coverage(rv, rho, pix));
                    val = Lerp(val, myo, Coverage(epi, rho, pix));
                    val = Lerp(val, 1.0, Coverage(endo, rho, pix));
                    foreach (var (bx, by, br) in blobs)
                    {
                        double d = Math.Sqrt(((x - bx) * (x - bx)) + ((y - by) * (y - by)));
                        if (d < br + pix)
                        {
                            val = Lerp(val, myo, Coverage(br, d, pix));
                        }
                    }
                    label = rho < endo ? (byte)1 : rho < epi ? (byte)2 : (rho < rv && Sample(tab.RvDepth, pos) > 0.5f) ? (byte)3 : (byte)0;
                }
                labels[(j * w) + i] = label;
                patch[(r * rw) + q] = val - under;
            }
        }
    }

    private static void BiasField(PhantomParameters p, int z, Span<float> bias)
    {
        int w = p.MatrixX, h = p.MatrixY;
        double[] c = p.BiasCoefficients;
        double zn = p.SliceCount > 1 ? ((2.0 * z) / (p.SliceCount - 1)) - 1 : 0;
        for (int j = 0; j < h; j++)
        {
            double yn = ((2.0 * (j + 0.5)) / h) - 1;
            for (int i = 0; i < w; i++)
            {
                double xn = ((2.0 * (i + 0.5)) / w) - 1;
                double log = (c[0] * xn) + (c[1] * yn) + (0.5 * c[2] * ((xn * xn) - (1.0 / 3))) + (0.5 * c[3] * ((yn * yn) - (1.0 / 3)))
                    + (0.5 * c[4] * xn * yn) + (0.3 * c[5] * zn) - (p.AnteriorCoilGradient * yn);
                float banding = 1;
                if (p.Banding.Depth > 0)
                {
                    // bSSFP signal collapses where the off-resonance phase per TR reaches ±π.
                    double bx = xn - p.Banding.CentreX, by = yn - p.Banding.CentreY;
                    double phase = (2 * Math.PI * p.Banding.Cycles * ((bx * bx) + (by * by))) + p.Banding.Offset;
                    banding = (float)(1 - (p.Banding.Depth * Math.Exp(-(1 + Math.Cos(phase)) / p.Banding.Width)));
                }
                bias[(j * w) + i] = (float)Math.Exp(log) * banding;
            }
        }
    }

    private static void Finish(PhantomParameters p, ReadOnlySpan<float> signal, ReadOnlySpan<float> bias, SeededRandom noise, Span<float> output)
    {
        float sigma = (float)p.NoiseSigma, scale = (float)p.IntensityScale, offset = (float)p.IntensityOffset;
        float[] table = NoiseTable;
        int n = signal.Length;
        int i = 0;
        while (i < n)
        {
            ulong bits = noise.NextUInt64();
            for (int k = 0; k < 2 && i < n; k++, i++)
            {
                float re = (signal[i] * bias[i]) + (sigma * table[(int)(bits & 0xFFFF)]);
                float im = sigma * table[(int)((bits >> 16) & 0xFFFF)];
                bits >>= 32;
                output[i] = MathF.Round(Math.Min((scale * MathF.Sqrt((re * re) + (im * im))) + offset, short.MaxValue)); // stored as int16
            }
        }
    }

    private static float[] BuildNoiseTable()
    {
        var r = new SeededRandom(0x4E4F495345UL);
        var table = new float[NoiseTableSize];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = (float)r.Normal();
        }
        return table;
    }
}
