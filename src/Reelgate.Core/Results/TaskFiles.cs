using Reelgate.Core.Media;

namespace Reelgate.Core.Results;

/// <summary>
/// The names of a task's files in the result store (<c>{taskId}/{name}</c>): the video, its
/// poster, the last frame, and each checked media input (<c>input-{n}.{ext}</c>, with the
/// extension inspection found). Every one of them expires with the task's results.
/// </summary>
public static class TaskFiles
{
    public const string Video = "video.mp4";
    public const string Poster = "thumb.jpg";
    public const string LastFrame = "lastframe.png";

    /// <summary>A JPEG grid of the video's frames, made on first request (OpenAI's <c>variant=spritesheet</c>).</summary>
    public const string SpriteSheet = "spritesheet.jpg";

    /// <summary>The extensions an input of a kind can be stored under (the formats inspection accepts).</summary>
    public static IReadOnlyList<string> Extensions(MediaKind kind) => kind switch
    {
        MediaKind.Image => ["png", "jpg", "webp"],
        MediaKind.Video => ["mp4", "mov"],
        _ => ["mp3", "wav", "m4a"],
    };

    public static string Input(int index, string extension) => $"input-{index}.{extension}";

    /// <summary>Every key the media inputs of a task may be stored under (for retention and clean-up; absent ones are skipped by the store).</summary>
    public static IEnumerable<string> InputKeys(string taskId, IReadOnlyList<MediaInput> media) =>
        media.SelectMany((input, n) => Extensions(input.Kind).Select(ext => taskId + "/" + Input(n, ext)));

    /// <summary>
    /// Every file a finished task may have in the result store: the video, the poster, the last
    /// frame, the sprite sheet and the stored media inputs. Retention and a delete remove exactly
    /// these (absent ones are no error).
    /// </summary>
    public static IEnumerable<string> AllKeys(Tasks.TaskRecord t)
    {
        if (t.ResultKey is { } video)
        {
            yield return video;
        }

        if (t.ThumbnailKey is { } poster)
        {
            yield return poster;
        }

        if (t.Spec is { ReturnLastFrame: true })
        {
            yield return t.TaskId + "/" + LastFrame;
        }

        yield return t.TaskId + "/" + SpriteSheet;
        foreach (var key in InputKeys(t.TaskId, t.Spec?.Media ?? []))
        {
            yield return key;
        }
    }
}
