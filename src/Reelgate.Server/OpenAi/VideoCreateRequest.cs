using System.Text.Json;
using Reelgate.Server.Uploads;

namespace Reelgate.Server.OpenAi;

/// <summary>
/// A <c>POST /v1/videos</c> request as read from JSON or multipart, before it is mapped onto a
/// catalog model. Values keep their JSON form (a prompt that is a number reaches the catalog's
/// rule and is refused there, with its message); multipart values are strings.
/// </summary>
public sealed class VideoCreateRequest : IDisposable
{
    public JsonElement? Prompt { get; set; }

    public string? Model { get; set; }

    /// <summary><c>seconds</c>: a JSON number, or a string ("8", as the SDKs send it).</summary>
    public JsonElement? Seconds { get; set; }

    public string? Size { get; set; }

    /// <summary><c>input_reference</c> as a URL (a string, or <c>{"image_url": ...}</c>).</summary>
    public string? ImageUrl { get; set; }

    /// <summary><c>input_reference</c> as <c>{"file_id": "file_..."}</c>: a file uploaded with <c>POST /api/v1/files</c>.</summary>
    public string? FileId { get; set; }

    /// <summary><c>input_reference</c> as a multipart file part, spooled to the work directory.</summary>
    public SpooledFile? File { get; set; }

    public string? FileName { get; set; }

    public bool HasReference => ImageUrl is not null || FileId is not null || File is not null;

    public void Dispose() => File?.Dispose();
}
