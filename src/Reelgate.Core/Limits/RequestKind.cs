namespace Reelgate.Core.Limits;

/// <summary>Which of a tier's rate buckets a request counts against.</summary>
public enum RequestKind
{
    /// <summary>createTask.</summary>
    Create,

    /// <summary>recordInfo and the other read calls.</summary>
    Read,
}
