namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Heart-frame coordinates of every pixel of the heart's rectangle in one plane of one slice (the slice's centre plane, or
/// a plane inside its thickness): height along the long axis, in-plane offsets, radius and angle-bin position. They depend
/// on the slice's breath-hold shift but not on the cardiac phase, so they are computed once per slice and plane.
/// </summary>
internal sealed class HeartGrid
{
    private HeartGrid(int x0, int y0, int width, int height)
    {
        X0 = x0;
        Y0 = y0;
        Width = width;
        Height = height;
        int n = width * height;
        H = new float[n];
        Q1 = new float[n];
        Q2 = new float[n];
        Rho = new float[n];
        Pos = new float[n];
        EndoAng = new float[n];
        WallAng = new float[n];
        Sept = new float[n];
        RvAng = new float[n];
        FatAng = new float[n];
        Weight = new float[n];
        Lvot = new float[n];
        Nc = new float[n];
    }

    public int X0 { get; }
    public int Y0 { get; }
    public int Width { get; }
    public int Height { get; }
    public float[] H { get; }
    public float[] Q1 { get; }
    public float[] Q2 { get; }
    public float[] Rho { get; }
    public float[] Pos { get; }

    // The heart's angular factors at each pixel's θ (they do not change with the cardiac phase or the calibrated sizes).
    public float[] EndoAng { get; }
    public float[] WallAng { get; }
    public float[] Sept { get; }
    public float[] RvAng { get; }
    public float[] FatAng { get; }
    public float[] Weight { get; }
    public float[] Lvot { get; }
    public float[] Nc { get; }

    public static HeartGrid Build(PhantomParameters p, HeartModel model, int z, double offsetMm, (int X0, int Y0, int Width, int Height) rect)
    {
        var g = new HeartGrid(rect.X0, rect.Y0, rect.Width, rect.Height);
        HeartShape heart = p.Heart;
        Vec3 shift = p.SliceShiftMm[z];
        double zeta = p.SliceZeta(z) + offsetMm;
        double pix = p.PixelSpacingMm;
        for (int r = 0; r < rect.Height; r++)
        {
            double y = ((rect.Y0 + r + 0.5 - (p.MatrixY / 2.0)) * pix) - shift.Y;
            for (int q = 0; q < rect.Width; q++)
            {
                double x = ((rect.X0 + q + 0.5 - (p.MatrixX / 2.0)) * pix) - shift.X;
                var d = new Vec3(x - heart.Origin.X, y - heart.Origin.Y, zeta - shift.Z - heart.Origin.Z);
                double q1 = d.Dot(heart.E1), q2 = d.Dot(heart.E2);
                int k = (r * rect.Width) + q;
                g.H[k] = (float)d.Dot(heart.Axis);
                g.Q1[k] = (float)q1;
                g.Q2[k] = (float)q2;
                g.Rho[k] = (float)Math.Sqrt((q1 * q1) + (q2 * q2));
                float pos = (float)Math.Min(HeartModel.Position(Math.Atan2(q2, q1)), HeartModel.Bins - 1e-3);
                g.Pos[k] = pos;
                model.AngularFactors(pos, out g.EndoAng[k], out g.WallAng[k], out g.Sept[k], out g.RvAng[k], out g.FatAng[k], out g.Weight[k], out g.Lvot[k], out g.Nc[k]);
            }
        }
        return g;
    }

    /// <summary>
    /// The rectangle (pixels) holding the heart in every slice: around the long axis' intersection with each slice plane (and
    /// half a slice either side), out to <paramref name="extentMm"/>.
    /// </summary>
    public static (int X0, int Y0, int Width, int Height) Rectangle(PhantomParameters p, double extentMm)
    {
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        HeartShape h = p.Heart;
        for (int z = 0; z < p.SliceCount; z++)
        {
            foreach (double dz in (double[])[-0.5 * p.SliceThicknessMm, 0, 0.5 * p.SliceThicknessMm])
            {
                Vec3 shift = p.SliceShiftMm[z];
                double t = (p.SliceZeta(z) + dz - shift.Z - h.Origin.Z) / h.Axis.Z;
                double cx = h.Origin.X + (t * h.Axis.X) + shift.X, cy = h.Origin.Y + (t * h.Axis.Y) + shift.Y;
                minX = Math.Min(minX, cx - extentMm);
                maxX = Math.Max(maxX, cx + extentMm);
                minY = Math.Min(minY, cy - extentMm);
                maxY = Math.Max(maxY, cy + extentMm);
            }
        }
        double pix = p.PixelSpacingMm;
        int x0 = Math.Clamp((int)Math.Floor((minX / pix) + (p.MatrixX / 2.0)), 0, p.MatrixX - 1);
        int x1 = Math.Clamp((int)Math.Ceiling((maxX / pix) + (p.MatrixX / 2.0)), x0 + 1, p.MatrixX);
        int y0 = Math.Clamp((int)Math.Floor((minY / pix) + (p.MatrixY / 2.0)), 0, p.MatrixY - 1);
        int y1 = Math.Clamp((int)Math.Ceiling((maxY / pix) + (p.MatrixY / 2.0)), y0 + 1, p.MatrixY);
        return (x0, y0, x1 - x0, y1 - y0);
    }
}
