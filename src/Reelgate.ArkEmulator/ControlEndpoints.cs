using System.Text.Json;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// The emulator's own endpoints under <c>/_emulator</c> (no API key): read and change the knobs,
/// read the counters, read what a task's create carried (its content items as received), reset.
/// Not part of ModelArk.
/// </summary>
internal static class ControlEndpoints
{
    public static IEndpointRouteBuilder MapControlEndpoints(this IEndpointRouteBuilder app, EmulatorConfig initialKnobs)
    {
        var control = app.MapGroup("/_emulator");
        control.MapGet("/config", (ArkEmulatorOptions options) => Results.Json(Knobs(options), ArkJsonContext.Default.EmulatorConfig));
        control.MapPost("/config", ChangeConfigAsync);
        control.MapGet("/stats", (ArkStats stats, ArkTaskStore store) => Results.Json(
            new StatsBody(stats.CreatesAccepted, stats.CreatesRefused, stats.Polls, stats.Lists, stats.Deletes, stats.Downloads, stats.CallbacksDelivered, stats.CallbacksFailed, store.Count),
            ArkJsonContext.Default.StatsBody));
        control.MapGet("/tasks/{id}", (string id, ArkTaskStore store, TimeProvider time) => store.Find(id) is { } task
            ? Results.Json(new ReceivedContent(task.Id, task.Request.Content, task.Request.ReturnLastFrame), ArkJsonContext.Default.ReceivedContent)
            : ArkErrors.TaskNotFound(time, id));
        control.MapPost("/reset", (ArkEmulatorOptions options, ArkTaskStore store, ArkStats stats) =>
        {
            store.Reset();
            stats.Reset();
            Apply(initialKnobs, options);
            return Results.Json(Knobs(options), ArkJsonContext.Default.EmulatorConfig);
        });
        return app;
    }

    public static EmulatorConfig Knobs(ArkEmulatorOptions o) =>
        new((long)o.QueueDelay.TotalMilliseconds, (long)o.RunDuration.TotalMilliseconds, o.RateLimit429Every, o.Fail500Every, o.DropConnectionAfterCreate);

    /// <summary>
    /// Sets the knobs the body names (any subset, names case-insensitive, whole numbers of 0 or
    /// more); nothing changes unless every one is valid. Answers the knobs as they now are.
    /// </summary>
    private static async Task<IResult> ChangeConfigAsync(HttpContext http, ArkEmulatorOptions options, TimeProvider time)
    {
        var current = Knobs(options);
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, default, http.RequestAborted);
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ArkErrors.InvalidParameter(time, "", "the body must be a JSON object of knobs");
            }

            foreach (var knob in body.RootElement.EnumerateObject())
            {
                if (knob.Value.ValueKind != JsonValueKind.Number || !knob.Value.TryGetInt32(out var value) || value < 0)
                {
                    return ArkErrors.InvalidParameter(time, knob.Name, "must be a whole number of 0 or more");
                }

                EmulatorConfig? next = knob.Name.ToUpperInvariant() switch
                {
                    "QUEUEDELAYMS" => current with { QueueDelayMs = value },
                    "RUNDURATIONMS" => current with { RunDurationMs = value },
                    "RATELIMIT429EVERY" => current with { RateLimit429Every = value },
                    "FAIL500EVERY" => current with { Fail500Every = value },
                    "DROPCONNECTIONAFTERCREATE" => current with { DropConnectionAfterCreate = value },
                    _ => null,
                };
                if (next is null)
                {
                    return ArkErrors.InvalidParameter(time, knob.Name, "is not a knob (QueueDelayMs, RunDurationMs, RateLimit429Every, Fail500Every, DropConnectionAfterCreate)");
                }

                current = next;
            }
        }
        catch (JsonException)
        {
            return ArkErrors.InvalidParameter(time, "", "the request body is not valid JSON");
        }

        Apply(current, options);
        return Results.Json(Knobs(options), ArkJsonContext.Default.EmulatorConfig);
    }

    private static void Apply(EmulatorConfig knobs, ArkEmulatorOptions options)
    {
        options.QueueDelay = TimeSpan.FromMilliseconds(knobs.QueueDelayMs);
        options.RunDuration = TimeSpan.FromMilliseconds(knobs.RunDurationMs);
        options.RateLimit429Every = knobs.RateLimit429Every;
        options.Fail500Every = knobs.Fail500Every;
        options.DropConnectionAfterCreate = knobs.DropConnectionAfterCreate;
    }
}
