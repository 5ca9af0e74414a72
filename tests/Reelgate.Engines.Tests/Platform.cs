// The renderer runs where Reelgate runs: Debian with ffmpeg and /proc.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
