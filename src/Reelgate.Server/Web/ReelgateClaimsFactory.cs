using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reelgate.Data.Identity;

namespace Reelgate.Server.Web;

/// <summary>Puts the login's Reelgate account id into the auth cookie, so pages know whose data to show.</summary>
public sealed class ReelgateClaimsFactory(UserManager<ReelgateUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ReelgateUser, IdentityRole>(users, roles, options)
{
    public const string AccountClaim = "reelgate:account";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ReelgateUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.AccountId is { } account)
        {
            identity.AddClaim(new Claim(AccountClaim, account));
        }

        return identity;
    }
}
