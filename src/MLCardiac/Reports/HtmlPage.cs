using System.Net;
using System.Text;

namespace MLCardiac.Reports;

/// <summary>
/// A small builder for self-contained HTML pages: inline CSS, figures embedded as base64 PNG, and a tiny script
/// that records on <c>&lt;body data-figures=...&gt;</c> how many figures decoded (read by the headless-browser test).
/// </summary>
public sealed class HtmlPage
{
    private readonly StringBuilder _body = new();
    private readonly string _title;

    /// <summary>Starts a page titled <paramref name="title"/>.</summary>
    public HtmlPage(string title) => _title = title ?? throw new ArgumentNullException(nameof(title));

    /// <summary>HTML-escapes <paramref name="text"/>.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>Appends raw HTML.</summary>
    public HtmlPage Raw(string html)
    {
        _body.Append(html).Append('\n');
        return this;
    }

    /// <summary>Appends a heading.</summary>
    public HtmlPage Heading(int level, string text, string? id = null) =>
        Raw($"<h{level}{(id is null ? "" : $" id=\"{E(id)}\"")}>{E(text)}</h{level}>");

    /// <summary>Appends a paragraph of plain text.</summary>
    public HtmlPage Paragraph(string text, string? cssClass = null) => Raw($"<p{(cssClass is null ? "" : $" class=\"{cssClass}\"")}>{E(text)}</p>");

    /// <summary>Appends a bulleted list of plain-text items.</summary>
    public HtmlPage List(IEnumerable<string> items) => Raw("<ul>" + string.Concat((items ?? []).Select(i => $"<li>{E(i)}</li>")) + "</ul>");

    /// <summary>Appends a table; cells are plain text.</summary>
    public HtmlPage Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder("<table>");
        if (caption is not null) sb.Append($"<caption>{E(caption)}</caption>");
        sb.Append("<thead><tr>").Append(string.Concat(headers.Select(h => $"<th>{E(h)}</th>"))).Append("</tr></thead><tbody>");
        foreach (var row in rows) sb.Append("<tr>").Append(string.Concat(row.Select(c => $"<td>{E(c)}</td>"))).Append("</tr>");
        return Raw(sb.Append("</tbody></table>").ToString());
    }

    /// <summary>An <c>&lt;img&gt;</c> element with <paramref name="png"/> embedded.</summary>
    public static string Image(byte[] png, string alt, int? width = null) =>
        $"<img class=\"figure\" alt=\"{E(alt)}\"{(width is null ? "" : $" width=\"{width}\"")} src=\"data:image/png;base64,{Convert.ToBase64String(png ?? throw new ArgumentNullException(nameof(png)))}\">";

    /// <summary>Appends a captioned figure.</summary>
    public HtmlPage Figure(byte[] png, string caption) => Raw($"<figure>{Image(png, caption)}<figcaption>{E(caption)}</figcaption></figure>");

    /// <summary>The whole page.</summary>
    public override string ToString() => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(_title)}}</title>
        <style>
        body { font-family: system-ui, -apple-system, "DejaVu Sans", sans-serif; margin: 2em auto; max-width: 1150px; color: #222; line-height: 1.45; padding: 0 1em; }
        h1 { border-bottom: 2px solid #1f77b4; padding-bottom: .2em; }
        h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
        th, td { border: 1px solid #ccc; padding: .25em .55em; text-align: right; }
        th { background: #f0f4f8; }
        td:first-child, th:first-child { text-align: left; }
        caption { caption-side: top; text-align: left; font-weight: bold; padding: .3em 0; }
        figure { display: inline-block; margin: .5em; vertical-align: top; }
        figcaption { font-size: .85em; color: #555; max-width: 900px; }
        .findings li { margin: .3em 0; }
        .muted { color: #666; font-size: .9em; }
        .grid td { text-align: center; border: none; }
        .grid img { display: block; }
        </style></head>
        <body data-figures="pending">
        <h1>{{E(_title)}}</h1>
        {{_body}}
        <script>
        window.addEventListener('load', function () {
          var imgs = Array.prototype.slice.call(document.images);
          var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
          document.body.setAttribute('data-figures', ok + '/' + imgs.length);
        });
        </script>
        </body></html>
        """;
}
