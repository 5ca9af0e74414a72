using System.Globalization;
using System.Net;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>One scrape of <c>GET /metrics</c>, parsed from the Prometheus text format into samples.</summary>
public sealed class MetricsScrape
{
    private MetricsScrape(string text, IReadOnlyList<Sample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyList<Sample> Samples { get; }

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public static async Task<MetricsScrape> GetAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Scrapes until <paramref name="done"/> holds (metrics are recorded just after a task's end is visible); bounded.</summary>
    public static async Task<MetricsScrape> WaitForAsync(HttpClient http, Func<MetricsScrape, bool> done, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var scrape = await GetAsync(http);
            if (done(scrape))
            {
                return scrape;
            }

            Assert.True(DateTime.UtcNow < deadline, "the metrics never matched; last scrape:\n" + scrape.Text);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include <paramref name="labels"/> ("key=value"), or null.</summary>
    public double? Value(string name, params string[] labels) =>
        Matching(name, labels).Select(s => (double?)s.Value).SingleOrDefault();

    public IEnumerable<Sample> Matching(string name, params string[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l =>
        {
            var eq = l.IndexOf('=', StringComparison.Ordinal);
            return s.Labels.TryGetValue(l[..eq], out var v) && v == l[(eq + 1)..];
        }));

    public static MetricsScrape Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            string name;
            if (brace >= 0 && brace < space)
            {
                name = line[..brace];
                var close = line.LastIndexOf('}');
                ParseLabels(line[(brace + 1)..close], labels);
            }
            else
            {
                name = line[..line.IndexOf(' ', StringComparison.Ordinal)];
            }

            var value = line[(space + 1)..];
            samples.Add(new Sample(name, labels, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
            }));
        }

        return new MetricsScrape(text, samples);
    }

    private static void ParseLabels(string text, Dictionary<string, string> labels)
    {
        var i = 0;
        while (i < text.Length)
        {
            var eq = text.IndexOf('=', i);
            var key = text[i..eq].Trim(',', ' ');
            var value = new System.Text.StringBuilder();
            var j = eq + 2; // past ="
            while (text[j] != '"')
            {
                if (text[j] == '\\')
                {
                    j++;
                    value.Append(text[j] == 'n' ? '\n' : text[j]);
                }
                else
                {
                    value.Append(text[j]);
                }

                j++;
            }

            labels[key] = value.ToString();
            i = j + 1;
        }
    }
}
