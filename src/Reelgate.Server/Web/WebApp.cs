using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Reelgate.Data.Identity;
using Reelgate.Server.Options;
using Reelgate.Server.Web.Components;

namespace Reelgate.Server.Web;

/// <summary>
/// The web app served by the same server: Blazor (static SSR; interactive server rendering for
/// the playground's live progress) with ASP.NET Core Identity on the same database as the rest
/// (SQLite, or PostgreSQL on a multi-node deployment).
/// </summary>
public static class WebApp
{
    public const string AdminRole = "admin";

    public static IServiceCollection AddReelgateWeb(this IServiceCollection services)
    {
        // The key ring and Identity's DbContext come with the storage backend (ReelgateHost.AddStorage):
        // in the data directory on SQLite, in the database on PostgreSQL so every node accepts the
        // cookies of the others.
        services.AddDataProtection().SetApplicationName("reelgate");
        services.AddIdentityCore<ReelgateUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ReelgateIdentityDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<ReelgateClaimsFactory>();
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = "reelgate.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
        });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<ReelgateOptions>>((o, r) => o.Cookie.SecurePolicy = r.Value.Web.SecureCookiesOnly ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "reelgate.af";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddScoped<WebAccounts>();
        services.AddSingleton<IEmailSender<ReelgateUser>, LoggingEmailSender>();
        return services;
    }

    /// <summary>Security headers of every web page (the API keeps its own).</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The same policy with one more script source: the per-request nonce the API reference at
    /// <c>/docs</c> puts on its one inline start-up script (Scalar's <c>WithNonce()</c>). Every other
    /// page keeps <c>script-src 'self'</c>; no page gets <c>'unsafe-inline'</c> for scripts.
    /// </summary>
    internal static string ContentSecurityPolicyWithNonce(string nonce) =>
        ContentSecurityPolicy.Replace("script-src 'self';", $"script-src 'self' 'nonce-{nonce}';", StringComparison.Ordinal);

    public static WebApplication UseReelgateWeb(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            if (!IsApiPath(ctx.Request.Path))
            {
                var h = ctx.Response.Headers;
                h.ContentSecurityPolicy = ContentSecurityPolicy;
                h.XContentTypeOptions = "nosniff";
                h.XFrameOptions = "DENY";
                h["Referrer-Policy"] = "same-origin";
                // The nonce is made by the Scalar endpoint at the end of the pipeline, so the
                // header is finished just before the response starts.
                ctx.Response.OnStarting(() =>
                {
                    if (ctx.Items[Scalar.AspNetCore.ScalarOptions.NonceHttpContextItemKey] is string nonce)
                    {
                        ctx.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicyWithNonce(nonce);
                    }

                    return Task.CompletedTask;
                });
            }

            await next(ctx);
        });
        // The web app's middleware runs for web paths only: the API, /files and /mcp have their
        // own Bearer checks and pay nothing for cookies, static files or antiforgery.
        app.UseWhen(ctx => !IsApiPath(ctx.Request.Path), web =>
        {
            // Static files through the static-web-assets file provider (UseStaticWebAssets in the
            // host): the app's wwwroot and Blazor's _framework script. Not MapStaticAssets: its
            // catch-all file route would turn the API's 405 (wrong method) into 404.
            web.UseStaticFiles();
            web.UseAuthentication();
            web.UseAuthorization();
            web.UseAntiforgery();
        });
        return app;
    }

    public static WebApplication MapReelgateWeb(this WebApplication app)
    {
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapPost("/account/logout", async (SignInManager<ReelgateUser> signIn, [FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login");
        }).ExcludeFromDescription();
        app.MapWebUsage();
        return app;
    }

    /// <summary>Paths that answer in the API envelope, not with web pages.</summary>
    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/files") || path.StartsWithSegments("/mcp")
        || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics")
        || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/v1");
}
