using ScottPlot;

namespace MLCardiac.Reports;

/// <summary>
/// Report figures drawn with ScottPlot (on SkiaSharp) and returned as PNG bytes. Text uses DejaVu Sans or Liberation
/// Sans from the usual Linux paths when present, because the dependency-free Skia build has no font lookup.
/// </summary>
public static class Figures
{
    private static readonly object FontGate = new();
    private static bool _fontsReady;

    /// <summary>Colours of the arms, in arm order (Category10).</summary>
    public static string ArmColor(int index) => Palette[index % Palette.Length];

    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>A new plot with a readable font.</summary>
    public static Plot NewPlot()
    {
        EnsureFonts();
        var plot = new Plot();
        plot.Font.Set(_font);
        return plot;
    }

    private static string _font = "DejaVu Sans";

    private static void EnsureFonts()
    {
        lock (FontGate)
        {
            if (_fontsReady) return;
            string[] candidates =
            [
                "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
                "/usr/share/fonts/TTF/DejaVuSans.ttf",
            ];
            foreach (string path in candidates)
                if (File.Exists(path))
                {
                    _font = Path.GetFileNameWithoutExtension(path);
                    Fonts.AddFontFile(_font, path);
                    Fonts.Default = _font;
                    break;
                }
            _fontsReady = true;
        }
    }

    /// <summary>PNG of <paramref name="plot"/>.</summary>
    public static byte[] Png(Plot plot, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// Box and strip plot: one group of boxes per category (vendor), one box per series (arm) within it, every value
    /// as a jittered point.
    /// </summary>
    public static byte[] BoxStrip(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<string> series,
        Func<int, int, IReadOnlyList<double>> values, IReadOnlyList<string>? categoryNotes = null, int width = 900, int height = 380)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(values);
        Plot plot = NewPlot();
        var rng = new Random(1);
        double slot = 0.8 / Math.Max(1, series.Count);
        var boxes = new List<Box>[series.Count];
        var points = new List<(double X, double Y)>[series.Count];
        for (int s = 0; s < series.Count; s++) (boxes[s], points[s]) = ([], []);
        for (int c = 0; c < categories.Count; c++)
            for (int s = 0; s < series.Count; s++)
            {
                double[] v = [.. values(c, s).Where(x => !double.IsNaN(x)).Order()];
                if (v.Length == 0) continue;
                double x = c - 0.4 + slot * (s + 0.5);
                boxes[s].Add(new Box
                {
                    Position = x,
                    BoxMin = Quantile(v, 0.25),
                    BoxMax = Quantile(v, 0.75),
                    BoxMiddle = Quantile(v, 0.5),
                    WhiskerMin = v[0],
                    WhiskerMax = v[^1],
                    Width = slot * 0.8,
                });
                points[s].AddRange(v.Select(y => (x + (rng.NextDouble() - 0.5) * slot * 0.5, y)));
            }
        for (int s = 0; s < series.Count; s++)
        {
            var color = Color.FromHex(ArmColor(s));
            if (boxes[s].Count > 0)
            {
                var bp = plot.Add.Boxes(boxes[s]);
                bp.FillColor = color.WithAlpha(0.3);
                bp.LegendText = series[s];
            }
            if (points[s].Count > 0)
            {
                var scatter = plot.Add.ScatterPoints(points[s].Select(p => p.X).ToArray(), points[s].Select(p => p.Y).ToArray(), color);
                scatter.MarkerSize = 4;
            }
        }
        plot.ShowLegend(Alignment.LowerLeft);
        double[] ticks = [.. Enumerable.Range(0, categories.Count).Select(i => (double)i)];
        string[] labels = [.. categories.Select((c, i) => categoryNotes is null ? c : $"{c} ({categoryNotes[i]})")];
        plot.Axes.Bottom.SetTicks(ticks, labels);
        plot.Axes.SetLimitsX(-0.6, categories.Count - 0.4);
        plot.Title(title);
        plot.YLabel(yLabel);
        return Png(plot, width, height);
    }

    /// <summary>Bland–Altman plot: difference against mean, with the bias and the 95 % limits of agreement.</summary>
    public static byte[] BlandAltman(string title, string unit, IReadOnlyList<double> predicted, IReadOnlyList<double> reference,
        IReadOnlyList<bool> seen, double bias, double lower, double upper, int width = 420, int height = 320)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(seen);
        Plot plot = NewPlot();
        for (int group = 0; group < 2; group++)
        {
            bool wantSeen = group == 0;
            var idx = Enumerable.Range(0, predicted.Count).Where(i => seen[i] == wantSeen && !double.IsNaN(predicted[i]) && !double.IsNaN(reference[i])).ToArray();
            double[] mean = [.. idx.Select(i => (predicted[i] + reference[i]) / 2)];
            double[] diff = [.. idx.Select(i => predicted[i] - reference[i])];
            var points = plot.Add.ScatterPoints(mean, diff, Color.FromHex(wantSeen ? "#1f77b4" : "#d62728"));
            points.MarkerSize = 6;
            points.LegendText = wantSeen ? "seen vendors" : "unseen vendors";
        }
        if (!double.IsNaN(bias))
        {
            plot.Add.HorizontalLine(bias, 1.5f, Colors.Black);
            plot.Add.HorizontalLine(lower, 1, Colors.Gray, LinePattern.Dashed);
            plot.Add.HorizontalLine(upper, 1, Colors.Gray, LinePattern.Dashed);
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        plot.XLabel($"mean of predicted and reference ({unit})");
        plot.YLabel($"predicted − reference ({unit})");
        return Png(plot, width, height);
    }

