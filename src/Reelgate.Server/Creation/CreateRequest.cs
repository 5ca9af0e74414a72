using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Reelgate.Core.Limits;
using Reelgate.Server.Security;

namespace Reelgate.Server.Creation;

/// <summary>
/// A createTask body from any surface. <see cref="AdmittedTier"/> is set when the surface already
/// counted this call against the key's create budget (the <c>/api/v1</c> filter, an MCP tool
/// call); when null, the creator counts it itself (the Playground), so no call is counted twice
/// and none is left uncounted.
/// </summary>
/// <param name="RequestIds">The X-Request-ID values (several is a bad request; none for no idempotency).</param>
/// <param name="BaseUrl">The origin the client called, for result URLs in callbacks.</param>
public sealed record CreateRequest(AuthenticatedKey Key, JsonElement Body, StringValues RequestIds, string BaseUrl)
{
    public TierLimits? AdmittedTier { get; init; }

    /// <summary>
    /// A surface's own check of its other arguments (MCP's tool schema), run after the input has
    /// passed the catalog's rules and before anything is stored, so the input is validated once
    /// and the catalog's messages come first. A message (the detail after "validation error: ")
    /// refuses the call as invalid input.
    /// </summary>
    public Func<string?>? ArgumentCheck { get; init; }

    /// <summary>
    /// What "the same body" means for the request id, when it is not the stored <c>param</c>: a
    /// surface that stores a fresh upload per request (OpenAI's multipart <c>input_reference</c>)
    /// gives the request with the file's content hash in place of its new URL, so a retry with
    /// the same file replays the first task instead of conflicting with it.
    /// </summary>
    public string? IdempotencyText { get; init; }
}
