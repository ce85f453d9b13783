namespace MLCardiac.Data.Synthetic;

/// <summary>Signals (fraction of M0) of the tissues painted in the heart at one slice and frame.</summary>
internal struct HeartSignals
{
    public float Myocardium, Fat, Fluid, LvBlood, RvBlood, AtrialBlood, VesselBlood;
}

/// <summary>
/// The heart of one subject as a function of position and cardiac phase, in the heart frame: height h along the long axis
/// (from the LV base at end diastole), in-plane offset (q1, q2) and its polar form (ρ, θ). The LV is a truncated ellipsoid
/// (radius a·√(1−s²), s = 0 base … 1 endocardial apex, with a low-order Fourier outline) inside a wall of regional
/// thickness (free-wall thickness × (1 − 0.35 s) × a Fourier factor, plus asymmetric septal hypertrophy, thinned in an
/// infarct), closed by an apical cap. Systole: the base descends towards the fixed apex by MAPSE·c(t) (through-plane motion:
/// a basal slice shows atrium at end systole), the cavity shrinks radially by √(1 − γ·w(θ)·c) with w &lt; 1 in an infarct
/// (hypokinesis), and the myocardium keeps its volume (area × the long-axis stretch conserved per angle, so it thickens).
/// The RV is a crescent on the epicardium between two insertion points (asymmetric spans), of varying depth, from the
/// tricuspid plane to short of the LV apex, with a thin free wall; its outflow tract rises above the base to the
/// pulmonary valve. At the base, the LV outflow tract opens the anteroseptal wall towards the aortic root; atria and great
/// vessels lie above. Papillary muscles, trabeculae and the non-compacted layer of LVNC have myocardial signal and the LV
/// blood-pool label, as M&amp;Ms and ACDC annotate them.
/// </summary>
internal sealed class HeartModel
{
    public const int Bins = 360;
    private const double BinsPerRad = Bins / (2 * Math.PI);

    private readonly HeartShape _h;
    private readonly float[] _endoAng = new float[Bins + 1], _wallAng = new float[Bins + 1], _sept = new float[Bins + 1];
    private readonly float[] _rvAng = new float[Bins + 1], _fatAng = new float[Bins + 1], _weight = new float[Bins + 1];
    private readonly float[] _ncAng = new float[Bins + 1], _lvotAng = new float[Bins + 1];
    private readonly float[] _lvScale = new float[Bins + 1];
    private readonly (double Cos, double Sin, double Angular, double Weight)[] _blobDirections;
    private double _delta, _lt, _stretch, _rvScale, _contraction, _flowVoid;

    public HeartModel(HeartShape heart)
    {
        _h = heart;
        for (int b = 0; b <= Bins; b++)
        {
            double theta = (b / BinsPerRad) - Math.PI;
            double rvBump = RvBump(theta);
            _endoAng[b] = (float)(1 + heart.EndoShape.Evaluate(theta));
            double infarct = heart.Infarct.HalfWidthRad > 0 ? SmoothSector(theta, heart.Infarct.AngleRad, heart.Infarct.HalfWidthRad) : 0;
            _wallAng[b] = (float)((1 + heart.WallShape.Evaluate(theta)) * (1 - ((1 - heart.Infarct.Thinning) * infarct)));
            double septal = SmoothSector(theta, heart.SeptumAngleRad, 1.1);
            _sept[b] = (float)((heart.SeptalRatio - 1) * septal);
            _rvAng[b] = (float)(rvBump * (1 + heart.RvShape.Evaluate(theta)));
            _fatAng[b] = (float)(heart.EpicardialFatMm * Math.Max(0, 0.6 + heart.FatShape.Evaluate(theta) + (0.6 * rvBump)));
            _weight[b] = (float)(1 - ((1 - heart.Infarct.Kinesis) * infarct));
            _ncAng[b] = heart.NonCompactionRatio > 0 ? (float)SmoothSector(theta, heart.NonCompactionAngleRad, 1.6) : 0;
            _lvotAng[b] = (float)SmoothSector(theta, heart.LvotAngleRad, heart.LvotHalfWidthRad);
        }
        _blobDirections = [.. heart.Blobs.Select(bl => (Math.Cos(bl.AngleRad), Math.Sin(bl.AngleRad), Sample(_endoAng, Position(bl.AngleRad)), 0.0))];
        SetFrame(0, 0);
    }

    public HeartShape Shape => _h;

    /// <summary>The angle-bin position of θ, [0, Bins).</summary>
    public static double Position(double theta) => (Math.IEEERemainder(theta, 2 * Math.PI) + Math.PI) * BinsPerRad;

