namespace Reelgate.Data;

/// <summary>How a backup or a restore ended (expected outcomes, not exceptions).</summary>
public enum MaintenanceStatus
{
    /// <summary>Written and verified (backup) or put in place (restore).</summary>
    Done,

    /// <summary>A check failed: the copy or the backup is not sound; nothing was changed.</summary>
    CheckFailed,

    /// <summary>Refused: another process uses the database (a server, or a running restore).</summary>
    InUse,

    /// <summary>The paths given cannot work (no such file or directory, the database itself as target).</summary>
    BadInput,
}
