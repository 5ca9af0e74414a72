using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Reelgate.Server.OpenApi;

/// <summary>
/// The two Bearer keys and which operations need which: every <c>/api/v1</c> operation and the
/// kie.ai upload routes (<c>/api/file-*</c>) an API key (<c>ApiCaller</c>), every <c>/api/admin</c> operation the admin key (the admin group's
/// filter). Health and result files need none (a result URL carries its own signature).
/// </summary>
public sealed class SecurityDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string ApiKey = "apiKey";
    public const string AdminKey = "adminKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (sk-...) made by POST /api/admin/accounts/{accountId}/keys: `Authorization: Bearer sk-...` on every /api/v1 call and every /v1 (OpenAI Videos) call. " +
                "Missing, unknown, revoked or of a disabled account: 401 authentication failed (on /v1: OpenAI's invalid_api_key).",
        };
        document.Components.SecuritySchemes[AdminKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The admin key (Reelgate:AdminKey, else the generated admin.key in the data directory): `Authorization: Bearer <admin key>` " +
                "on every /api/admin call. API keys are refused there with 401.",
        };

        foreach (var (path, item) in document.Paths)
        {
            var scheme = path.StartsWith("/api/v1/", StringComparison.Ordinal) || path.StartsWith("/api/file-", StringComparison.Ordinal) || path.StartsWith("/v1/", StringComparison.Ordinal) ? ApiKey
                : path.StartsWith("/api/admin/", StringComparison.Ordinal) ? AdminKey
                : null;
            if (scheme is null)
            {
                continue;
            }

            foreach (var operation in item.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] }];
            }
        }

        return Task.CompletedTask;
    }
}