    /// <summary>Sets the cardiac phase: contraction c (0 at ED, 1 at ES) and the normalised ejection rate (flow).</summary>
    public void SetFrame(double contraction, double ejectionRate)
    {
        _contraction = contraction;
        _delta = _h.MapseMm * contraction;
        _lt = _h.LengthMm - _delta;
        _stretch = _h.LengthMm / _lt;
        _rvScale = Math.Pow(Math.Max(1e-3, 1 - (_h.GammaRv * contraction)), 0.6);
        for (int b = 0; b <= Bins; b++)
        {
            _lvScale[b] = (float)Math.Sqrt(Math.Max(1e-4, 1 - (_h.Gamma * _weight[b] * contraction)));
        }
        for (int i = 0; i < _blobDirections.Length; i++)
        {
            var d = _blobDirections[i];
            _blobDirections[i] = (d.Cos, d.Sin, d.Angular, Sample(_lvScale, Position(_h.Blobs[i].AngleRad)));
        }
        _flowVoid = _h.OutflowFlowVoid ? _h.FlowVoidDepth * Math.Clamp((ejectionRate - 0.3) / 0.5, 0, 1) : 0;
    }

    /// <summary>The frame-independent angular factors at angle-bin position <paramref name="pos"/>.</summary>
    public void AngularFactors(double pos, out float endo, out float wall, out float sept, out float rv, out float fat, out float weight, out float lvot, out float nc)
    {
        endo = (float)Sample(_endoAng, pos);
        wall = (float)Sample(_wallAng, pos);
        sept = (float)Sample(_sept, pos);
        rv = (float)Sample(_rvAng, pos);
        fat = (float)Sample(_fatAng, pos);
        weight = (float)Sample(_weight, pos);
        lvot = (float)Sample(_lvotAng, pos);
        nc = (float)Sample(_ncAng, pos);
    }

    /// <summary>Largest in-plane distance from the axis the ventricles reach (any phase), mm.</summary>
    public double VentricleExtentMm()
    {
        double max = 0;
        for (int b = 0; b <= Bins; b++)
        {
            double wall = _h.WallMm * (_wallAng[b] + _sept[b]) * 1.1;
            max = Math.Max(max, (_h.RadiusMm * _endoAng[b]) + wall + (_h.RvDepthMm * _rvAng[b]) + _h.RvWallMm + (1.8 * _fatAng[b]) + _h.EffusionMm);
        }
        return max + 3;
    }

    /// <summary>Largest in-plane distance from the axis any painted structure reaches (atria and great vessels included), mm.</summary>
    public double MaxExtentMm()
    {
        double blobs = new[] { _h.AorticRoot, _h.LeftAtrium, _h.RightAtrium }.Max(b => b.OffsetMm + b.RadiusMm);
        double rvot = _h.RadiusMm + _h.WallMm + (1.7 * _h.RvotRadiusMm);
        return Math.Max(VentricleExtentMm(), Math.Max(blobs, rvot) + 3);
    }

    /// <summary>Height along the axis above which (towards the apex) only the ventricles are painted, mm.</summary>
    public double BasalLimitMm => ((_h.LvotTopS + 0.12) * _h.LengthMm) + 2;

