using System.Globalization;

namespace Reelgate.Core.Catalog;

/// <summary>Whole-word, case-insensitive matching of content-policy terms.</summary>
public static class ContentPolicyMatcher
{
    public static bool Matches(string text, IReadOnlyList<string> terms)
    {
        foreach (var term in terms)
        {
            if (term.Length == 0)
            {
                continue;
            }

            var start = 0;
            while ((start = text.IndexOf(term, start, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                var end = start + term.Length;
                if (!IsWordChar(text, start - 1) && !IsWordChar(text, end))
                {
                    return true;
                }

                start++;
            }
        }

        return false;
    }

    private static bool IsWordChar(string text, int index)
    {
        if (index < 0 || index >= text.Length)
        {
            return false;
        }

        var c = text[index];
        return char.IsLetterOrDigit(c) || c == '_' || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark;
    }
}
