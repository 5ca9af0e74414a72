namespace Reelgate.Core.Catalog;

/// <summary>
/// A model's rules across its media fields, by role (docs/catalog.md): at most
/// <see cref="MaxTotal"/> inputs in all; roles of two <see cref="Exclusive"/> groups never
/// together (frames or references, as upstream); a role that <see cref="Requires"/> another;
/// and <see cref="RequireAnyOf"/>: at least one input of these roles (reference-to-video needs
/// an image or a video; audio alone is refused).
/// </summary>
public sealed class MediaRules
{
    public int? MaxTotal { get; init; }

    public IReadOnlyList<IReadOnlyList<string>> Exclusive { get; set; } = []; // set, not init: the JSON source generator would write null for an absent init-only property

    public IReadOnlyList<MediaRequirement> Requires { get; set; } = []; // set, not init: the JSON source generator would write null for an absent init-only property

    public IReadOnlyList<string> RequireAnyOf { get; set; } = []; // set, not init: the JSON source generator would write null for an absent init-only property
}

/// <summary>An input of <see cref="Role"/> needs at least one input of the roles <see cref="AnyOf"/>.</summary>
public sealed class MediaRequirement
{
    public required string Role { get; init; }

    public required IReadOnlyList<string> AnyOf { get; init; }
}