    /// <summary>
    /// The label (0–3) of a point, and with <paramref name="paint"/> its signal painted over <paramref name="value"/> (the
    /// background), with anti-aliased coverage over <paramref name="pixMm"/> at every boundary.
    /// </summary>
    public byte Evaluate(HeartGrid g, int k, double pixMm, in HeartSignals s, bool paint, ref float value)
    {
        double h = g.H[k], q1 = g.Q1[k], q2 = g.Q2[k], rho = g.Rho[k];
        double sPos = (h - _delta) / _lt;
        float val = value;
        byte label = 0;
        double endoAng = g.EndoAng[k];
        double endo = 0, epi = 0, endoEd = 0;
        bool ventricle = sPos >= 0;

        // LV myocardium and cavity.
        if (ventricle && h < _h.LengthMm + (_h.WallMm * _h.SeptalRatio * 1.5))
        {
            double sc = Math.Min(sPos, 1);
            double wall = _h.WallMm * (((1 - (0.35 * sc)) * g.WallAng[k]) + (g.Sept[k] * Math.Clamp(1.1 - sc, 0, 1)));
            if (sPos < 1)
            {
                endoEd = _h.RadiusMm * Math.Sqrt(1 - (sPos * sPos)) * endoAng;
                endo = endoEd * Math.Sqrt(Math.Max(1e-4, 1 - (_h.Gamma * g.Weight[k] * _contraction)));
                double epiEd = endoEd + wall;
                epi = Math.Sqrt((endo * endo) + (((epiEd * epiEd) - (endoEd * endoEd)) * _stretch));
            }
            else
            {
                double dh = h - _h.LengthMm; // the apex stays put
                double capWall = wall * Math.Sqrt(_stretch);
                epi = dh < capWall ? capWall * Math.Sqrt(1 - ((dh / capWall) * (dh / capWall))) : 0;
            }
            if (sPos < _h.LvotTopS)
            {
                // The outflow tract: the anteroseptal wall gives way to blood continuous with the aortic root.
                double open = g.Lvot[k] * Math.Clamp((_h.LvotTopS - sPos) / (0.5 * _h.LvotTopS), 0, 1);
                endo += open * (epi - endo);
            }
        }

        // RV crescent, free wall, outflow tract.
        double rvDepth = 0, rvOuter = 0, rvWallOuter = 0;
        if (epi > 0 && sPos >= _h.TricuspidS && sPos < _h.RvLengthFraction)
        {
            double u = (sPos - _h.TricuspidS) / (_h.RvLengthFraction - _h.TricuspidS);
            rvDepth = _h.RvDepthMm * Math.Sqrt(1 - (u * u)) * g.RvAng[k] * _rvScale;
            rvOuter = epi + rvDepth;
            rvWallOuter = rvOuter + (_h.RvWallMm * Math.Clamp(rvDepth / 4, 0, 1));
        }
        double outer = Math.Max(epi, rvWallOuter);
        if (outer > 0)
        {
            double eff = outer + _h.EffusionMm;
            double fat = eff + (g.FatAng[k] * (sPos < 0.15 ? 1.8 : 1.0));
            if (paint)
            {
                val = Lerp(val, s.Fat, Coverage(fat, rho, pixMm));
                if (_h.EffusionMm > 0) val = Lerp(val, s.Fluid, Coverage(eff, rho, pixMm));
                if (rvDepth > 0)
                {
                    val = Lerp(val, s.Myocardium, Coverage(rvWallOuter, rho, pixMm));
                    val = Lerp(val, s.RvBlood, Coverage(rvOuter, rho, pixMm));
                }
                val = Lerp(val, s.Myocardium, Coverage(epi, rho, pixMm));
                if (endo > 0)
                {
                    float blood = s.LvBlood;
                    if (_flowVoid > 0 && sPos < 0.3 && rho < endo)
                    {
                        // Systolic dephasing jet along the outflow tract (turbulence, LVOT obstruction).
                        double along = g.Lvot[k];
                        blood *= (float)(1 - (_flowVoid * along * Math.Clamp((0.3 - sPos) / 0.15, 0, 1)));
                    }
                    val = Lerp(val, blood, Coverage(endo, rho, pixMm));
                }
            }
            if (rho < endo && sPos < 1)
            {
                label = 1;
            }
            else if (rho < epi)
            {
                label = 2;
            }
            else if (rvDepth > 0.5 && rho < rvOuter)
            {
                label = 3;
            }
        }

        // Inside the cavity: papillary muscles, trabeculae, the non-compacted layer (blood-pool label, myocardial signal).
        if (paint && endo > 0 && rho < endo + pixMm && sPos < 1)
        {
            for (int i = 0; i < _blobDirections.Length; i++)
            {
                InnerBlob blob = _h.Blobs[i];
                if (sPos < blob.FirstS || sPos > blob.LastS) continue;
                var d = _blobDirections[i];
                double bEndo = _h.RadiusMm * Math.Sqrt(1 - (sPos * sPos)) * d.Angular * d.Weight;
                double radius = blob.RadiusMm * (1 + (0.35 * _contraction));
                if (bEndo <= radius) continue;
                // Far from the blob's ray (perpendicular distance), or behind the axis: outside.
                if (Math.Abs((q1 * d.Sin) - (q2 * d.Cos)) > radius + pixMm || (q1 * d.Cos) + (q2 * d.Sin) < 0) continue;
                double centre = bEndo - (radius * blob.InsetFraction);
                double dx = q1 - (centre * d.Cos), dy = q2 - (centre * d.Sin);
                double dist2 = (dx * dx) + (dy * dy);
                if (dist2 < (radius + pixMm) * (radius + pixMm))
                {
                    val = Lerp(val, s.Myocardium, Coverage(radius, Math.Sqrt(dist2), pixMm));
                }
            }
            if (_h.NonCompactionRatio > 0 && sPos > 0.3)
            {
                double region = g.Nc[k] * Math.Clamp((sPos - 0.3) / 0.2, 0, 1);
                double compact = epi - endo;
                double layer = Math.Min(_h.NonCompactionRatio * compact * region, 0.6 * endo);
                if (layer > 0.5 && rho > endo - layer)
                {
                    var (a, b, c) = _h.TextureSeeds;
                    double theta = (g.Pos[k] / BinsPerRad) - Math.PI;
                    double tex = (Math.Sin((9 * theta) + a) * Math.Sin((h / 3.2) + b)) + (0.6 * Math.Sin((17 * theta) + (h / 4.5) + c));
                    double depth = (rho - (endo - layer)) / layer; // 0 inner edge … 1 compact wall
                    if (tex + (0.9 * depth) > 0.75) val = Lerp(val, s.Myocardium, (float)Math.Clamp(0.5 + ((tex + (0.9 * depth) - 0.75) * 2), 0, 1));
                }
            }
        }

        // Above and at the base: atria, aortic root, RV outflow tract and pulmonary trunk.
        if (sPos < _h.LvotTopS + 0.1)
        {
            float rvot = BlobCoverage(h - _delta, q1, q2, _h.RvotAngleRad, _h.RadiusMm + _h.WallMm + (0.7 * _h.RvotRadiusMm), _h.RvotRadiusMm,
                lowH: ((_h.PulmonaryValveS - 0.35) * _lt), highH: (_h.TricuspidS + 0.15) * _lt, pixMm);
            if (rvot > 0 && rho >= epi)
            {
                if (paint) val = Lerp(val, sPos < _h.PulmonaryValveS ? s.VesselBlood : s.RvBlood, rvot);
                if (rvot >= 0.5 && sPos >= _h.PulmonaryValveS && label == 0) label = 3;
            }
            if (paint && sPos < 0.05)
            {
                val = Lerp(val, s.AtrialBlood, Ellipsoid(h - _delta, q1, q2, _h.LeftAtrium, pixMm) * (sPos < 0 ? 1f : 0.5f));
                val = Lerp(val, s.AtrialBlood, Ellipsoid(h - (1.5 * _delta), q1, q2, _h.RightAtrium, pixMm) * (sPos < 0 ? 1f : 0.5f));
                val = Lerp(val, s.VesselBlood, BlobCoverage(h - _delta, q1, q2, _h.AorticRoot.AngleRad, _h.AorticRoot.OffsetMm, _h.AorticRoot.RadiusMm,
                    _h.AorticRoot.HMm - _h.AorticRoot.AxialRadiusMm, _h.AorticRoot.HMm + _h.AorticRoot.AxialRadiusMm, pixMm));
            }
        }
        value = val;
        return label;
    }

