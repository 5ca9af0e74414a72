using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reelgate.Client;

/// <summary>Price quotes, usage reports and the key's own limits: what a call will cost, where the credits went, what the key may still spend.</summary>
public sealed partial class ReelgateClient
{
    /// <summary>The calling key's limits, its spend in the credit period and the room left, and the client address the server saw (<c>GET /api/v1/keys/self</c>).</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<KeySelf> GetKeySelfAsync(CancellationToken ct = default)
    {
        var data = await SendAsync(HttpMethod.Get, "/api/v1/keys/self", null, null, ct);
        return data.Deserialize(ClientJsonContext.Default.KeySelf) ?? throw Unexpected("keys/self returned no data");
    }

    /// <summary>
    /// What <see cref="CreateTaskAsync(string, JsonObject, CreateTaskOptions?, CancellationToken)"/>
    /// would charge for this model and input (<c>POST /api/v1/jobs/quote</c>), after the server's
    /// same checks (an invalid input is the same <see cref="ReelgateValidationException"/>);
    /// nothing is created or charged.
    /// </summary>
    /// <param name="model">The model id.</param>
    /// <param name="input">The model's input object as sent on the wire.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<Quote> QuoteAsync(string model, JsonObject input, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(input);
        var body = new JsonObject { ["model"] = model, ["input"] = input.DeepClone() };
        var data = await SendAsync(HttpMethod.Post, "/api/v1/jobs/quote", body, null, ct);
        return data.Deserialize(ClientJsonContext.Default.Quote) ?? throw Unexpected("quote returned no data");
    }

    /// <summary>The account's usage from the ledger (<c>GET /api/v1/usage</c>), grouped by UTC day, model or key.</summary>
    /// <param name="from">First UTC day (the server's default: 29 days before <paramref name="to"/>).</param>
    /// <param name="to">Last UTC day, inclusive (the server's default: today).</param>
    /// <param name="groupBy"><c>day</c>, <c>model</c> or <c>key</c>.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<Usage> GetUsageAsync(DateOnly? from = null, DateOnly? to = null, string groupBy = "day", CancellationToken ct = default)
    {
        var query = new List<string> { "groupBy=" + Uri.EscapeDataString(groupBy) };
        if (from is { } f)
        {
            query.Add("from=" + f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (to is { } t)
        {
            query.Add("to=" + t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        var data = await SendAsync(HttpMethod.Get, "/api/v1/usage?" + string.Join('&', query), null, null, ct);
        return data.Deserialize(ClientJsonContext.Default.Usage) ?? throw Unexpected("usage returned no data");
    }
}
