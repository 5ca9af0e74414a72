using System.Security.Cryptography;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Media;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The shots of a reference-to-video: the reference images and videos in the spec's order,
/// cycled to fill the duration (about one shot per three seconds, at least one per reference,
/// at most one per second), joined by half-second crossfades. The shot lengths add up, with the
/// overlaps taken off, to exactly the spec's frame count. Each shot's camera move and each video
/// shot's first frame are drawn from the prompt-and-seed hash and the shot's index.
/// </summary>
public sealed record StoryboardPlan(IReadOnlyList<StoryboardShot> Shots, int TransitionFrames)
{
    public static StoryboardPlan From(GenerationSpec s, IReadOnlyList<LocalMedia> references, byte[] hash)
    {
        if (references.Count == 0)
        {
            throw new ArgumentException("a storyboard needs at least one reference image or video", nameof(references));
        }

        var n = s.FrameCount;
        var count = Math.Max(references.Count, (int)Math.Ceiling(s.DurationSeconds / 3.0));
        count = Math.Max(1, Math.Min(count, s.DurationSeconds));
        var transition = count == 1 ? 0 : Math.Max(1, s.Fps / 2);
        var total = n + ((count - 1) * transition);
        var shots = new List<StoryboardShot>(count);
        for (var i = 0; i < count; i++)
        {
            var media = references[i % references.Count];
            var frames = (total / count) + (i < total % count ? 1 : 0);
            var shotHash = SHA256.HashData([.. hash, (byte)i]);
            var start = 0;
            var isVideo = media.Info.Kind == MediaKind.Video;
            if (isVideo)
            {
                // Stay a few frames short of the end: the container's duration can round up.
                var available = (int)Math.Floor(media.Info.DurationSeconds * s.Fps) - 2;
                var room = available - frames;
                start = room > 0 ? (int)(BitConverter.ToUInt32(shotHash, 4) % (uint)(room + 1)) : 0;
            }

            shots.Add(new StoryboardShot(media.Path, isVideo, frames, start, CameraMove.Gentle(shotHash)));
        }

        return new StoryboardPlan(shots, transition);
    }
}
