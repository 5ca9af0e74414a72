namespace Reelgate.Server.Options;

/// <summary><c>Reelgate:OpenAi</c>: the OpenAI-compatible Videos API at <c>/v1/videos</c> (docs/openai-compatible.md).</summary>
public sealed class OpenAiOptions
{
    /// <summary>The catalog model (id or alias) of a create that names none and has no <c>input_reference</c>.</summary>
    public string DefaultModel { get; set; } = "seedance-2.0-text-to-video";

    /// <summary>The catalog model of a create that names none and has an <c>input_reference</c> (its first frame).</summary>
    public string DefaultImageModel { get; set; } = "seedance-2.0-image-to-video";

    /// <summary>The <c>size</c> of a create that names none, when the model has it (else the model's own defaults).</summary>
    public string DefaultSize { get; set; } = "1280x720";
}
