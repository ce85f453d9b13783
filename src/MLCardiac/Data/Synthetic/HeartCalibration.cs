namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Makes the rendered labels measure what was drawn: LV radius for the ED blood-pool volume, free-wall thickness for the
/// myocardial mass, RV depth for the RV EDV, and the systolic contractions (LV and RV) for the ESVs — each solved by a
/// bracketed secant iteration on label volumes counted on the subject's own grid with the annotation rule applied
/// (<see cref="Labeling"/>). Volumes are voxel counts × pixel² × slice spacing, as clinical summation of discs and
/// <see cref="Evaluation.ClinicalIndices"/> compute them.
/// </summary>
internal static class HeartCalibration
{
    private const double Tolerance = 0.004;

    public static PhantomParameters Calibrate(PhantomParameters p)
    {
        SyntheticSubjectInfo info = p.Info;
        var model = new HeartModel(p.Heart);
        double extent = model.MaxExtentMm() * 1.5 + 20;
        var rect = HeartGrid.Rectangle(p, extent);
        var grids = Enumerable.Range(0, p.SliceCount).Select(z => HeartGrid.Build(p, model, z, 0, rect)).ToArray();
        double voxelMl = p.PixelSpacingMm * p.PixelSpacingMm * p.SliceSpacingMm / 1000;
        HeartShape heart = p.Heart;

        (double Lv, double Myo, double Rv) Volumes(HeartShape shape, double contraction)
        {
            var m = new HeartModel(shape);
            m.SetFrame(contraction, 0);
            long lv = 0, myo = 0, rv = 0;
            var labels = new byte[rect.Width * rect.Height];
            foreach (HeartGrid g in grids)
            {
                Labeling.LabelPlane(m, g, p.PixelSpacingMm, labels);
                foreach (byte l in labels)
                {
                    if (l == 1) lv++;
                    else if (l == 2) myo++;
                    else if (l == 3) rv++;
                }
            }
            return (lv * voxelMl, myo * voxelMl, rv * voxelMl);
        }

        heart = heart with { RadiusMm = Solve(x => Volumes(heart with { RadiusMm = x }, 0).Lv, info.TargetEdvMl, heart.RadiusMm, 5, 80, power: 2) };
        double wall = Solve(x => Volumes(heart with { WallMm = x }, 0).Myo * Evaluation.ClinicalIndices.MyocardiumDensityGPerMl, info.TargetLvMassG, heart.WallMm, 2.5, 24, power: 1);
        heart = heart with { WallMm = wall };
        heart = heart with { RvDepthMm = Solve(x => Volumes(heart with { RvDepthMm = x }, 0).Rv, info.TargetRvEdvMl, heart.RvDepthMm, 3, 90, power: 1.3) };
        var ed = Volumes(heart, 0);
        double esvTarget = ed.Lv * (1 - info.TargetEjectionFraction), rvEsvTarget = ed.Rv * (1 - info.TargetRvEjectionFraction);
        heart = heart with { Gamma = Solve(x => Volumes(heart with { Gamma = x }, 1).Lv, esvTarget, info.TargetEjectionFraction, 0, 0.995, power: 0) };
        heart = heart with { GammaRv = Solve(x => Volumes(heart with { GammaRv = x }, 1).Rv, rvEsvTarget, info.TargetRvEjectionFraction, 0, 0.995, power: 0) };
        return p with { Heart = heart, Info = info with { WallThicknessMm = wall } };
    }

    /// <summary>
    /// x with f(x) ≈ target within <see cref="Tolerance"/> (relative), f monotonic. A first step from the power law
    /// f ∝ x^power (power 0: a plain secant start), then secant steps kept inside the bracket found so far (Illinois).
    /// </summary>
    private static double Solve(Func<double, double> f, double target, double x0, double lo, double hi, double power)
    {
        double f0 = f(x0);
        if (Math.Abs((f0 / target) - 1) < Tolerance) return x0;
        double x1 = power > 0 && f0 > 0 ? x0 * Math.Pow(target / f0, 1 / power) : x0 + ((f0 > target ? 0.1 : -0.1) * (hi - lo)); // power 0: f decreases with x
        x1 = Math.Clamp(x1, lo, hi);
        double f1 = f(x1);
        double bestX = Math.Abs(f1 - target) < Math.Abs(f0 - target) ? x1 : x0, bestF = Math.Min(Math.Abs(f1 - target), Math.Abs(f0 - target));
        for (int i = 0; i < 8 && Math.Abs((f1 / target) - 1) >= Tolerance; i++)
        {
            if (f1 == f0) break;
            double x2 = Math.Clamp(x1 + ((target - f1) * (x1 - x0) / (f1 - f0)), lo, hi);
            (x0, f0) = (x1, f1);
            x1 = x2;
            f1 = f(x1);
            if (Math.Abs(f1 - target) < bestF) (bestX, bestF) = (x1, Math.Abs(f1 - target));
        }
        return bestX;
    }

}
