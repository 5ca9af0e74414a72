using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Reelgate.Core.Accounts;
using Reelgate.Server.Api;
using Reelgate.Server.Options;

namespace Reelgate.Server.OpenApi;

/// <summary>
/// Writes into the generated schemas what the C# types cannot say: the rules the handlers
/// enforce on request bodies (required fields, lengths, the configured tiers), that error and
/// empty envelopes carry <c>data: null</c>, the task states, and that a model input's default
/// is a plain JSON value. The records stay the source of the shapes; this class adds only the
/// rules (the contract tests check every response and accepted request against them).
/// </summary>
public sealed class HandlerRulesSchemaTransformer(IOptions<ReelgateOptions> options) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (context.JsonPropertyInfo is not null || schema.Properties is not { } properties)
        {
            return Task.CompletedTask;
        }

        if (type == typeof(ApiEnvelope<object>))
        {
            // ApiResults.Error and OkNull are the only writers of this envelope, always with null data.
            properties["data"] = new OpenApiSchema { Type = JsonSchemaType.Null };
        }
        else if (type == typeof(ModelInputData))
        {
            // The catalog's default for the field as written there (a string, number or boolean), null when it has none.
            properties["default"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Number | JsonSchemaType.Boolean | JsonSchemaType.Null,
                Description = "The value used when the field is absent or null; null when the field has no default.",
            };
        }
        else if (type == typeof(TaskInfoData))
        {
            Replace(properties, "state", s => s.Enum = [Core.Tasks.TaskState.Waiting, Core.Tasks.TaskState.Success, Core.Tasks.TaskState.Fail]);
        }
        else if (type == typeof(CancelTaskRequest))
        {
            schema.Required = new HashSet<string> { "taskId" };
            properties["taskId"] = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, Description = "The task to cancel." };
        }
        else if (type == typeof(CreateAccountRequest))
        {
            schema.Required = new HashSet<string> { "name" };
            properties["name"] = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = AdminEndpoints.MaxNameLength, Description = "Not blank; trimmed." };
            properties["credits"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Minimum = "0", Maximum = Credits.MaxBalance.ToString(CultureInfo.InvariantCulture), Description = "Starting credits, at most 10^15; absent or null: 0." };
        }
        else if (type == typeof(AdjustCreditsRequest))
        {
            schema.Required = new HashSet<string> { "amount" };
            properties["amount"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Not = new OpenApiSchema { Enum = [0] },
                Minimum = (-Credits.MaxBalance).ToString(CultureInfo.InvariantCulture),
                Maximum = Credits.MaxBalance.ToString(CultureInfo.InvariantCulture),
                Description = "Positive to top up (the balance, with the credits of waiting tasks, never past 10^15: 422), negative to deduct (never below zero: 402).",
            };
            properties["reason"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, MaxLength = AdminEndpoints.MaxReasonLength, Description = "Recorded in the ledger; absent: top-up or deduction." };
        }
        else if (type == typeof(CreateKeyRequest))
        {
            schema.Required = new HashSet<string>();
            properties["name"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, MaxLength = AdminEndpoints.MaxNameLength, Description = "Absent or blank: default." };
            properties["tier"] = new OpenApiSchema
            {
                AnyOf =
                [
                    new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. options.Value.Tiers.Keys.Order(StringComparer.Ordinal).Select(t => (System.Text.Json.Nodes.JsonNode)t)] },
                    new OpenApiSchema { Type = JsonSchemaType.Null },
                ],
                Description = "A configured rate-limit tier; absent or null: free.",
            };
        }

        return Task.CompletedTask;
    }

    private static void Replace(IDictionary<string, IOpenApiSchema> properties, string name, Action<OpenApiSchema> change)
    {
        if (properties.TryGetValue(name, out var existing) && existing is OpenApiSchema schema)
        {
            change(schema);
        }
    }
}
