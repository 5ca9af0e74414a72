using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Reelgate.Data.Identity;

/// <summary>A web app login, linked to the Reelgate account whose credits, keys and tasks it sees.</summary>
public sealed class ReelgateUser : IdentityUser
{
    /// <summary>The linked account (one login per account).</summary>
    public string? AccountId { get; set; }
}

/// <summary>
/// ASP.NET Core Identity on the same SQLite database as accounts and tasks. The tables are
/// created by the plain-SQL migration <c>0004_identity.sql</c> (never by EF migrations), so one
/// migration runner owns the schema.
/// </summary>
public sealed class ReelgateIdentityDbContext(DbContextOptions<ReelgateIdentityDbContext> options) : IdentityDbContext<ReelgateUser>(options);
