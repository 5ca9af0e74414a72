using System.Text.Json;
using Microsoft.Extensions.Options;
using Reelgate.Core.Results;
using Reelgate.Core.Tasks;
using Reelgate.Server.Options;
using Reelgate.Server.Security;

namespace Reelgate.Server.Api;

/// <summary>Turns a stored task into recordInfo's <c>data</c>, signing fresh result URLs.</summary>
public sealed class TaskView(ResultUrlSigner signer, IOptions<ReelgateOptions> options)
{
    private readonly ReelgateOptions _options = options.Value;

    public TaskInfoData ToData(TaskRecord t, HttpRequest request) => ToData(t, BaseUrl(request));

    /// <summary>The data for a callback: result URLs on PublicBaseUrl, else the origin the client called.</summary>
    public TaskInfoData ToCallbackData(TaskRecord t) =>
        ToData(t, string.IsNullOrEmpty(_options.PublicBaseUrl) ? t.BaseUrl ?? "http://127.0.0.1" : _options.PublicBaseUrl);

    public TaskInfoData ToData(TaskRecord t, string baseUrl)
    {
        string? resultJson = null;
        string? thumbnailUrl = null;
        long? expireTime = null;
        bool? expired = null;
        if (t.State == TaskState.Success)
        {
            // Retention: files go after Reelgate:ResultRetention (zero: kept forever); the record stays.
            expired = t.ResultsExpiredAt is not null;
            expireTime = t.ResultsExpiredAt ?? (_options.ResultRetention > TimeSpan.Zero && t.CompleteTime is { } done0 ? done0 + (long)_options.ResultRetention.TotalMilliseconds : null);
        }

        if (t.State == TaskState.Success && t.ResultKey is { } key && expired != true)
        {
            var url = signer.Sign(baseUrl, key, _options.ResultUrlTtl);
            thumbnailUrl = t.ThumbnailKey is { } thumb ? signer.Sign(baseUrl, thumb, _options.ResultUrlTtl) : null;
            var lastFrameUrl = t.Spec is { ReturnLastFrame: true } ? signer.Sign(baseUrl, t.TaskId + "/" + TaskFiles.LastFrame, _options.ResultUrlTtl) : null;
            resultJson = JsonSerializer.Serialize(new ResultJsonData([url], lastFrameUrl), ApiJsonContext.Web.ResultJsonData);
        }

        long? costTime = t.CompleteTime is { } done && t.StartTime is { } start ? Math.Max(0, done - start) : null;
        return new TaskInfoData(
            t.TaskId,
            t.Model,
            t.State,
            t.Param,
            resultJson,
            t.FailCode,
            t.FailMsg,
            costTime,
            t.CompleteTime,
            t.CreateTime,
            t.UpdateTime,
            t.State == TaskState.Fail ? 0 : t.Cost,
            t.Progress,
            t.Seed,
            thumbnailUrl,
            expireTime,
            expired);
    }

    /// <summary><c>Reelgate:PublicBaseUrl</c>, else the request's own scheme and host.</summary>
    public string BaseUrl(HttpRequest request) =>
        string.IsNullOrEmpty(_options.PublicBaseUrl) ? $"{request.Scheme}://{request.Host}" : _options.PublicBaseUrl;
}
