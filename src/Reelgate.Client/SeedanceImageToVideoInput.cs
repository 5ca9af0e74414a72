using System.Text.Json.Nodes;

namespace Reelgate.Client;

/// <summary>
/// Typed input of <c>seedance-2.0-image-to-video</c>: one or two images, the first the first frame,
/// a second the last. Each URL is an https/http URL, a base64 <c>data:</c> URI, or the
/// <see cref="UploadedFileInfo.FileUrl"/> of an upload. Null fields are left out and take the model's defaults.
/// </summary>
public sealed record SeedanceImageToVideoInput : IGenerationInput
{
    /// <summary>The model id this input is for.</summary>
    public const string ModelId = "seedance-2.0-image-to-video";

    /// <inheritdoc />
    public string Model => ModelId;

    /// <summary>Text prompt describing the motion, 1 to 20000 characters.</summary>
    public required string Prompt { get; init; }

    /// <summary><c>image_urls</c>: 1 or 2 images (JPEG, PNG or WebP): first frame, then last frame.</summary>
    public required IReadOnlyList<string> ImageUrls { get; init; }

    /// <summary><c>16:9</c>, <c>9:16</c>, <c>1:1</c>, <c>4:3</c>, <c>3:4</c>, <c>21:9</c> or <c>adaptive</c> (the default: nearest the first image).</summary>
    public string? Ratio { get; init; }

    /// <summary><c>480p</c>, <c>720p</c> or <c>1080p</c>.</summary>
    public string? Resolution { get; init; }

    /// <summary>Seconds, 4 to 15.</summary>
    public int? Duration { get; init; }

    /// <summary>Adds an audio track.</summary>
    public bool? GenerateAudio { get; init; }

    /// <summary>Seed; -1 for random.</summary>
    public long? Seed { get; init; }

    /// <summary>Ask the platform to search the web for the prompt.</summary>
    public bool? WebSearch { get; init; }

    /// <summary>Ask the platform to check the output for NSFW content.</summary>
    public bool? NsfwChecker { get; init; }

    /// <summary>Also return the video's last frame as a PNG (<c>resultJson.lastFrameUrl</c>).</summary>
    public bool? ReturnLastFrame { get; init; }

    /// <inheritdoc />
    public JsonObject ToJson() => new JsonObject { ["prompt"] = Prompt }
        .With("image_urls", ImageUrls)
        .With("ratio", Ratio)
        .With("resolution", Resolution)
        .With("duration", Duration)
        .With("generate_audio", GenerateAudio)
        .With("seed", Seed)
        .With("web_search", WebSearch)
        .With("nsfw_checker", NsfwChecker)
        .With("return_last_frame", ReturnLastFrame);
}
