// The tests run where Reelgate runs: Debian, with ffmpeg, file modes and SIGKILL semantics.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
