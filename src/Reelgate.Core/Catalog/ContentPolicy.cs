namespace Reelgate.Core.Catalog;

/// <summary>The content-policy term list and the input switch that turns checking on.</summary>
public sealed class ContentPolicy
{
    /// <summary>Boolean input field that turns the check on (e.g. <c>nsfw_checker</c>).</summary>
    public string? SwitchField { get; init; }

    /// <summary>Terms matched as whole words, case-insensitively.</summary>
    public IReadOnlyList<string> Terms { get; init; } = [];
}
