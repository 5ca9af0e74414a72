using System.Text;
using Reelgate.Core.Callbacks;

namespace Reelgate.Core.Tests;

public sealed class WebhookSignerTests
{
    [Fact]
    public void Sign_ReproducesTheStandardWebhooksPublishedTestVector()
    {
        var signature = WebhookSigner.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("""{"test": 2432232314}"""));
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void NewSecret_IsAWhsecBase64KeyOf24Bytes()
    {
        var secret = WebhookSigner.NewSecret();
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(24, Convert.FromBase64String(secret[6..]).Length);
        Assert.NotEqual(secret, WebhookSigner.NewSecret());
    }
}
