using System.Text.Json.Nodes;

namespace Reelgate.Client;

/// <summary>
/// Typed input of kie.ai's <c>bytedance/seedance-2</c> and <c>bytedance/seedance-2-fast</c>: text,
/// first/last frame, or multimodal references (frames and references do not mix; the mode follows
/// from the inputs). Each URL is an https/http URL, a base64 <c>data:</c> URI, or the
/// <see cref="UploadedFileInfo.FileUrl"/> of an upload. Null fields are left out and take the model's defaults.
/// </summary>
public sealed record BytedanceSeedance2Input : IGenerationInput
{
    /// <summary>The standard model.</summary>
    public const string StandardModelId = "bytedance/seedance-2";

    /// <summary>The fast model: 480p and 720p only, cheaper.</summary>
    public const string FastModelId = "bytedance/seedance-2-fast";

    /// <summary>The model id: <see cref="StandardModelId"/> (the default) or <see cref="FastModelId"/>.</summary>
    public string Model { get; init; } = StandardModelId;

    /// <summary>Text prompt, 1 to 20000 characters.</summary>
    public required string Prompt { get; init; }

    /// <summary><c>first_frame_url</c>: the image of the first frame.</summary>
    public string? FirstFrameUrl { get; init; }

    /// <summary><c>last_frame_url</c>: the image of the last frame; needs <see cref="FirstFrameUrl"/>.</summary>
    public string? LastFrameUrl { get; init; }

    /// <summary><c>reference_image_urls</c>: up to 9 images.</summary>
    public IReadOnlyList<string>? ReferenceImageUrls { get; init; }

    /// <summary><c>reference_video_urls</c>: up to 3 videos, 2 to 15 s.</summary>
    public IReadOnlyList<string>? ReferenceVideoUrls { get; init; }

    /// <summary><c>reference_audio_urls</c>: up to 3 audio clips, up to 15 s; need a reference image or video.</summary>
    public IReadOnlyList<string>? ReferenceAudioUrls { get; init; }

    /// <summary>Also return the video's last frame as a PNG (<c>resultJson.lastFrameUrl</c>).</summary>
    public bool? ReturnLastFrame { get; init; }

    /// <summary>Adds an audio track.</summary>
    public bool? GenerateAudio { get; init; }

    /// <summary><c>480p</c>, <c>720p</c> (or <c>1080p</c>, standard only).</summary>
    public string? Resolution { get; init; }

    /// <summary><c>aspect_ratio</c>: <c>16:9</c>, <c>9:16</c>, <c>1:1</c>, <c>4:3</c>, <c>3:4</c>, <c>21:9</c> or <c>adaptive</c>.</summary>
    public string? AspectRatio { get; init; }

    /// <summary>Seconds, 4 to 15.</summary>
    public int? Duration { get; init; }

    /// <summary>Ask the platform to search the web for the prompt.</summary>
    public bool? WebSearch { get; init; }

    /// <inheritdoc />
    public JsonObject ToJson() => new JsonObject { ["prompt"] = Prompt }
        .With("first_frame_url", FirstFrameUrl)
        .With("last_frame_url", LastFrameUrl)
        .With("reference_image_urls", ReferenceImageUrls)
        .With("reference_video_urls", ReferenceVideoUrls)
        .With("reference_audio_urls", ReferenceAudioUrls)
        .With("return_last_frame", ReturnLastFrame)
        .With("generate_audio", GenerateAudio)
        .With("resolution", Resolution)
        .With("aspect_ratio", AspectRatio)
        .With("duration", Duration)
        .With("web_search", WebSearch);
}
