namespace Reelgate.Server.Api;

/// <summary>The spec's envelope: <c>{"code":200,"msg":"success","data":...}</c>; HTTP status equals code.</summary>
public sealed record ApiEnvelope<T>(int Code, string Msg, T? Data);
