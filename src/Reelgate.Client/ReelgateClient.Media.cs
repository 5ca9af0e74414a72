using System.Net.Http.Headers;
using System.Text.Json;

namespace Reelgate.Client;

/// <summary>Uploads (<c>POST /api/v1/files</c>) and tasks of any typed input, such as the media models'.</summary>
public sealed partial class ReelgateClient
{
    /// <summary>
    /// Uploads a local file (<c>POST /api/v1/files</c>, multipart) and returns the stored file;
    /// pass its <see cref="UploadedFileInfo.FileUrl"/> as a media input. The server checks the
    /// content (JPEG, PNG, WebP, MP4, MOV, MP3, WAV, M4A) whatever the name says; a refused file
    /// is a <see cref="ReelgateValidationException"/> (422) naming why.
    /// </summary>
    /// <param name="path">The file to upload; its name is sent for display.</param>
    /// <param name="ct">Cancels the upload.</param>
    public async Task<UploadedFileInfo> UploadAsync(string path, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return await UploadAsync(file, Path.GetFileName(path), ct);
    }

    /// <summary>
    /// Uploads <paramref name="content"/> from its current position (<c>POST /api/v1/files</c>,
    /// multipart field <c>file</c>) and returns the stored file. An upload carries no idempotency
    /// key, so only a 429 (nothing was stored) is retried; a stream that cannot seek is copied to
    /// a temporary file first so that retry can send it again.
    /// </summary>
    /// <param name="content">The bytes; not disposed.</param>
    /// <param name="fileName">A display name (the server decides the type from the content).</param>
    /// <param name="ct">Cancels the upload.</param>
    public async Task<UploadedFileInfo> UploadAsync(Stream content, string fileName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        FileStream? copy = null;
        try
        {
            var source = content;
            if (!content.CanSeek)
            {
                copy = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                await content.CopyToAsync(copy, ct);
                copy.Position = 0;
                source = copy;
            }

            var part = new StreamContent(new NonDisposingStream(source));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            var form = new MultipartFormDataContent { { part, "file", fileName } };
            var data = await SendContentAsync(HttpMethod.Post, "/api/v1/files", form, null, ct);
            return data.ValueKind == JsonValueKind.Object
                ? data.Deserialize(ClientJsonContext.Default.UploadedFileInfo) ?? throw Unexpected("files returned no data")
                : throw Unexpected("files returned no data");
        }
        finally
        {
            if (copy is not null)
            {
                await copy.DisposeAsync();
            }
        }
    }

    /// <summary>Creates a task of the input's model (image-to-video, reference-to-video, kie.ai's field names...); returns its id. The account is charged at once.</summary>
    /// <param name="input">The typed input; its <see cref="IGenerationInput.Model"/> is the model.</param>
    /// <param name="options">Callback URL and idempotency key.</param>
    /// <param name="ct">Cancels the call (the task may still have been created; retry with the same RequestId to find out).</param>
    public Task<string> CreateTaskAsync(IGenerationInput input, CreateTaskOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CreateTaskAsync(input.Model, input.ToJson(), options, ct);
    }

    /// <summary>Creates a task of any typed input and waits until it ends; throws <see cref="ReelgateTaskFailedException"/> if it fails.</summary>
    /// <param name="input">The typed input.</param>
    /// <param name="progress">Receives state and percent while the task runs.</param>
    /// <param name="ct">Stops waiting (the task keeps running; cancel it with <see cref="CancelTaskAsync"/>).</param>
    public async Task<TaskInfo> GenerateAsync(IGenerationInput input, IProgress<TaskProgress>? progress = null, CancellationToken ct = default)
    {
        var id = await CreateTaskAsync(input, null, ct);
        return (await WaitAsync(id, progress, ct)).EnsureSucceeded();
    }
}
