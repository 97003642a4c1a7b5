using System.Globalization;
using System.Net;
using System.Text;

namespace Pipeline.Cli.Report;

/// <summary>The report's HTML pieces: escaping, tables, sections and the page around them (styles inline).</summary>
public static class ReportHtml
{
    public const string Style =
        """
        body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2933; max-width: 1180px; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #d9e2ec; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
        th, td { border: 1px solid #d9e2ec; padding: 3px 8px; text-align: right; vertical-align: top; }
        th { background: #f0f4f8; } td.text { text-align: left; max-width: 420px; overflow-wrap: anywhere; }
        tr.failed td { background: #ffe3e3; } .note { color: #52606d; font-size: 13px; }
        figure.thumb { display: inline-block; margin: 6px; font-size: 12px; text-align: center; }
        """;

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    public static string Number(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A table; cells are HTML already (use <see cref="Encode"/> for text), a cell starting with a letter is left-aligned.</summary>
    public static string Table(IReadOnlyList<string> headers, IEnumerable<(string? RowClass, IReadOnlyList<string> Cells)> rows)
    {
        var html = new StringBuilder("<table><thead><tr>");
        foreach (var h in headers)
        {
            html.Append("<th>").Append(Encode(h)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var (rowClass, cells) in rows)
        {
            html.Append(rowClass is null ? "<tr>" : $"<tr class=\"{rowClass}\">");
            foreach (var cell in cells)
            {
                var text = cell.Length > 0 && !char.IsAsciiDigit(cell[0]) && cell[0] != '-' && cell[0] != '<';
                html.Append(text ? "<td class=\"text\">" : "<td>").Append(cell).Append("</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string Section(string id, string title, string note, string body) =>
        $"<section id=\"{id}\"><h2>{Encode(title)}</h2><p class=\"note\">{note}</p>{body}</section>";

    public static string Page(string title, string plotlyScript, IEnumerable<string> sections)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<title>").Append(Encode(title)).Append("</title>");
        html.Append("<style>").Append(Style).Append("</style>");
        html.Append("<script>").Append(plotlyScript).Append("</script></head><body>");
        html.Append("<h1>").Append(Encode(title)).Append("</h1>");
        foreach (var section in sections)
        {
            html.Append(section);
        }

        return html.Append("</body></html>").ToString();
    }
}
