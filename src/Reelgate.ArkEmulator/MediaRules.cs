namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// Seedance 2.0's rules for the media items of one create, as ModelArk applies them (each
/// breach is a 400 <c>InvalidParameter</c> naming the item):
/// <list type="bullet">
/// <item>first_frame and last_frame are image_url items, at most one of each, and a last frame needs a first frame;</item>
/// <item>frames (image-to-video) and references (reference-to-video) do not mix;</item>
/// <item>references: up to 9 images, 3 videos, 3 audios, 12 media in all; audio needs a reference image or video beside it;</item>
/// <item>an image item without a role is the first frame when it is the request's only image; with more images it needs a role;
/// a video or audio item without one is a reference.</item>
/// </list>
/// </summary>
internal static class MediaRules
{
    public const int MaxReferenceImages = 9;
    public const int MaxReferenceVideos = 3;
    public const int MaxReferenceAudios = 3;
    public const int MaxMedia = 12;

    private const string FirstFrame = "first_frame";
    private const string LastFrame = "last_frame";
    private const string ReferenceImage = "reference_image";
    private const string ReferenceVideo = "reference_video";
    private const string ReferenceAudio = "reference_audio";

    /// <summary>The content item type a role takes.</summary>
    public static string TypeOf(string role) => role switch
    {
        ReferenceVideo => "video_url",
        ReferenceAudio => "audio_url",
        _ => "image_url",
    };

    /// <summary>The first breach, or null. Items are the content array in order (text included), roles as sent.</summary>
    public static RequestProblem? Check(IReadOnlyList<ArkContentItem> items)
    {
        var images = items.Count(i => i.Type == "image_url");
        var roles = new List<(int At, string Role)>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Type == "text")
            {
                continue;
            }

            if ((items[i].Role ?? DefaultRole(items[i].Type, images)) is not { } role)
            {
                return Problem(i, "is required when the request has more than one image");
            }

            roles.Add((i, role));
        }

        var firsts = roles.Where(r => r.Role == FirstFrame).ToList();
        var lasts = roles.Where(r => r.Role == LastFrame).ToList();
        if (firsts.Count > 1)
        {
            return Problem(firsts[1].At, "only one first_frame is allowed");
        }

        if (lasts.Count > 1)
        {
            return Problem(lasts[1].At, "only one last_frame is allowed");
        }

        if (lasts.Count == 1 && firsts.Count == 0)
        {
            return Problem(lasts[0].At, "a last_frame needs a first_frame");
        }

        var references = roles.Where(r => r.Role is not (FirstFrame or LastFrame)).ToList();
        if (firsts.Count + lasts.Count > 0 && references.Count > 0)
        {
            return Problem(references[0].At, "first/last frames and reference media cannot be combined in one request");
        }

        var refImages = references.Count(r => r.Role == ReferenceImage);
        var refVideos = references.Count(r => r.Role == ReferenceVideo);
        var refAudios = references.Where(r => r.Role == ReferenceAudio).ToList();
        if (refImages > MaxReferenceImages)
        {
            return new RequestProblem(false, "content", $"at most {MaxReferenceImages} reference images are allowed");
        }

        if (refVideos > MaxReferenceVideos)
        {
            return new RequestProblem(false, "content", $"at most {MaxReferenceVideos} reference videos are allowed");
        }

        if (refAudios.Count > MaxReferenceAudios)
        {
            return new RequestProblem(false, "content", $"at most {MaxReferenceAudios} reference audios are allowed");
        }

        if (roles.Count > MaxMedia)
        {
            return new RequestProblem(false, "content", $"at most {MaxMedia} media items are allowed");
        }

        if (refAudios.Count > 0 && refImages + refVideos == 0)
        {
            return Problem(refAudios[0].At, "reference_audio needs at least one reference image or video in the request");
        }

        return null;
    }

    /// <summary>The items with the role each one plays (checked by <see cref="Check"/> first).</summary>
    public static IReadOnlyList<ArkContentItem> ApplyDefaultRoles(IReadOnlyList<ArkContentItem> items)
    {
        var images = items.Count(i => i.Type == "image_url");
        return [.. items.Select(i => i.Type == "text" ? i : i with { EffectiveRole = i.Role ?? DefaultRole(i.Type, images) })];
    }

    private static string? DefaultRole(string type, int images) => type switch
    {
        "image_url" => images == 1 ? FirstFrame : null,
        "video_url" => ReferenceVideo,
        "audio_url" => ReferenceAudio,
        _ => null,
    };

    private static RequestProblem Problem(int at, string why) => new(false, $"content[{at}].role", why);
}
