namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>A response (or an accepted request) the served OpenAPI document does not describe.</summary>
public sealed class ContractViolationException(string message) : Exception(message);
