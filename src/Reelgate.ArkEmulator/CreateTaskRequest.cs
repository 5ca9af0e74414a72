using System.Text.Json;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// A validated create body, defaults applied as Seedance 2.0 documents them (ratio adaptive,
/// 720p, 5 s, audio on, no watermark, seed -1 = random). Media items are checked for shape and
/// against Seedance 2.0's role rules (<see cref="MediaRules"/>), and recorded as received; the
/// emulator never fetches them.
/// </summary>
internal sealed record CreateTaskRequest(
    string Model,
    string Prompt,
    string PromptParam,
    IReadOnlyList<ArkContentItem> Content,
    string Ratio,
    string Resolution,
    int Duration,
    bool GenerateAudio,
    long Seed,
    bool Watermark,
    bool WebSearch,
    string? CallbackUrl)
{
    /// <summary><c>return_last_frame</c>: the succeeded task's content carries <c>last_frame_url</c>, a PNG.</summary>
    public bool ReturnLastFrame { get; init; }

    public static readonly string[] Ratios = ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "adaptive"];
    public static readonly string[] Resolutions = ["480p", "720p", "1080p"];
    private static readonly string[] Roles = ["first_frame", "last_frame", "reference_image", "reference_video", "reference_audio"];
    private static readonly string[] MediaTypes = ["image_url", "video_url", "audio_url"];

    /// <summary>The request, or the first problem found, naming the field as ModelArk's <c>param</c> does.</summary>
    public static (CreateTaskRequest? Request, RequestProblem? Problem) Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Fail(false, "", "the request body must be a JSON object");
        }

        if (Get(body, "model") is not { } modelElement)
        {
            return Fail(true, "model", "");
        }

        if (modelElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(modelElement.GetString()))
        {
            return Fail(false, "model", "must be a non-empty string");
        }

        if (Get(body, "content") is not { } content)
        {
            return Fail(true, "content", "");
        }

        if (content.ValueKind != JsonValueKind.Array || content.GetArrayLength() == 0)
        {
            return Fail(false, "content", "must be a non-empty array");
        }

        string? prompt = null;
        var promptParam = "content";
        var media = 0;
        var index = 0;
        var items = new List<ArkContentItem>();
        foreach (var item in content.EnumerateArray())
        {
            var at = $"content[{index++}]";
            if (item.ValueKind != JsonValueKind.Object || Get(item, "type") is not { ValueKind: JsonValueKind.String } typeElement)
            {
                return Fail(false, at + ".type", "each content item must be an object with a type");
            }

            var type = typeElement.GetString()!;
            if (type == "text")
            {
                if (prompt is not null)
                {
                    return Fail(false, at, "only one text item is allowed");
                }

                if (Get(item, "text") is not { ValueKind: JsonValueKind.String } text)
                {
                    return Fail(false, at + ".text", "must be a string");
                }

                prompt = text.GetString()!;
                promptParam = at + ".text";
                items.Add(new ArkContentItem(type, null, null, null, prompt));
                continue;
            }

            if (!MediaTypes.Contains(type))
            {
                return Fail(false, at + ".type", "must be text, image_url, video_url or audio_url");
            }

            if (Get(item, type) is not { ValueKind: JsonValueKind.Object } holder || Get(holder, "url") is not { ValueKind: JsonValueKind.String } url || !IsMediaUrl(url.GetString()!))
            {
                return Fail(false, $"{at}.{type}.url", "must be an http(s) URL or a data: URL");
            }

            if (Get(item, "role") is { } role && (role.ValueKind != JsonValueKind.String || !Roles.Contains(role.GetString())))
            {
                return Fail(false, at + ".role", "must be one of " + string.Join(", ", Roles));
            }

            var sentRole = Get(item, "role")?.GetString();
            if (sentRole is not null && MediaRules.TypeOf(sentRole) != type)
            {
                return Fail(false, at + ".role", $"{sentRole} takes a {MediaRules.TypeOf(sentRole)} item, not {type}");
            }

            items.Add(new ArkContentItem(type, sentRole, sentRole, url.GetString()!, null));
            media++;
        }

        if (prompt is null && media == 0)
        {
            return Fail(true, "content", "");
        }

        if (MediaRules.Check(items) is { } mediaProblem)
        {
            return Fail(false, mediaProblem.Param, mediaProblem.Why);
        }

        var ratio = "adaptive";
        var resolution = "720p";
        int duration = 5;
        bool audio = true, watermark = false, webSearch = false, lastFrame = false;
        long seed = -1;
        string? callback = null;
        if (Get(body, "ratio") is { } r && (r.ValueKind != JsonValueKind.String || !Ratios.Contains(ratio = r.GetString()!)))
        {
            return Fail(false, "ratio", "must be one of " + string.Join(", ", Ratios));
        }

        if (Get(body, "resolution") is { } res && (res.ValueKind != JsonValueKind.String || !Resolutions.Contains(resolution = res.GetString()!)))
        {
            return Fail(false, "resolution", "must be one of " + string.Join(", ", Resolutions));
        }

        if (Get(body, "duration") is { } d && (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out duration) || (duration != -1 && duration is < 4 or > 15)))
        {
            return Fail(false, "duration", "must be a whole number of seconds from 4 to 15, or -1");
        }

        if (Bool(body, "generate_audio", ref audio) is { } audioProblem)
        {
            return audioProblem;
        }

        if (Bool(body, "watermark", ref watermark) is { } watermarkProblem)
        {
            return watermarkProblem;
        }

        if (Bool(body, "return_last_frame", ref lastFrame) is { } lastFrameProblem)
        {
            return lastFrameProblem;
        }

        if (Get(body, "seed") is { } s && (s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out seed) || seed < -1 || seed > uint.MaxValue))
        {
            return Fail(false, "seed", "must be a whole number from -1 to 4294967295");
        }

        if (Get(body, "tools") is { } tools)
        {
            if (tools.ValueKind != JsonValueKind.Array)
            {
                return Fail(false, "tools", "must be an array");
            }

            var t = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind != JsonValueKind.Object || Get(tool, "type") is not { ValueKind: JsonValueKind.String } toolType || toolType.GetString() != "web_search")
                {
                    return Fail(false, $"tools[{t}].type", "must be web_search");
                }

                webSearch = true;
                t++;
            }
        }

        if (Get(body, "callback_url") is { } cb)
        {
            if (cb.ValueKind != JsonValueKind.String || !Uri.TryCreate(cb.GetString(), UriKind.Absolute, out var cbUri) || (cbUri.Scheme != Uri.UriSchemeHttp && cbUri.Scheme != Uri.UriSchemeHttps))
            {
                return Fail(false, "callback_url", "must be an absolute http(s) URL");
            }

            callback = cbUri.AbsoluteUri;
        }

        return (new CreateTaskRequest(modelElement.GetString()!, prompt ?? "", promptParam, MediaRules.ApplyDefaultRoles(items), ratio, resolution, duration, audio, seed, watermark, webSearch, callback)
        {
            ReturnLastFrame = lastFrame,
        }, null);
    }

    /// <summary>A property that is present and not JSON null.</summary>
    private static JsonElement? Get(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static (CreateTaskRequest?, RequestProblem?)? Bool(JsonElement body, string name, ref bool value)
    {
        if (Get(body, name) is not { } e)
        {
            return null;
        }

        if (e.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return Fail(false, name, "must be true or false");
        }

        value = e.GetBoolean();
        return null;
    }

    private static bool IsMediaUrl(string url) =>
        url.StartsWith("data:", StringComparison.Ordinal) ||
        url.StartsWith("asset://", StringComparison.Ordinal) ||
        (Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps));

    private static (CreateTaskRequest?, RequestProblem?) Fail(bool missing, string param, string why) => (null, new RequestProblem(missing, param, why));
}

/// <summary>Why a create body was refused: a missing field (MissingParameter) or an invalid one (InvalidParameter).</summary>
internal sealed record RequestProblem(bool Missing, string Param, string Why);
