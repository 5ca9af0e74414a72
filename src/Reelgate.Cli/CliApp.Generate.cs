using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Client;
using Spectre.Console;

namespace Reelgate.Cli;

/// <summary><c>reelgate generate</c>: create a task (media flags uploaded and mapped by the model's fields), follow it, download the video.</summary>
public sealed partial class CliApp
{
    private Command Generate()
    {
        var prompt = new Argument<string?>("prompt") { Description = "What the video shows (optional where the model allows, e.g. reference-to-video)", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string>("--model") { Description = "Model id", DefaultValueFactory = _ => SeedanceTextToVideoInput.ModelId };
        var ratio = new Option<string?>("--ratio") { Description = "16:9, 9:16, 1:1, 4:3, 3:4, 21:9 or adaptive" };
        var resolution = new Option<string?>("--resolution") { Description = "480p, 720p or 1080p" };
        var duration = new Option<int?>("--duration") { Description = "Seconds (4-15)" };
        var audio = new Option<bool>("--audio") { Description = "Generate an audio track" };
        var seed = new Option<long?>("--seed") { Description = "Seed (-1 random)" };
        var callback = new Option<string?>("--callback-url") { Description = "Where the server POSTs the result" };
        var input = new Option<string?>("--input") { Description = "Extra input fields as a JSON object (any model)" };
        var output = new Option<string?>("--output", "-o") { Description = "File to write (default <taskId>.mp4)" };
        var noDownload = new Option<bool>("--no-download") { Description = "Wait for the task but do not download" };
        var noWait = new Option<bool>("--no-wait") { Description = "Create the task, print its id and exit" };
        var image = new Option<string?>("--image") { Description = "First frame image: a local file (uploaded first) or an http(s)/data: URL" };
        var lastImage = new Option<string?>("--last-image") { Description = "Last frame image (needs --image): a local file or a URL" };
        var refImage = Media("--ref-image", "Reference image, repeatable: a local file or a URL");
        var refVideo = Media("--ref-video", "Reference video, repeatable: a local file or a URL");
        var refAudio = Media("--ref-audio", "Reference audio, repeatable: a local file or a URL");
        var returnLastFrame = new Option<bool>("--return-last-frame") { Description = "Ask for the video's last frame too and download it as <output>.last.png" };
        var quote = new Option<bool>("--quote") { Description = "Print what this would cost (and the balance after, and the key's room under its credit limit), create nothing" };
        var command = new Command("generate", "Create a task, follow it with a progress bar, download the video")
        {
            prompt, model, ratio, resolution, duration, audio, seed, callback, input, output, noDownload, noWait,
            image, lastImage, refImage, refVideo, refAudio, returnLastFrame, quote,
        };
        command.SetAction((p, ct) => WithClient(p, async (client, ct2) =>
        {
            var media = new MediaInputs();
            media.Add("--image", "first_frame", p.GetValue(image) is { } first ? [first] : null);
            media.Add("--last-image", "last_frame", p.GetValue(lastImage) is { } last ? [last] : null);
            media.Add("--ref-image", "reference_image", p.GetValue(refImage));
            media.Add("--ref-video", "reference_video", p.GetValue(refVideo));
            media.Add("--ref-audio", "reference_audio", p.GetValue(refAudio));
            media.CheckLocalFiles(); // before anything is uploaded or created

            var body = new JsonObject();
            if (p.GetValue(prompt) is { } text)
            {
                body["prompt"] = text;
            }

            if (p.GetValue(ratio) is { } r)
            {
                body["ratio"] = r;
            }

            if (p.GetValue(resolution) is { } res)
            {
                body["resolution"] = res;
            }

            if (p.GetValue(duration) is { } d)
            {
                body["duration"] = d;
            }

            if (p.GetValue(audio))
            {
                body["generate_audio"] = true;
            }

            if (p.GetValue(seed) is { } s)
            {
                body["seed"] = s;
            }

            var modelId = p.GetValue(model)!;
            var lastFrame = p.GetValue(returnLastFrame);
            if (media.Any || lastFrame || !body.ContainsKey("prompt") || body.ContainsKey("ratio"))
            {
                var definition = await ModelAsync(client, modelId, ct2);
                var fields = (definition["input"] as JsonArray)?.OfType<JsonObject>().Select(f => (string?)f["name"]).ToHashSet() ?? [];
                if (body["ratio"] is { } ratioValue && !fields.Contains("ratio") && fields.Contains("aspect_ratio"))
                {
                    // kie-shaped models name the ratio aspect_ratio.
                    body.Remove("ratio");
                    body["aspect_ratio"] = ratioValue;
                }

                if (!body.ContainsKey("prompt") && (definition["input"] as JsonArray)?.OfType<JsonObject>().Any(f => (string?)f["name"] == "prompt" && (bool?)f["required"] == true) == true)
                {
                    throw new CliException(ExitCodes.Usage, $"prompt: model {modelId} needs one, e.g. reelgate generate \"a paper boat on a pond\"");
                }

                if (lastFrame)
                {
                    if ((definition["input"] as JsonArray)?.OfType<JsonObject>().Any(f => (string?)f["name"] == "return_last_frame") != true)
                    {
                        throw new CliException(ExitCodes.Usage, $"--return-last-frame: model {modelId} cannot return its last frame");
                    }

                    body["return_last_frame"] = true;
                }

                await media.ApplyAsync(body, definition, client, ct2);
            }

            if (p.GetValue(input) is { } extra)
            {
                if (ParseObject(extra) is not { } extraObject)
                {
                    throw new CliException(ExitCodes.Usage, "--input must be a JSON object, e.g. '{\"web_search\":true}'");
                }

                foreach (var (k, v) in extraObject)
                {
                    body[k] = v?.DeepClone();
                }
            }

            if (p.GetValue(quote))
            {
                var price = await client.QuoteAsync(modelId, body, ct2);
                await Emit(p, JsonSerializer.SerializeToNode(price, WebJson)!, () => stdout.WriteLineAsync(
                    $"{price.Credits} credits; balance {price.Balance} -> {price.BalanceAfter}" + (price.KeyRoom is { } room ? $"; this key may still spend {room}" : "")));
                return price.BalanceAfter < 0 || price.KeyRoom < price.Credits ? ExitCodes.InsufficientCredits : ExitCodes.Ok;
            }

            var id = await client.CreateTaskAsync(modelId, body, new CreateTaskOptions { CallBackUrl = p.GetValue(callback) }, ct2);
            if (p.GetValue(noWait))
            {
                await Emit(p, new JsonObject { ["taskId"] = id }, () => stdout.WriteLineAsync(id));
                return ExitCodes.Ok;
            }

            var json = p.GetValue(_json);
            var path = Path.GetFullPath(p.GetValue(output) ?? id + ".mp4");
            TaskInfo task;
            string? saved = null;
            string? savedFrame = null;
            try
            {
                if (interactive && !json)
                {
                    (task, saved) = await FollowWithProgressBarAsync(client, id, p.GetValue(noDownload) ? null : path, ct2);
                }
                else
                {
                    task = await client.WaitAsync(id, null, ct2);
                    if (task.State == TaskStates.Success && !p.GetValue(noDownload))
                    {
                        saved = await client.DownloadAsync(task, path, null, ct2);
                    }
                }

                if (lastFrame && task.State == TaskStates.Success && !p.GetValue(noDownload))
                {
                    savedFrame = await DownloadLastFrameAsync(client, task, path, ct2);
                }
            }
            catch (OperationCanceledException) when (ct2.IsCancellationRequested)
            {
                await stderr.WriteLineAsync($"interrupted: task {id} keeps running (see 'reelgate status {id}', stop it with 'reelgate cancel {id}')");
                return ExitCodes.Interrupted;
            }

            var result = TaskJson(task);
            if (saved is not null)
            {
                result["path"] = saved;
            }

            if (savedFrame is not null)
            {
                result["lastFramePath"] = savedFrame;
            }

            if (task.State != TaskStates.Success)
            {
                await Emit(p, result, () => stderr.WriteLineAsync($"error: task {id} failed: {task.FailCode} {task.FailMsg} (credits refunded)"));
                return ExitCodes.TaskFailed;
            }

            var frameLine = savedFrame is null ? "" : "\n" + savedFrame;
            await Emit(p, result, () => stdout.WriteLineAsync(
                $"{saved ?? string.Join(' ', task.ResultUrls)}{frameLine}\ntask {id}: {task.CreditsConsumed?.ToString(CultureInfo.InvariantCulture) ?? "?"} credits spent, {task.CostTime?.ToString(CultureInfo.InvariantCulture) ?? "?"} ms"));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Option<string[]> Media(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.ZeroOrMore };

    /// <summary>The model's entry of <c>GET /api/v1/models</c>: its fields decide where media flags go.</summary>
    private static async Task<JsonObject> ModelAsync(ReelgateClient client, string modelId, CancellationToken ct)
    {
        var models = await client.ListModelsAsync(ct);
        return models.OfType<JsonObject>().FirstOrDefault(m => (string?)m["id"] == modelId)
            ?? throw new CliException(ExitCodes.Usage, $"--model: {modelId} is not a model of this server (see 'reelgate models')");
    }

    /// <summary>Downloads <c>resultJson.lastFrameUrl</c> beside the video as <c>name.last.png</c>; null (with a note) when the result has none.</summary>
    private async Task<string?> DownloadLastFrameAsync(ReelgateClient client, TaskInfo task, string videoPath, CancellationToken ct)
    {
        string? url = null;
        try
        {
            url = task.ResultJson is { } resultJson ? (string?)(JsonNode.Parse(resultJson)?["lastFrameUrl"]) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not the expected shape: reported below as no last frame.
        }

        if (url is null)
        {
            await stderr.WriteLineAsync($"note: task {task.TaskId} has no lastFrameUrl in its result; no last frame saved");
            return null;
        }

        var framePath = Path.Combine(Path.GetDirectoryName(videoPath) ?? ".", Path.GetFileNameWithoutExtension(videoPath) + ".last.png");
        return await client.DownloadAsync(url, framePath, null, ct);
    }
    /// <summary>The progress bar's label: the state, or while the task is queued its place and, when known, the wait.</summary>
    private static string ProgressLabel(string id, TaskProgress p) => p switch
    {
        { QueuePosition: { } position, EtaSeconds: { } eta } => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{id} queued: position {position}, ~{Math.Ceiling(eta):0}s"),
        { QueuePosition: { } position } => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{id} queued: position {position}"),
        _ => $"{id} {p.State}",
    };

    private async Task<(TaskInfo Task, string? Saved)> FollowWithProgressBarAsync(ReelgateClient client, string id, string? path, CancellationToken ct)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr), Interactive = InteractionSupport.Yes, Ansi = AnsiSupport.Yes });
        TaskInfo? task = null;
        string? saved = null;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var bar = ctx.AddTask($"{id} waiting", maxValue: 100);
                task = await client.WaitAsync(id, new Inline<TaskProgress>(p =>
                {
                    bar.Description = ProgressLabel(id, p);
                    bar.Value = p.Progress;
                }), ct);
                bar.Description = $"{id} {task.State}";
                bar.Value = 100;
                bar.StopTask();
                if (task.State == TaskStates.Success && path is not null)
                {
                    var download = ctx.AddTask("download", maxValue: 1);
                    saved = await client.DownloadAsync(task, path, new Inline<DownloadProgress>(d =>
                    {
                        download.MaxValue = Math.Max(1, d.TotalBytes ?? d.BytesReceived);
                        download.Value = d.BytesReceived;
                    }), ct);
                    download.Value = download.MaxValue;
                    download.StopTask();
                }
            });
        return (task!, saved);
    }
}
