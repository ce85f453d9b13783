namespace MLCardiac.Data.Synthetic;

/// <summary>
/// The reference labels of one slice plane, as annotators draw them (M&amp;Ms/ACDC): by each pixel's centre in the slice's
/// centre plane; papillary muscles and trabeculae inside the LV cavity count as blood pool. At the base, where the plane
/// leaves the ventricle, annotators stop: when the myocardium covers less than half of the circle around the LV blood pool
/// (the plane is mostly atrium), the slice gets no LV or myocardium label.
/// </summary>
internal static class Labeling
{
    private const int RuleBins = 36;

    /// <summary>Labels of the grid's rectangle into <paramref name="labels"/> (row-major, grid size), with the basal rule applied.</summary>
    public static void LabelPlane(HeartModel model, HeartGrid g, double pixMm, Span<byte> labels)
    {
        var signals = default(HeartSignals);
        float unused = 0;
        int n = g.Width * g.Height;
        double all = model.MaxExtentMm() + pixMm, ventricles = model.VentricleExtentMm() + pixMm, basal = model.BasalLimitMm;
        for (int k = 0; k < n; k++)
        {
            double limit = g.H[k] > basal ? ventricles : all;
            labels[k] = g.Rho[k] > limit ? (byte)0 : model.Evaluate(g, k, pixMm, signals, paint: false, ref unused);
        }
        ApplyBasalRule(labels, g.Width, g.Height);
    }

    /// <summary>Removes the LV and myocardium labels of a plane where the myocardium covers under half the circle around the blood pool.</summary>
    public static void ApplyBasalRule(Span<byte> labels, int width, int height)
    {
        double sx = 0, sy = 0;
        int count = 0;
        for (int k = 0; k < labels.Length; k++)
        {
            if (labels[k] == 1)
            {
                sx += k % width;
                sy += k / width;
                count++;
            }
        }
        if (count == 0) return;
        double cx = sx / count, cy = sy / count;
        Span<bool> bins = stackalloc bool[RuleBins];
        for (int k = 0; k < labels.Length; k++)
        {
            if (labels[k] != 2) continue;
            double angle = Math.Atan2((k / width) - cy, (k % width) - cx);
            bins[Math.Clamp((int)((angle + Math.PI) / (2 * Math.PI) * RuleBins), 0, RuleBins - 1)] = true;
        }
        int covered = 0;
        foreach (bool b in bins) covered += b ? 1 : 0;
        if (covered * 2 >= RuleBins) return;
        for (int k = 0; k < labels.Length; k++)
        {
            if (labels[k] is 1 or 2) labels[k] = 0;
        }
    }
}
