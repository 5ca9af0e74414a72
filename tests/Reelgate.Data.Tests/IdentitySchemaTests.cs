using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Data.Identity;
using Reelgate.Data.Sqlite;

namespace Reelgate.Data.Tests;

/// <summary>The Identity tables made by the SQL migration match what EF Core's Identity model expects.</summary>
public sealed class IdentitySchemaTests
{
    [Fact]
    public async Task UserManager_CreatesAndFindsAUser_OnTheMigratedDatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("reelgate-identity-").FullName;
        try
        {
            var path = Path.Combine(dir, "reelgate.db");
            await using (var db = new SqliteDatabase(path))
            {
                await db.MigrateAsync(ct);
            }

            var services = new ServiceCollection();
            services.AddLogging();
            services.AddDbContext<ReelgateIdentityDbContext>(o => o.UseSqlite($"Data Source={path}"));
            services.AddIdentityCore<ReelgateUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<ReelgateIdentityDbContext>();
            await using var sp = services.BuildServiceProvider();
            using var scope = sp.CreateScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ReelgateUser>>();
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();

            var created = await users.CreateAsync(new ReelgateUser { UserName = "ada@example.com", Email = "ada@example.com", AccountId = "acc_1" }, "Correct-Horse-9");
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
            Assert.True((await roles.CreateAsync(new IdentityRole("admin"))).Succeeded);
            var found = await users.FindByEmailAsync("ADA@example.com");
            Assert.Equal("acc_1", found!.AccountId);
            Assert.True((await users.AddToRoleAsync(found, "admin")).Succeeded);
            Assert.True(await users.CheckPasswordAsync(found, "Correct-Horse-9"));
            Assert.False(await users.CheckPasswordAsync(found, "wrong"));
            // One login per account: the unique index refuses a second user on the same account.
            await Assert.ThrowsAsync<DbUpdateException>(() =>
                users.CreateAsync(new ReelgateUser { UserName = "bob@example.com", Email = "bob@example.com", AccountId = "acc_1" }, "Correct-Horse-9"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