    /// <summary>Angular weight of the RV crescent: 1 on its axis, falling to 0 at the inferior and anterior insertion points.</summary>
    private double RvBump(double theta)
    {
        double d = Math.IEEERemainder(theta - _h.RvAxisRad, 2 * Math.PI);
        double span = d >= 0 ? _h.RvSpanAnteriorRad : _h.RvSpanInferiorRad;
        double x = Math.Abs(d) / span;
        return x >= 1 ? 0 : Math.Pow(Math.Cos(0.5 * Math.PI * x), 0.6);
    }

    private static double SmoothSector(double theta, double centre, double halfWidth)
    {
        double d = Math.Abs(Math.IEEERemainder(theta - centre, 2 * Math.PI)) / halfWidth;
        return d >= 1 ? 0 : 0.5 * (1 + Math.Cos(Math.PI * d));
    }

    /// <summary>Coverage of a tube along the axis (between heights lowH and highH, with rounded ends) of radius r centred at offset/angle.</summary>
    private static float BlobCoverage(double h, double q1, double q2, double angle, double offset, double radius, double lowH, double highH, double pix)
    {
        if (h <= lowH || h >= highH) return 0;
        double t = (2 * (h - lowH) / (highH - lowH)) - 1;
        double t3 = t * t * t;
        double r = radius * Math.Sqrt(1 - (t3 * t3));
        double dx = q1 - (offset * Math.Cos(angle)), dy = q2 - (offset * Math.Sin(angle));
        return Coverage(r, Math.Sqrt((dx * dx) + (dy * dy)), pix);
    }

    private static float Ellipsoid(double h, double q1, double q2, HeartBlob b, double pix)
    {
        double dx = q1 - (b.OffsetMm * Math.Cos(b.AngleRad)), dy = q2 - (b.OffsetMm * Math.Sin(b.AngleRad)), dz = h - b.HMm;
        double f = Math.Sqrt((((dx * dx) + (dy * dy)) / (b.RadiusMm * b.RadiusMm)) + ((dz * dz) / (b.AxialRadiusMm * b.AxialRadiusMm)));
        return Coverage(b.RadiusMm, f * b.RadiusMm, pix);
    }

    public static float Coverage(double boundary, double distance, double pix) => (float)Math.Clamp(0.5 + ((boundary - distance) / pix), 0, 1);

    private static float Lerp(float under, float over, float alpha) => under + (alpha * (over - under));

    public static double Sample(float[] table, double position)
    {
        int i = (int)position;
        if (i >= Bins) i = Bins - 1;
        if (i < 0) i = 0;
        double f = position - i;
        return table[i] + (f * (table[i + 1] - table[i]));
    }
}
