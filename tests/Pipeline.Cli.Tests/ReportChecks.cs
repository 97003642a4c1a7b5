using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Cli.Tests;

/// <summary>Opens a report in headless Chromium with the network blocked and checks what a reader would see.</summary>
internal static class ReportChecks
{
    /// <summary>For every plotly chart: its traces and the marks drawn (line paths with points, heatmap images, bars).</summary>
    private const string PlotsScript =
        """
        JSON.stringify([...document.querySelectorAll('.js-plotly-plot')].map(p => ({
          id: p.id,
          svgs: p.querySelectorAll('svg.main-svg').length,
          traces: p.querySelectorAll('g.trace, g.hm').length,
          lines: [...p.querySelectorAll('path.js-line')].filter(l => (l.getAttribute('d') || '').length > 10).length,
          heatmaps: p.querySelectorAll('g.hm image').length,
          bars: p.querySelectorAll('g.point path').length,
          width: p.getBoundingClientRect().width, height: p.getBoundingClientRect().height,
        })))
        """;

    /// <summary>Asserts no console error, no request beyond the file, and <paramref name="expectedPlots"/> charts each with something drawn; returns the screenshot's path.</summary>
    public static async Task<(JsonArray Plots, string Screenshot)> AssertRendersOfflineAsync(string report, int expectedPlots)
    {
        var visit = await HeadlessChromium.VisitAsync(report, PlotsScript, height: 1400);
        Assert.True(visit.Errors.Count == 0, string.Join("\n", visit.Errors));
        Assert.True(visit.Requests.Count == 0, "requests beyond the file: " + string.Join(", ", visit.Requests));
        var plots = JsonNode.Parse(visit.Result!.GetValue<string>())!.AsArray();
        Assert.Equal(expectedPlots, plots.Count);
        foreach (var plot in plots)
        {
            Assert.True(plot!["svgs"]!.GetValue<int>() >= 1, plot.ToJsonString());
            Assert.True(plot["traces"]!.GetValue<int>() >= 1, plot.ToJsonString());
            var marks = plot["lines"]!.GetValue<int>() + plot["heatmaps"]!.GetValue<int>() + plot["bars"]!.GetValue<int>();
            Assert.True(marks >= 1, "nothing drawn: " + plot.ToJsonString());
            Assert.True(plot["width"]!.GetValue<double>() > 300 && plot["height"]!.GetValue<double>() > 200, plot.ToJsonString());
        }

        var screenshot = Path.ChangeExtension(report, ".png");
        await File.WriteAllBytesAsync(screenshot, visit.Screenshot);
        return (plots, screenshot);
    }
}