    /// <summary>Predicted against true mean Dice, one point per case coloured by the vendor's role, with the identity line and the QC cut-offs.</summary>
    public static byte[] PredictedDice(string title, IReadOnlyList<Experiments.PredictedDicePoint> points, double qcCut, double failedCut, int width = 420, int height = 360)
    {
        ArgumentNullException.ThrowIfNull(points);
        Plot plot = NewPlot();
        foreach (var (role, color) in new[] { ("seen", "#1f77b4"), ("target", "#2ca02c"), ("unseen", "#d62728") })
        {
            var group = points.Where(p => p.Role == role).ToList();
            if (group.Count == 0) continue;
            var scatter = plot.Add.ScatterPoints(group.Select(p => p.Predicted).ToArray(), group.Select(p => p.True).ToArray(), Color.FromHex(color));
            scatter.MarkerSize = 6;
            scatter.LegendText = $"{role} vendors";
        }
        var identity = plot.Add.Line(0, 0, 1, 1);
        identity.Color = Colors.Gray;
        identity.LinePattern = LinePattern.Dotted;
        plot.Add.VerticalLine(qcCut, 1, Colors.Black, LinePattern.Dashed);
        plot.Add.HorizontalLine(failedCut, 1, Colors.Gray, LinePattern.Dashed);
        double low = Math.Min(points.Select(p => Math.Min(p.Predicted, p.True)).DefaultIfEmpty(0.5).Min(), Math.Min(qcCut, failedCut)) - 0.02;
        plot.Axes.SetLimits(low, 1.0, low, 1.0);
        plot.ShowLegend(Alignment.LowerRight);
        plot.Title(title);
        plot.XLabel("predicted mean Dice (no ground truth)");
        plot.YLabel("true mean Dice");
        return Png(plot, width, height);
    }

    /// <summary>Lines: one series per arm against epoch.</summary>
    public static byte[] Curves(string title, string yLabel, IReadOnlyList<string> series, IReadOnlyList<IReadOnlyList<double>> values, int width = 440, int height = 300)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(values);
        Plot plot = NewPlot();
        for (int s = 0; s < series.Count; s++)
        {
            double[] ys = [.. values[s]];
            if (ys.Length == 0 || ys.All(double.IsNaN)) continue;
            double[] xs = [.. Enumerable.Range(1, ys.Length).Select(i => (double)i)];
            var line = plot.Add.Scatter(xs, ys, Color.FromHex(ArmColor(s)));
            line.LegendText = series[s];
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        return Png(plot, width, height);
    }

    /// <summary>Confusion matrix as a heat map with the counts written in the cells.</summary>
    public static byte[] Confusion(string title, IReadOnlyList<string> labels, int[][] counts, int width = 420, int height = 380)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(counts);
        int n = labels.Count;
        Plot plot = NewPlot();
        for (int i = 0; i < n; i++)
        {
            double total = Math.Max(1, counts[i].Sum());
            for (int j = 0; j < n; j++)
            {
                double share = counts[i][j] / total;
                double y = n - 1 - i;
                var cell = plot.Add.Rectangle(j - 0.5, j + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = Color.FromHex("#08306b").WithAlpha(0.08 + 0.92 * share);
                cell.LineColor = Colors.White;
                var text = plot.Add.Text(counts[i][j].ToString(System.Globalization.CultureInfo.InvariantCulture), j, y);
                text.LabelFontSize = 16;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = share > 0.5 ? Colors.White : Colors.Black;
            }
        }
        double[] ticks = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        plot.Axes.Bottom.SetTicks(ticks, [.. labels]);
        plot.Axes.Left.SetTicks(ticks, [.. labels.Reverse()]);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Title(title);
        plot.XLabel("predicted vendor");
        plot.YLabel("true vendor");
        return Png(plot, width, height);
    }

    /// <summary>Bars of counts per category.</summary>
    public static byte[] Bars(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<double> values, int width = 440, int height = 300)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(values);
        Plot plot = NewPlot();
        for (int i = 0; i < categories.Count; i++)
        {
            var bar = plot.Add.Bar(i, values[i]);
            bar.Color = Color.FromHex(ArmColor(i));
        }
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, categories.Count).Select(i => (double)i)], [.. categories]);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        return Png(plot, width, height);
    }

    /// <summary>Overlaid histograms (as lines of density), one per series.</summary>
    public static byte[] Histograms(string title, string xLabel, IReadOnlyList<string> series, IReadOnlyList<IReadOnlyList<double>> values, int bins = 40, int width = 440, int height = 300)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(values);
        Plot plot = NewPlot();
        var all = values.SelectMany(v => v).Where(v => !double.IsNaN(v)).ToArray();
        if (all.Length > 0)
        {
            double lo = all.Min(), hi = all.Max();
            if (hi <= lo) hi = lo + 1;
            double step = (hi - lo) / bins;
            for (int s = 0; s < series.Count; s++)
            {
                var counts = new double[bins];
                int n = 0;
                foreach (double v in values[s])
                {
                    if (double.IsNaN(v)) continue;
                    counts[Math.Clamp((int)((v - lo) / step), 0, bins - 1)]++;
                    n++;
                }
                double[] xs = [.. Enumerable.Range(0, bins).Select(i => lo + (i + 0.5) * step)];
                double[] ys = [.. counts.Select(c => n == 0 ? 0 : c / n / step)];
                var line = plot.Add.Scatter(xs, ys, Color.FromHex(ArmColor(s)));
                line.MarkerSize = 0;
                line.LegendText = series[s];
            }
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("density");
        return Png(plot, width, height);
    }

    private static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int i = (int)Math.Floor(pos);
        int j = Math.Min(i + 1, sorted.Length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }
}
