namespace Reelgate.Server.Workers;

/// <summary>
/// <c>{Reelgate:DataDirectory}/work</c>: where engines write a claim's video and poster before
/// they go to the result store (and the benchmark engine its template); the one place that
/// builds these paths. Files are named by task and claim, so a second claim of a task never
/// writes over a first one that is still being killed. Nothing here is worth keeping: a worker
/// start deletes what a crashed process left.
/// </summary>
public sealed class WorkDirectory(string dataDirectory)
{
    public string Path { get; } = System.IO.Path.Combine(dataDirectory, "work");

    /// <summary>The video and poster paths of one claim of a task; creates the directory.</summary>
    public (string Video, string Poster) ClaimFiles(string taskId, int claim)
    {
        Directory.CreateDirectory(Path);
        var stem = System.IO.Path.Combine(Path, $"{taskId}-{claim}");
        return (stem + ".mp4", stem + ".jpg");
    }

    /// <summary>Removes partial outputs a crashed process left behind.</summary>
    public void DeleteLeftovers()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(Path))
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // In use by another process on the same data directory; leave it.
            }
        }
    }
}
