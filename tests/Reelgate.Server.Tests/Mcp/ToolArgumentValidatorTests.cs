using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Server.Mcp;

namespace Reelgate.Server.Tests.Mcp;

/// <summary>The schema subset the MCP tools use, enforced as JSON Schema means it.</summary>
public sealed class ToolArgumentValidatorTests
{
    private static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","additionalProperties":false,"required":["name"],"properties":{
          "name":{"type":"string","minLength":2,"maxLength":4},
          "count":{"type":"integer","minimum":1},
          "ratio":{"type":"number","maximum":1.5},
          "mode":{"type":"string","enum":["a","b"]},
          "on":{"type":"boolean"},
          "link":{"type":"string","format":"uri"}}}
        """)!.AsObject();

    private static string? Validate(string arguments) =>
        ToolArgumentValidator.Validate("t", Schema, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(arguments)!);

    [Theory]
    [InlineData("""{"name":"ab"}""")]
    [InlineData("""{"name":"😀😀😀😀","count":5.0,"ratio":-3,"mode":"b","on":false,"link":"not checked: format is an annotation"}""")]
    [InlineData("""{"name":"abc","count":null,"mode":null}""")]
    [InlineData("""{"name":"abc","count":1e3}""")]
    public void Validate_IsNull_WhenArgumentsFitTheSchema(string arguments) => Assert.Null(Validate(arguments));

    [Theory]
    [InlineData("""{}""", "name is required")]
    [InlineData("""{"name":null}""", "name is required")]
    [InlineData("""{"name":"a"}""", "name must be a string of 2 to 4 characters")]
    [InlineData("""{"name":"abcde"}""", "name must be a string of 2 to 4 characters")]
    [InlineData("""{"name":"\ud800x"}""", "name must be a string of 2 to 4 characters")]
    [InlineData("""{"name":"ab","count":0}""", "count must be a whole number of at least 1")]
    [InlineData("""{"name":"ab","count":1.5}""", "count must be a whole number of at least 1")]
    [InlineData("""{"name":"ab","count":"3"}""", "count must be a whole number of at least 1")]
    [InlineData("""{"name":"ab","ratio":1.6}""", "ratio must be a number of at most 1.5")]
    [InlineData("""{"name":"ab","mode":"c"}""", "mode must be one of a, b")]
    [InlineData("""{"name":"ab","on":1}""", "on must be true or false")]
    [InlineData("""{"name":"ab","extra":1}""", "extra is not an argument of t")]
    public void Validate_NamesTheBrokenRule(string arguments, string message) => Assert.Equal("validation error: " + message, Validate(arguments));

    [Theory]
    [InlineData("""{"type":"object","properties":{"x":{"type":"string","pattern":"^a"}}}""")]
    [InlineData("""{"type":"object","properties":{"x":{"type":["string","null"]}}}""")]
    [InlineData("""{"type":"object","properties":{},"oneOf":[]}""")]
    public void EnsureSupported_Throws_WhenASchemaUsesAKeywordTheValidatorWouldNotEnforce(string schema) =>
        Assert.Throws<InvalidOperationException>(() => ToolArgumentValidator.EnsureSupported("t", JsonNode.Parse(schema)!.AsObject()));
}
