namespace Reelgate.Core.Media;

/// <summary>
/// One media input of a generation, resolved at create and stored in the spec: its role, the
/// client's field and index (for error messages: <c>input.image_urls[1]</c>), the URL as the
/// client sent it (<c>https://</c>, <c>http://</c>, or the signed URL of an upload), and, when it
/// names a file uploaded to this server (or a <c>data:</c> URI stored as one at create), that
/// file's id: such an input is read from storage, never fetched.
/// </summary>
public sealed record MediaInput(string Role, string Field, int Index, string Url)
{
    public string? FileId { get; init; }

    public MediaKind Kind => MediaRoles.KindOf(Role);

    /// <summary>How errors name it: <c>input.image_urls[1]</c>, or <c>input.first_frame_url</c> for a single-URL field.</summary>
    public string Where => Index < 0 ? "input." + Field : $"input.{Field}[{Index}]";
}
