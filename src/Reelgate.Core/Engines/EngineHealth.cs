namespace Reelgate.Core.Engines;

/// <summary>An engine's readiness: <see cref="Detail"/> says what is wrong or which tool version runs.</summary>
public sealed record EngineHealth(bool Available, string Detail);
