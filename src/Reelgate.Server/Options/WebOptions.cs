namespace Reelgate.Server.Options;

/// <summary><c>Reelgate:Web</c>: the web app (sign-up, API keys page, playground, tasks, credits, admin).</summary>
public sealed class WebOptions
{
    /// <summary>Credits a new sign-up's account starts with (a <c>grant</c> ledger entry). Default 0.</summary>
    public long SignupCredits { get; set; }

    /// <summary>E-mail addresses that get the <c>admin</c> role when they sign up or sign in.</summary>
    public List<string> AdminEmails { get; set; } = [];

    /// <summary>Tiers a user may pick for their own keys; empty = free, basic, standard, pro (never <c>unlimited</c> unless listed).</summary>
    public List<string> KeyTiers { get; set; } = [];

    /// <summary>The tier of the account's internal "web app" key that playground tasks run under. Default basic.</summary>
    public string PlaygroundTier { get; set; } = "basic";

    /// <summary>
    /// Write password-reset links to the server log (there is no mail sender). Default: on in the
    /// Development environment only; elsewhere the reset page says to ask an operator.
    /// </summary>
    public bool? LogPasswordResetLinks { get; set; }

    /// <summary>Send cookies with the Secure flag only (set it behind HTTPS). Default false: Secure follows the request's scheme.</summary>
    public bool SecureCookiesOnly { get; set; }

    public static readonly string[] DefaultKeyTiers = ["free", "basic", "standard", "pro"];

    public IReadOnlyList<string> EffectiveKeyTiers => KeyTiers.Count > 0 ? KeyTiers : DefaultKeyTiers;
}
