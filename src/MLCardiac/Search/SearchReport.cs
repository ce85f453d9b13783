using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MLCardiac.IO;

namespace MLCardiac.Search;

/// <summary>
/// Writes a search's report folder: <c>report.html</c> (self-contained: inline SVG figures, no scripts or external
/// files) with the trial history and best-so-far curve, the best-so-far against cumulative cost, learning curves
/// (where ASHA stopped trials), parameter importance and parallel coordinates, the chosen pipeline against the
/// default one and their test-vendor results (measured with the refitted ML.NET model file, which the page names); <c>search.json</c> (the summary, machine-readable) and
/// <c>trials.csv</c> (one row per trial). Every file is written atomically.
/// </summary>
public static class SearchReport
{
    /// <summary>File name of the HTML report.</summary>
    public const string HtmlFile = "report.html";
    /// <summary>File name of the JSON summary.</summary>
    public const string JsonFile = "search.json";
    /// <summary>File name of the trial table.</summary>
    public const string CsvFile = "trials.csv";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes the three files into <paramref name="directory"/>; <paramref name="title"/> heads the page.</summary>
    public static void Write(string directory, SearchResult result, SearchSpace space, string title, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(space);
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, CsvFile), Csv(result, space));
        AtomicFile.WriteAllText(Path.Combine(directory, JsonFile), Summary(result, space, settings));
        AtomicFile.WriteAllText(Path.Combine(directory, HtmlFile), Html(result, space, title, settings));
    }

    private static string F(double? v, string format = "F4") => v is double d && double.IsFinite(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "";
    private static string Esc(string s) => WebUtility.HtmlEncode(s);

    private static string Csv(SearchResult r, SearchSpace space)
    {
        var sb = new StringBuilder("trial,origin,status,epochs,epochs_run,metric,cost,seconds,attempts,worker");
        foreach (var p in space.Parameters) sb.Append(',').Append(p.Name);
        sb.Append(",error\n");
        foreach (var t in r.Trials)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{t.Trial},{t.Origin},{t.Status.ToString().ToLowerInvariant()},{t.Epochs},{(t.Intermediate.Count == 0 ? 0 : t.Intermediate.Keys.Max())},{F(t.Metric, "R")},{F(t.Cost, "R")},{F(t.Seconds, "F2")},{t.Attempts},{t.Worker}");
            foreach (var p in space.Parameters) sb.Append(',').Append(t.Parameters.TryGetValue(p.Name, out object? v) ? CsvCell(SearchParameter.Format(v)) : "");
            sb.Append(',').Append(CsvCell(t.Error ?? "")).Append('\n');
        }
        return sb.ToString();
    }

    private static string CsvCell(string s) => s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) || s.Contains('\n', StringComparison.Ordinal)
        ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private static string Summary(SearchResult r, SearchSpace space, IReadOnlyDictionary<string, string>? settings)
    {
        object? Trial(TrialRecord? t) => t is null ? null : new
        {
            trial = t.Trial, origin = t.Origin, status = t.Status.ToString().ToLowerInvariant(), metric = t.Metric, epochs = t.Epochs,
            seconds = t.Seconds, parameters = t.Parameters.ToDictionary(kv => kv.Key, kv => kv.Value), details = t.Details,
        };
        var summary = new
        {
            schemaVersion = 1,
            searchId = r.SearchId,
            tuner = r.Tuner.ToName(),
            metric = r.MetricName,
            maximize = r.Maximize,
            settings,
            trials = r.Trials.Count,
            completed = r.Trials.Count(t => t.Status == TrialStatus.Completed),
            stopped = r.Trials.Count(t => t.Status == TrialStatus.Stopped),
            failed = r.Trials.Count(t => t.Status == TrialStatus.Failed),
            wallSeconds = r.WallTime.TotalSeconds,
            trialSeconds = r.Trials.Sum(t => t.Seconds ?? 0),
            resumed = r.Resumed,
            best = Trial(r.Best),
            @default = Trial(r.Default),
            bestRefit = r.BestRefit,
            defaultRefit = r.DefaultRefit,
            importance = ParameterImportance.Compute(space, r.Trials).Select(i => new { parameter = i.Parameter, share = i.Share }),
        };
        return JsonSerializer.Serialize(summary, Json);
    }

    private static string Html(SearchResult r, SearchSpace space, string title, IReadOnlyDictionary<string, string>? settings)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Esc(title)).Append("</title><style>")
         .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}table{border-collapse:collapse;margin:0.5em 0 1.5em}")
         .Append("td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}")
         .Append("h2{margin-top:1.6em;border-bottom:1px solid #ddd}.fig{display:inline-block;margin:0 1em 1em 0;vertical-align:top}.note{color:#666;font-size:13px}")
         .Append("tr.best td{background:#e8f5e9}tr.default td{background:#fff8e1}</style></head><body>");
        h.Append("<h1>").Append(Esc(title)).Append("</h1>");
        int completed = r.Trials.Count(t => t.Status == TrialStatus.Completed), stopped = r.Trials.Count(t => t.Status == TrialStatus.Stopped), failed = r.Trials.Count(t => t.Status == TrialStatus.Failed);
        h.Append(CultureInfo.InvariantCulture, $"<p>Search <b>{Esc(r.SearchId)}</b>, tuner <b>{r.Tuner.ToName()}</b>, metric <b>{Esc(r.MetricName)}</b> ({(r.Maximize ? "higher" : "lower")} is better) on the validation vendor(s). ")
         .Append(CultureInfo.InvariantCulture, $"{r.Trials.Count} trials: {completed} completed, {stopped} stopped early by ASHA, {failed} failed; wall time of this run {r.WallTime.TotalMinutes:F1} min{(r.Resumed ? " (resumed)" : "")}, trial time {r.Trials.Sum(t => t.Seconds ?? 0) / 60:F1} min.</p>");
        if (settings is { Count: > 0 })
        {
            h.Append("<table>");
            foreach (var (k, v) in settings) h.Append("<tr><th class=\"l\">").Append(Esc(k)).Append("</th><td class=\"l\">").Append(Esc(v)).Append("</td></tr>");
            h.Append("</table>");
        }

        h.Append("<h2>Chosen pipeline</h2>");
        if (r.Best is { } best)
        {
            h.Append("<table><tr><th class=\"l\">parameter</th><th>best (trial ").Append(best.Trial).Append(")</th>");
            if (r.Default is not null) h.Append("<th>default (trial ").Append(r.Default.Trial).Append(")</th>");
            h.Append("</tr>");
            foreach (var p in space.Parameters)
            {
                h.Append("<tr><td class=\"l\">").Append(Esc(p.Name)).Append("</td><td>").Append(Esc(best.Parameters.TryGetValue(p.Name, out object? v) ? SearchParameter.Format(v) : "–")).Append("</td>");
                if (r.Default is not null) h.Append("<td>").Append(Esc(r.Default.Parameters.TryGetValue(p.Name, out object? d) ? SearchParameter.Format(d) : "–")).Append("</td>");
                h.Append("</tr>");
            }
            h.Append("<tr><th class=\"l\">validation ").Append(Esc(r.MetricName)).Append("</th><th>").Append(F(best.Metric)).Append("</th>");
            if (r.Default is not null) h.Append("<th>").Append(F(r.Default.Metric)).Append(r.Default.Status == TrialStatus.Stopped ? " (stopped)" : "").Append("</th>");
            h.Append("</tr></table>");
        }
        else h.Append("<p>No trial finished.</p>");

        if (r.BestRefit is not null || r.DefaultRefit is not null)
        {
            h.Append("<h2>Test vendors (never seen during the search)</h2><p class=\"note\">Each pipeline refitted on all training vendors' labeled subjects, then evaluated in 3D on the test vendors' subjects (Dice per structure, mean of cases).</p>");
            var keys = (r.BestRefit?.TestMetrics.Keys ?? []).Concat(r.DefaultRefit?.TestMetrics.Keys ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
            h.Append("<table><tr><th class=\"l\">metric</th>").Append(r.BestRefit is null ? "" : "<th>best</th>").Append(r.DefaultRefit is null ? "" : "<th>default</th>").Append("</tr>");
            foreach (string k in keys)
            {
                h.Append("<tr><td class=\"l\">").Append(Esc(k)).Append("</td>");
                if (r.BestRefit is not null) h.Append("<td>").Append(F(r.BestRefit.TestMetrics.TryGetValue(k, out double b) ? b : null)).Append("</td>");
                if (r.DefaultRefit is not null) h.Append("<td>").Append(F(r.DefaultRefit.TestMetrics.TryGetValue(k, out double d) ? d : null)).Append("</td>");
                h.Append("</tr>");
            }
            h.Append("</table>");
            foreach (var (label, refit) in new[] { ("Best", r.BestRefit), ("Default", r.DefaultRefit) })
            {
                if (refit is null) continue;
                h.Append("<p class=\"note\">").Append(label).Append(" pipeline");
                if (refit.Pipeline is not null) h.Append(" <code>").Append(Esc(refit.Pipeline)).Append("</code>");
                if (refit.ModelFile is not null)
                    h.Append(CultureInfo.InvariantCulture, $": ML.NET model file <code>{Esc(refit.ModelFile)}</code> ({refit.ModelBytes / 1024.0:F0} KiB, SHA-256 {Esc(refit.ModelSha256 ?? "")}), the file these test numbers were measured with (loaded back with <code>LoadModel</code>); model folder <code>{Esc(refit.ModelDirectory)}</code> for <code>mlcardiac predict</code>/<code>serve</code>.");
                else h.Append(": saved in <code>").Append(Esc(refit.ModelDirectory)).Append("</code>.");
                h.Append(CultureInfo.InvariantCulture, $" Refit and test took {refit.Seconds / 60:F1} min.</p>");
            }
            if (r.BestRefit is { Cases.Count: > 0 } withCases)
            {
                h.Append("<details><summary>Best pipeline, per test case</summary><table><tr><th class=\"l\">subject</th><th class=\"l\">vendor</th><th class=\"l\">frame</th><th>LV</th><th>MYO</th><th>RV</th><th>mean</th></tr>");
                foreach (var c in withCases.Cases)
                    h.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"l\">{Esc(c.Subject)}</td><td class=\"l\">{Esc(c.Vendor)}</td><td class=\"l\">{Esc(c.Frame)}</td><td>{F(c.Lv)}</td><td>{F(c.Myo)}</td><td>{F(c.Rv)}</td><td>{F(c.MeanDice)}</td></tr>");
                h.Append("</table></details>");
            }
        }

        h.Append("<h2>Trial history</h2>");
        h.Append("<div class=\"fig\">").Append(HistorySvg(r)).Append("</div><div class=\"fig\">").Append(CostSvg(r)).Append("</div>");
        h.Append("<div class=\"fig\">").Append(CurvesSvg(r)).Append("</div>");
        h.Append("<p class=\"note\">Left: each trial's final metric (blue: completed, orange: stopped early at its last rung, red: failed; ringed: the default pipeline) and the best so far. Middle: best completed metric against the trial time spent. Right: validation metric per epoch — curves that end early were stopped by ASHA.</p>");

        h.Append("<h2>Parameters</h2>");
        var importance = ParameterImportance.Compute(space, r.Trials);
        h.Append("<div class=\"fig\">").Append(ImportanceSvg(importance)).Append("</div><div class=\"fig\">").Append(ParallelSvg(r, space)).Append("</div>");
        h.Append("<p class=\"note\">Left: share of the metric's variance explained by each parameter alone (main-effect η² over finished trials; rough with few trials). Right: parallel coordinates of finished trials, each axis one parameter in its search scale (bottom = min / first choice; an inactive conditional parameter sits at the bottom), colour from low (grey) to high (dark green) metric.</p>");

        h.Append("<h2>All trials</h2><table><tr><th>#</th><th class=\"l\">status</th><th>epochs</th><th>metric</th><th>s</th>");
        foreach (var p in space.Parameters) h.Append("<th>").Append(Esc(p.Name)).Append("</th>");
        h.Append("</tr>");
        foreach (var t in r.Trials)
        {
            string cls = t.Trial == r.Best?.Trial ? " class=\"best\"" : t.Origin == "default" ? " class=\"default\"" : "";
            int ran = t.Intermediate.Count == 0 ? 0 : t.Intermediate.Keys.Max();
            h.Append(CultureInfo.InvariantCulture, $"<tr{cls}><td>{t.Trial}</td><td class=\"l\">{t.Status.ToString().ToLowerInvariant()}{(t.Origin == "default" ? " (default)" : "")}</td><td>{ran}/{t.Epochs}</td><td>{F(t.Metric)}</td><td>{F(t.Seconds, "F0")}</td>");
            foreach (var p in space.Parameters) h.Append("<td>").Append(Esc(t.Parameters.TryGetValue(p.Name, out object? v) ? SearchParameter.Format(v) : "–")).Append("</td>");
            h.Append("</tr>");
        }
        h.Append("</table>");
        h.Append("<p class=\"note\">Files: search.json (summary), trials.csv (this table).</p></body></html>");
        return h.ToString();
    }

    private const int W = 420, H = 280, L = 55, R = 15, T = 25, B = 40;

    private sealed class Axes(double x0, double x1, double y0, double y1)
    {
        public double X(double v) => L + (x1 == x0 ? 0.5 : (v - x0) / (x1 - x0)) * (W - L - R);
        public double Y(double v) => H - B - (y1 == y0 ? 0.5 : (v - y0) / (y1 - y0)) * (H - T - B);
    }

    private static string P(double v) => v.ToString("F1", CultureInfo.InvariantCulture);

    private static StringBuilder Frame(string title, string xLabel, string yLabel, double x0, double x1, double y0, double y1, out Axes axes)
    {
        axes = new Axes(x0, x1, y0, y1);
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"11\">");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{W / 2}\" y=\"15\" text-anchor=\"middle\" font-size=\"13\">{Esc(title)}</text>");
        s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{L}\" y=\"{T}\" width=\"{W - L - R}\" height=\"{H - T - B}\" fill=\"none\" stroke=\"#999\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double yv = y0 + (y1 - y0) * i / 4, xv = x0 + (x1 - x0) * i / 4;
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{L - 4}\" y=\"{P(axes.Y(yv) + 4)}\" text-anchor=\"end\">{yv:G3}</text>");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{P(axes.X(xv))}\" y=\"{H - B + 14}\" text-anchor=\"middle\">{xv:G3}</text>");
        }
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{(L + W - R) / 2}\" y=\"{H - 6}\" text-anchor=\"middle\">{Esc(xLabel)}</text>");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{(T + H - B) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {(T + H - B) / 2})\">{Esc(yLabel)}</text>");
        return s;
    }

    private static (double Lo, double Hi) Range(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToList();
        if (v.Count == 0) return (0, 1);
        double lo = v.Min(), hi = v.Max();
        if (hi - lo < 1e-9) { lo -= 0.05; hi += 0.05; }
        double pad = 0.05 * (hi - lo);
        return (lo - pad, hi + pad);
    }

    private static double Sign(SearchResult r, double v) => r.Maximize ? v : -v;

    private static string HistorySvg(SearchResult r)
    {
        var (lo, hi) = Range(r.Trials.Where(t => t.Metric is not null).Select(t => t.Metric!.Value));
        var s = Frame("Metric per trial and best so far", "trial", r.MetricName, 0, Math.Max(1, r.Trials.Count - 1), lo, hi, out var a);
        double? best = null;
        var line = new StringBuilder();
        foreach (var t in r.Trials.OrderBy(t => t.Trial))
        {
            if (t.Metric is not double m) continue;
            string color = t.Status switch { TrialStatus.Completed => "#1f77b4", TrialStatus.Stopped => "#ff7f0e", _ => "#d62728" };
            s.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{P(a.X(t.Trial))}\" cy=\"{P(a.Y(m))}\" r=\"3.5\" fill=\"{color}\"{(t.Origin == "default" ? " stroke=\"#000\" stroke-width=\"1.5\"" : "")}><title>trial {t.Trial}: {m:F4} ({t.Status})</title></circle>");
            if (t.Status == TrialStatus.Completed && (best is null || Sign(r, m) > Sign(r, best.Value))) best = m;
            if (best is double b) line.Append(line.Length == 0 ? "M" : " L").Append(P(a.X(t.Trial))).Append(',').Append(P(a.Y(b)));
        }
        if (line.Length > 0) s.Append("<path d=\"").Append(line).Append("\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\"/>");
        return s.Append("</svg>").ToString();
    }

    private static string CostSvg(SearchResult r)
    {
        var done = r.Trials.Where(t => t.FinishedSeq is not null).OrderBy(t => t.FinishedSeq).ToList();
        double total = Math.Max(1e-9, done.Sum(t => t.Seconds ?? 0) / 60);
        var (lo, hi) = Range(done.Where(t => t.Metric is not null && t.Status == TrialStatus.Completed).Select(t => t.Metric!.Value));
        var s = Frame("Best so far against trial time", "trial minutes (cumulative)", r.MetricName, 0, total, lo, hi, out var a);
        double spent = 0;
        double? best = null;
        var line = new StringBuilder();
        foreach (var t in done)
        {
            spent += (t.Seconds ?? 0) / 60;
            if (t.Status == TrialStatus.Completed && t.Metric is double m && (best is null || Sign(r, m) > Sign(r, best.Value))) best = m;
            if (best is double b) line.Append(line.Length == 0 ? "M" : " L").Append(P(a.X(spent))).Append(',').Append(P(a.Y(b)));
        }
        if (line.Length > 0) s.Append("<path d=\"").Append(line).Append("\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\"/>");
        return s.Append("</svg>").ToString();
    }

    private static string CurvesSvg(SearchResult r)
    {
        var withCurves = r.Trials.Where(t => t.Intermediate.Count > 0).ToList();
        int maxEpoch = Math.Max(1, withCurves.SelectMany(t => t.Intermediate.Keys).DefaultIfEmpty(1).Max());
        var (lo, hi) = Range(withCurves.SelectMany(t => t.Intermediate.Values));
        var s = Frame("Learning curves (validation)", "epoch", r.MetricName, 1, maxEpoch, lo, hi, out var a);
        foreach (var t in withCurves)
        {
            var pts = t.Intermediate.OrderBy(kv => kv.Key).Select(kv => $"{P(a.X(kv.Key))},{P(a.Y(kv.Value))}");
            string color = t.Status == TrialStatus.Stopped ? "#ff7f0e" : t.Trial == r.Best?.Trial ? "#2ca02c" : "#1f77b4";
            s.Append("<polyline points=\"").Append(string.Join(' ', pts)).Append(CultureInfo.InvariantCulture, $"\" fill=\"none\" stroke=\"{color}\" stroke-opacity=\"0.7\" stroke-width=\"{(t.Trial == r.Best?.Trial ? 2.5 : 1.2)}\"><title>trial {t.Trial}</title></polyline>");
        }
        return s.Append("</svg>").ToString();
    }

    private static string ImportanceSvg(IReadOnlyList<(string Parameter, double Share)> importance)
    {
        int rows = Math.Max(1, importance.Count);
        int height = 40 + rows * 20;
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{W / 2}\" y=\"15\" text-anchor=\"middle\" font-size=\"13\">Parameter importance (η²)</text>");
        if (importance.Count == 0) s.Append("<text x=\"20\" y=\"40\">fewer than 3 finished trials</text>");
        for (int i = 0; i < importance.Count; i++)
        {
            var (name, share) = importance[i];
            double y = 28 + i * 20;
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"135\" y=\"{P(y + 11)}\" text-anchor=\"end\">{Esc(name)}</text>");
            s.Append(CultureInfo.InvariantCulture, $"<rect x=\"140\" y=\"{P(y)}\" width=\"{P(Math.Max(0.5, share * (W - 200)))}\" height=\"14\" fill=\"#1f77b4\"/>");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{P(145 + share * (W - 200))}\" y=\"{P(y + 11)}\">{share:F2}</text>");
        }
        return s.Append("</svg>").ToString();
    }

    private static string ParallelSvg(SearchResult r, SearchSpace space)
    {
        int n = space.Dimensions;
        int width = Math.Max(W, 90 * n + 40);
        const int top = 35, bottom = 230;
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{bottom + 45}\" font-family=\"sans-serif\" font-size=\"10\">");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"15\" text-anchor=\"middle\" font-size=\"13\">Parallel coordinates</text>");
        double X(int i) => 30 + (n == 1 ? 0.5 : (double)i / (n - 1)) * (width - 60);
        double Y(double u) => bottom - u * (bottom - top);
        var done = r.Trials.Where(t => t.Metric is double m && double.IsFinite(m)).OrderBy(t => Sign(r, t.Metric!.Value)).ToList();
        var (lo, hi) = Range(done.Select(t => Sign(r, t.Metric!.Value)));
        foreach (var t in done)
        {
            double q = Math.Clamp((Sign(r, t.Metric!.Value) - lo) / (hi - lo), 0, 1);
            int g = (int)(200 - 120 * q), rr = (int)(200 - 180 * q), bb = (int)(200 - 150 * q);
            double[] u = space.ToUnit(t.Parameters);
            var pts = Enumerable.Range(0, n).Select(i => $"{P(X(i))},{P(Y(t.Parameters.ContainsKey(space.Parameters[i].Name) ? u[i] : 0))}");
            s.Append("<polyline points=\"").Append(string.Join(' ', pts)).Append(CultureInfo.InvariantCulture, $"\" fill=\"none\" stroke=\"rgb({rr},{g},{bb})\" stroke-width=\"{(t.Trial == r.Best?.Trial ? 2.5 : 1.2)}\"><title>trial {t.Trial}: {t.Metric:F4}</title></polyline>");
        }
        for (int i = 0; i < n; i++)
        {
            var p = space.Parameters[i];
            s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{P(X(i))}\" y1=\"{top}\" x2=\"{P(X(i))}\" y2=\"{bottom}\" stroke=\"#555\"/>");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{P(X(i))}\" y=\"{bottom + 14}\" text-anchor=\"middle\">{Esc(p.Name)}</text>");
            string loText = p.Kind switch { ParameterKind.Choice => SearchParameter.Format(p.Choices[0]), ParameterKind.Bool => "false", _ => SearchParameter.Format(p.Min) };
            string hiText = p.Kind switch { ParameterKind.Choice => SearchParameter.Format(p.Choices[^1]), ParameterKind.Bool => "true", _ => SearchParameter.Format(p.Max) };
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{P(X(i))}\" y=\"{bottom + 26}\" text-anchor=\"middle\" fill=\"#777\">{Esc(loText)}</text>");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{P(X(i))}\" y=\"{top - 4}\" text-anchor=\"middle\" fill=\"#777\">{Esc(hiText)}</text>");
        }
        return s.Append("</svg>").ToString();
    }
}
