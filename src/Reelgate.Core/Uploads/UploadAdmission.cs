namespace Reelgate.Core.Uploads;

/// <summary>What <see cref="IUploadStore.AddAsync"/> did: recorded the file, or refused it because the account's unexpired uploads would pass the quota.</summary>
public sealed record UploadAdmission(bool Added, long UsedBytes)
{
    public static UploadAdmission Accepted(long usedBytes) => new(true, usedBytes);

    public static UploadAdmission OverQuota(long usedBytes) => new(false, usedBytes);
}
