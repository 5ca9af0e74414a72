using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reelgate.Core.Accounts;
using Reelgate.Data.Identity;
using Reelgate.Server.Options;
using Reelgate.Server.Security;

namespace Reelgate.Server.Web;

/// <summary>The web app's account logic: sign-up creates a Reelgate account, admin e-mails get the role, the playground's key.</summary>
public sealed class WebAccounts(
    UserManager<ReelgateUser> users,
    RoleManager<IdentityRole> roles,
    IAccountStore accounts,
    ApiKeyIssuer issuer,
    IOptions<ReelgateOptions> options,
    TimeProvider time)
{
    /// <summary>The name of the account's internal key that playground tasks run under.</summary>
    public const string WebKeyName = "web app (playground)";

    private WebOptions Web => options.Value.Web;

    public static string? AccountId(ClaimsPrincipal user) => user.FindFirst(ReelgateClaimsFactory.AccountClaim)?.Value;

    /// <summary>Creates the login and its account (with the configured starting credits); undoes the login if the account fails.</summary>
    public async Task<(IdentityResult Result, ReelgateUser? User)> RegisterAsync(string email, string password)
    {
        var user = new ReelgateUser { UserName = email.Trim(), Email = email.Trim() };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            return (result, null);
        }

        try
        {
            var accountId = "acc_" + Guid.CreateVersion7().ToString("N");
            await accounts.CreateAccountAsync(accountId, user.Email!, Web.SignupCredits, time.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None);
            user.AccountId = accountId;
            var linked = await users.UpdateAsync(user);
            if (!linked.Succeeded)
            {
                throw new InvalidOperationException("could not link the account: " + string.Join("; ", linked.Errors.Select(e => e.Description)));
            }
        }
        catch
        {
            await users.DeleteAsync(user);
            throw;
        }

        await EnsureRolesAsync(user);
        return (IdentityResult.Success, user);
    }

    /// <summary>Gives the admin role to logins whose e-mail is in <c>Reelgate:Web:AdminEmails</c>.</summary>
    public async Task EnsureRolesAsync(ReelgateUser user)
    {
        if (user.Email is null || !Web.AdminEmails.Contains(user.Email, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        if (!await roles.RoleExistsAsync(WebApp.AdminRole))
        {
            await roles.CreateAsync(new IdentityRole(WebApp.AdminRole));
        }

        if (!await users.IsInRoleAsync(user, WebApp.AdminRole))
        {
            await users.AddToRoleAsync(user, WebApp.AdminRole);
        }
    }

    /// <summary>The account's playground key (created on first use, tier <c>Reelgate:Web:PlaygroundTier</c>).</summary>
    public async Task<AuthenticatedKey?> PlaygroundKeyAsync(string accountId, CancellationToken ct)
    {
        var account = await accounts.GetAccountAsync(accountId, ct);
        if (account is null)
        {
            return null;
        }

        if (account.Keys.FirstOrDefault(k => k.Name == WebKeyName && !k.Revoked) is { } existing)
        {
            return new AuthenticatedKey(existing.KeyId, accountId, existing.Tier);
        }

        var issued = await issuer.IssueAsync(accountId, WebKeyName, Web.PlaygroundTier, KeyLimits.None, ct);
        return issued is { } k ? new AuthenticatedKey(k.KeyId, accountId, Web.PlaygroundTier) : null;
    }
}
