namespace Reelgate.Engines.Tests;

/// <summary>
/// One render cache directory for every emulator of a test class: equal specs render once per
/// class instead of once per test. Deleted when the class is done.
/// </summary>
public sealed class ArkRenderCacheFixture : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("reelgate-ark-renders-").FullName;

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a render still finishing.
        }
    }
}
