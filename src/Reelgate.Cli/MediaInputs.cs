using System.Text.Json.Nodes;
using Reelgate.Client;

namespace Reelgate.Cli;

/// <summary>
/// The media flags of <c>reelgate generate</c> (<c>--image</c>, <c>--last-image</c>,
/// <c>--ref-image</c>, <c>--ref-video</c>, <c>--ref-audio</c>) put into a model's fields. Each flag
/// stands for a media role; the model's fields are read from <c>GET /api/v1/models</c>, and the
/// field declaring the role takes the values (a <c>url</c> field one, a <c>urlList</c> field its
/// roles in order: first frame, then last frame). No model id is known here: a new model that
/// declares roles works without a CLI change. A local path is uploaded first and its signed
/// <c>fileUrl</c> used; an http(s) or <c>data:</c> URL is used as it is.
/// </summary>
internal sealed class MediaInputs
{
    /// <summary>Roles of fields of platforms whose models endpoint does not send roles, by field name.</summary>
    private static readonly Dictionary<string, string[]> KnownRoles = new(StringComparer.Ordinal)
    {
        ["image_urls"] = ["first_frame", "last_frame"],
        ["first_frame_url"] = ["first_frame"],
        ["last_frame_url"] = ["last_frame"],
        ["reference_image_urls"] = ["reference_image"],
        ["reference_video_urls"] = ["reference_video"],
        ["reference_audio_urls"] = ["reference_audio"],
    };

    private readonly List<(string Flag, string Role, string Value)> _given = [];

    public bool Any => _given.Count > 0;

    /// <summary>Adds the values of one flag, in the order given.</summary>
    public void Add(string flag, string role, IEnumerable<string>? values)
    {
        foreach (var v in values ?? [])
        {
            _given.Add((flag, role, v));
        }
    }

    /// <summary>Throws a usage error naming the flag when a local file is missing; runs before any upload.</summary>
    public void CheckLocalFiles()
    {
        foreach (var (flag, _, value) in _given)
        {
            if (!IsUrl(value) && !File.Exists(value))
            {
                throw new CliException(ExitCodes.Usage, $"{flag}: no such file: {value}");
            }
        }
    }

    /// <summary>
    /// Puts every value into the model's field for its role (uploading local files); throws a usage
    /// error when the model has no field for a role, a one-URL field gets two, or a later position
    /// of a list (the last frame) comes without the earlier ones.
    /// </summary>
    public async Task ApplyAsync(JsonObject body, JsonObject model, ReelgateClient client, CancellationToken ct)
    {
        var fields = (model["input"] as JsonArray)?.OfType<JsonObject>()
            .Where(f => (string?)f["type"] is "url" or "urlList" && f["aliasOf"] is null)
            .Select(f => (Name: (string)f["name"]!, List: (string?)f["type"] == "urlList", Roles: RolesOf(f)))
            .ToList() ?? [];
        var modelId = (string?)model["id"];
        var byField = new Dictionary<string, List<(int Position, string Flag, string Value)>>(StringComparer.Ordinal);
        foreach (var (flag, role, value) in _given)
        {
            var field = fields.FirstOrDefault(f => f.Roles.Contains(role));
            if (field.Name is null)
            {
                var takes = fields.Count == 0 ? "no media inputs" : "media through " + string.Join(", ", fields.Select(f => f.Name));
                throw new CliException(ExitCodes.Usage, $"{flag}: model {modelId} has no input for it (it takes {takes})");
            }

            if (!byField.TryGetValue(field.Name, out var values))
            {
                byField[field.Name] = values = [];
            }

            values.Add((Array.IndexOf(field.Roles, role), flag, value));
        }

        // Every rule first, so a refused command uploads nothing.
        var plan = new List<(string Name, bool List, List<(int Position, string Flag, string Value)> Ordered)>();
        foreach (var (name, values) in byField)
        {
            var field = fields.First(f => f.Name == name);
            var ordered = values.OrderBy(v => v.Position).ToList(); // stable: flags keep their order within a role
            if (!field.List && ordered.Count > 1)
            {
                throw new CliException(ExitCodes.Usage, $"{ordered[0].Flag}: {name} of model {modelId} takes one URL");
            }

            if (field.Roles.Length > 1 && ordered[0].Position > 0)
            {
                throw new CliException(ExitCodes.Usage, $"{ordered[0].Flag} needs the earlier {field.Roles[0].Replace('_', ' ')} too (model {modelId}, field {name})");
            }

            plan.Add((name, field.List, ordered));
        }

        var uploaded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, list, ordered) in plan)
        {
            var urls = new List<string>();
            foreach (var (_, _, value) in ordered)
            {
                if (!uploaded.TryGetValue(value, out var url))
                {
                    uploaded[value] = url = IsUrl(value) ? value : (await client.UploadAsync(value, ct)).FileUrl;
                }

                urls.Add(url);
            }

            body[name] = list ? new JsonArray(urls.Select(u => (JsonNode?)u).ToArray()) : urls[0];
        }
    }

    /// <summary>An http(s) URL or a data: URI, used as given; anything else is a local path.</summary>
    public static bool IsUrl(string value) =>
        value.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    private static string[] RolesOf(JsonObject field) =>
        field["roles"] is JsonArray roles
            ? roles.Select(r => (string?)r).OfType<string>().ToArray()
            : KnownRoles.GetValueOrDefault((string?)field["name"] ?? "", []);
}
