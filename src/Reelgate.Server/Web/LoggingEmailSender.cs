using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reelgate.Data.Identity;
using Reelgate.Server.Options;

namespace Reelgate.Server.Web;

/// <summary>
/// There is no mail server: a password-reset link is written to the server log when
/// <c>Reelgate:Web:LogPasswordResetLinks</c> is on (default: Development only). Otherwise nothing
/// is sent and the reset page tells the user to ask an operator.
/// </summary>
public sealed partial class LoggingEmailSender(IOptions<ReelgateOptions> options, IHostEnvironment environment, ILogger<LoggingEmailSender> log) : IEmailSender<ReelgateUser>
{
    public bool Enabled => options.Value.Web.LogPasswordResetLinks ?? environment.IsDevelopment();

    public Task SendConfirmationLinkAsync(ReelgateUser user, string email, string confirmationLink) => Task.CompletedTask;

    public Task SendPasswordResetCodeAsync(ReelgateUser user, string email, string resetCode) => Task.CompletedTask;

    public Task SendPasswordResetLinkAsync(ReelgateUser user, string email, string resetLink)
    {
        if (Enabled)
        {
            LogResetLink(email, resetLink);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "password reset requested for {Email}: open {ResetLink} (logged because Reelgate:Web:LogPasswordResetLinks is on; do not enable in production)")]
    private partial void LogResetLink(string email, string resetLink);
}
