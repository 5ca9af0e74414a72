using System.Globalization;
using System.Text.RegularExpressions;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// What the prompt's <c>[ark:...]</c> markers script for one task, and the prompt without them
/// (which is what gets rendered, so a scripted task and a plain one share a cached render).
/// Markers are deterministic: the same prompt always behaves the same way, except the
/// <c>429=n</c>, <c>500=n</c> and <c>drop=n</c> counters, which count creates of the exact prompt.
/// </summary>
internal sealed partial record TaskScript(
    string CleanPrompt,
    string? FailCode,
    string? FailMessage,
    bool RejectInput,
    TimeSpan? RunDuration,
    bool ExpireVideoAtOnce,
    int RateLimitFirst,
    int InternalErrorFirst,
    int DropFirst,
    bool NeverRuns,
    bool Hangs)
{
    public const string OutputSensitiveCode = "OutputVideoSensitiveContentDetected";

    /// <summary>The script, or null and a problem naming the bad marker.</summary>
    public static (TaskScript? Script, string? Problem) Parse(string prompt)
    {
        string? failCode = null, failMessage = null;
        TimeSpan? run = null;
        bool rejectInput = false, expireVideo = false, neverRuns = false, hangs = false;
        int first429 = 0, first500 = 0, firstDrop = 0;
        foreach (Match m in Marker().Matches(prompt))
        {
            var name = m.Groups["name"].Value;
            var value = m.Groups["value"].Success ? m.Groups["value"].Value : null;
            var valueOk = name switch
            {
                "fail" => value is not null && FailCodeShape().IsMatch(value),
                "slow" or "429" or "500" or "drop" => value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
                "reject" or "reject-input" or "expire" or "expired" or "hang" => value is null,
                _ => false,
            };
            if (!valueOk)
            {
                return (null, $"unknown or malformed emulator marker {m.Value} (see docs/ark-emulator.md)");
            }

            var number = value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            switch (name)
            {
                case "fail":
                    failCode = value;
                    failMessage = $"The task failed as scripted by the emulator marker [ark:fail={value}].";
                    break;
                case "reject":
                    failCode = OutputSensitiveCode;
                    failMessage = "The request failed because the output video may contain sensitive information.";
                    break;
                case "reject-input":
                    rejectInput = true;
                    break;
                case "slow":
                    run = TimeSpan.FromMilliseconds(number);
                    break;
                case "expire":
                    expireVideo = true;
                    break;
                case "429":
                    first429 = number;
                    break;
                case "500":
                    first500 = number;
                    break;
                case "drop":
                    firstDrop = number;
                    break;
                case "expired":
                    neverRuns = true;
                    break;
                case "hang":
                    hangs = true;
                    break;
            }
        }

        var clean = Spaces().Replace(Marker().Replace(prompt, " "), " ").Trim();
        return (new TaskScript(clean, failCode, failMessage, rejectInput, run, expireVideo, first429, first500, firstDrop, neverRuns, hangs), null);
    }

    /// <summary>Whether a running task of this script ends with a render (and so needs one).</summary>
    public bool NeedsRender => FailCode is null && !Hangs && !NeverRuns;

    [GeneratedRegex(@"\[ark:(?<name>[a-z0-9-]+)(?:=(?<value>[^\]\s]*))?\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9._]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex FailCodeShape();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();
}
