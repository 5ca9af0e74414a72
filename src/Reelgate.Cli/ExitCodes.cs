using Reelgate.Client;

namespace Reelgate.Cli;

/// <summary>The exit codes of <c>reelgate</c> (documented in docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;
    public const int Authentication = 3;
    public const int InsufficientCredits = 4;
    public const int NotFound = 5;
    public const int Invalid = 6;
    public const int Conflict = 7;
    public const int RateLimited = 8;
    public const int TaskFailed = 9;
    public const int Unavailable = 10;
    public const int Interrupted = 130;

    /// <summary>The exit code for an API error.</summary>
    public static int For(ReelgateApiException e) => e.Code switch
    {
        401 => Authentication,
        402 => InsufficientCredits,
        404 => NotFound,
        400 or 422 => Invalid,
        409 => Conflict,
        429 => RateLimited,
        >= 500 => Unavailable,
        _ => Error,
    };
}
