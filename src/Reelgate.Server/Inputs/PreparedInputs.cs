using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;

namespace Reelgate.Server.Inputs;

/// <summary>
/// A task's media inputs ready for the engines (in the spec's order) with the spec they make
/// (an adaptive ratio resolved from the first frame), or why the task cannot run: its fail code
/// (<c>input_invalid</c> for the client's input, <c>internal_error</c> when the result store
/// broke) and the client's message naming the input, e.g. <c>input.image_urls[1] could not be
/// fetched (HTTP 404); the cost was refunded</c>.
/// </summary>
public sealed record PreparedInputs(GenerationSpec Spec, IReadOnlyList<LocalMedia> Media, string? FailCode, string? Problem)
{
    public bool Ok => Problem is null;

    public static PreparedInputs Failed(GenerationSpec spec, string failCode, string problem) => new(spec, [], failCode, problem);
}
