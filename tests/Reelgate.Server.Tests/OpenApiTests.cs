using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Reelgate.Core.Catalog;
using Reelgate.Server.OpenApi;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>The OpenAPI document cannot drift: every route is in it with its error codes, and the input schema is the catalog.</summary>
public sealed class OpenApiTests
{
    [Fact]
    public async Task Document_DescribesEveryApiRouteWithItsEnvelopeAndErrors()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        using var http = server.NewClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!.AsObject();
        var paths = doc["paths"]!.AsObject();

        var routes = server.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Path: e.RoutePattern.RawText!, Method: m.ToLowerInvariant())))
            .ToList();
        Assert.True(routes.Count >= 16, $"only {routes.Count} routes found");
        foreach (var (path, method) in routes)
        {
            var operation = paths[path]?[method]?.AsObject();
            Assert.True(operation is not null, $"{method} {path} is missing from the OpenAPI document");
            var responses = operation["responses"]!.AsObject();
            Assert.True(responses.ContainsKey("200"), $"{method} {path} has no 200");
            Assert.True(responses.ContainsKey("401"), $"{method} {path} does not document 401");
            Assert.False(string.IsNullOrEmpty((string?)operation["summary"]), $"{method} {path} has no summary");
        }

        var create = paths["/api/v1/jobs/createTask"]!["post"]!.AsObject();
        Assert.Equal(["200", "400", "401", "402", "409", "422", "429", "500", "503"], create["responses"]!.AsObject().Select(r => r.Key).Order());
    }

    [Fact]
    public async Task CreateTaskSchema_IsTheCatalog_AndItsExampleIsAcceptedByTheServer()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        using var http = server.NewClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;
        var body = doc["paths"]!["/api/v1/jobs/createTask"]!["post"]!["requestBody"]!["content"]!["application/json"]!;
        var catalog = server.Get<ModelCatalog>();
        var branches = body["schema"]!["oneOf"]!.AsArray();
        Assert.Equal(catalog.Models.Select(m => m.Id), branches.Select(b => (string?)b!["title"]));
        var input = branches[0]!["properties"]!["input"]!["properties"]!.AsObject();
        var model = catalog.Models.First();

        Assert.Equal(model.Input.Select(f => f.Name), input.Select(p => p.Key));
        Assert.Equal([.. model.Input.Single(f => f.Name == "ratio").Values!, null], input["ratio"]!["enum"]!.AsArray().Select(v => (string?)v));
        Assert.Equal((4, 15), ((int)input["duration"]!["minimum"]!, (int)input["duration"]!["maximum"]!));
        Assert.Equal((1, 20000), ((int)input["prompt"]!["x-trimmed-length"]!["minLength"]!, (int)input["prompt"]!["x-trimmed-length"]!["maxLength"]!));

        // The documented example is the seed's request example, and the live server accepts it.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(CatalogDocumentTransformer.SeedExample), body["example"]));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);
        var (status, _, _) = await client.PostRawAsync("/api/v1/jobs/createTask", body["example"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, status);

        // Each model's branch has an example the server accepts at create (image and reference
        // models name example.com files, which the worker would fetch later; Workers=0 here).
        foreach (var branch in branches)
        {
            var (accepted, answer, _) = await client.PostRawAsync("/api/v1/jobs/createTask", branch!["examples"]![0]!.ToJsonString());
            Assert.True(accepted == HttpStatusCode.OK, $"{branch["title"]}: {answer}");
        }

        using var docs = await http.GetAsync("/docs/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType!.MediaType);
    }
}
