using Reelgate.Core.Media;
using Reelgate.Core.Results;

namespace Reelgate.Core.Tests;

public sealed class TaskFilesTests
{
    [Fact]
    public void InputKeys_NameEveryExtensionOfEachInputsKind_AllValidKeys()
    {
        MediaInput[] media =
        [
            new(MediaRoles.FirstFrame, "image_urls", 0, "https://a.example/x.png"),
            new(MediaRoles.ReferenceVideo, "video_urls", 0, "https://a.example/x.mp4"),
        ];

        var keys = TaskFiles.InputKeys("task_abc", media).ToList();

        Assert.Equal(["task_abc/input-0.png", "task_abc/input-0.jpg", "task_abc/input-0.webp", "task_abc/input-1.mp4", "task_abc/input-1.mov"], keys);
        Assert.All(keys, k => Assert.True(ResultKeys.IsValid(k), k));
        Assert.True(ResultKeys.IsValid("task_abc/" + TaskFiles.LastFrame));
    }

    [Fact]
    public void Extensions_CoverEveryAcceptedFormat()
    {
        MediaFormat[] formats = [MediaFormat.Png, MediaFormat.Jpeg, MediaFormat.WebP, MediaFormat.Mp4, MediaFormat.Mov, MediaFormat.Mp3, MediaFormat.Wav, MediaFormat.M4a];

        Assert.All(formats, f => Assert.Contains(f.Extension, TaskFiles.Extensions(f.Kind)));
    }
}
