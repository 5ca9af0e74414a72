namespace Reelgate.Core.Catalog;

/// <summary>
/// The model's rules across its media fields (<see cref="MediaRules"/>), checked after every
/// field passed its own rule. Errors name the client's fields, e.g.
/// <c>input.last_frame_url requires input.first_frame_url</c>.
/// </summary>
internal static class MediaRuleCheck
{
    public static (string Field, string Detail)? Check(ModelDefinition model, IReadOnlyDictionary<string, object> values)
    {
        var present = new List<(string Role, string Field)>();
        foreach (var field in model.Input.Where(f => f.IsMedia && f.AliasOf is null))
        {
            switch (values.GetValueOrDefault(field.Name))
            {
                case string:
                    present.Add((field.RoleAt(0), field.Name));
                    break;
                case IReadOnlyList<string> list:
                    present.AddRange(list.Select((_, i) => (field.RoleAt(i), field.Name)));
                    break;
            }
        }

        var rules = model.MediaRules;
        if (rules.MaxTotal is { } max && present.Count > max)
        {
            return ("input", $"at most {max} media inputs in all ({present.Count} given)");
        }

        string FieldsOf(IEnumerable<string> roles) =>
            string.Join(" or ", model.Input.Where(f => f.IsMedia && f.AliasOf is null && f.Roles!.Any(roles.Contains)).Select(f => "input." + f.Name));

        foreach (var requirement in rules.Requires)
        {
            if (present.FirstOrDefault(p => p.Role == requirement.Role) is { Field: { } field }
                && !present.Any(p => requirement.AnyOf.Contains(p.Role)))
            {
                return ("input." + field, $"input.{field} requires {FieldsOf(requirement.AnyOf)}");
            }
        }

        for (var i = 0; i < rules.Exclusive.Count; i++)
        {
            for (var j = i + 1; j < rules.Exclusive.Count; j++)
            {
                if (present.FirstOrDefault(p => rules.Exclusive[i].Contains(p.Role)) is { Field: { } a }
                    && present.FirstOrDefault(p => rules.Exclusive[j].Contains(p.Role)) is { Field: { } b })
                {
                    return ("input." + b, $"input.{a} and input.{b} cannot be used together (frames or references, not both)");
                }
            }
        }

        if (rules.RequireAnyOf.Count > 0 && !present.Any(p => rules.RequireAnyOf.Contains(p.Role)))
        {
            return ("input", $"at least one of {FieldsOf(rules.RequireAnyOf)} is required");
        }

        return null;
    }
}
