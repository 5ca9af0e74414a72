namespace Reelgate.Server.Inputs;

/// <summary>Copies a stream to a file, stopping as soon as it passes a size limit (an endless body costs at most the limit).</summary>
public static class LimitedCopy
{
    public static async Task<FetchOutcome> ToFileAsync(Stream source, string destination, long maxBytes, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        await using var file = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                return FetchOutcome.TooLarge(maxBytes);
            }

            await file.WriteAsync(buffer.AsMemory(0, read), ct);
        }

        return total == 0 ? FetchOutcome.Refused("is empty") : FetchOutcome.Done;
    }
}
