using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Reelgate.Server.Tests;

/// <summary>A bad configuration stops the start with one line naming the key and what to set.</summary>
public sealed class StartupConfigurationTests
{
    [Theory]
    [InlineData("Reelgate:Workers", "-1")]
    [InlineData("Reelgate:PublicBaseUrl", "ftp://x")]
    [InlineData("Reelgate:Lease", "00:00:00")]
    [InlineData("Reelgate:Tiers:free:CreatePerSecond", "0")]
    [InlineData("Reelgate:AdminKey", "short")]
    [InlineData("Reelgate:Role", "frontend")]
    [InlineData("Reelgate:Web:PlaygroundTier", "gold")]
    [InlineData("Reelgate:Web:SignupCredits", "-1")]
    [InlineData("Reelgate:Web:SignupCredits", "1000000000000001")]
    [InlineData("Reelgate:Web:SignupCredits", "9223372036854775807")]
    [InlineData("ConnectionStrings:Redis", "127.0.0.1:6379,nonsense=1")]
    [InlineData("ConnectionStrings:Reelgate", "Username=reelgate;Database=reelgate")]
    [InlineData("ConnectionStrings:Reelgate", "Host=127.0.0.1;Colour=blue")]
    [InlineData("Reelgate:UrlSigningKey", "too-short")]
    [InlineData("Reelgate:SweepInterval", "00:00:00")]
    [InlineData("Reelgate:ResultStore", "ftp")]
    [InlineData("Reelgate:UploadRetention", "00:00:00")]
    [InlineData("Reelgate:UploadQuotaBytes", "0")]
    public void ValidateConfiguration_NamesTheKey_WhenValueIsBad(string key, string value)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var problems = ReelgateHost.ValidateConfiguration(config);
        Assert.Contains(problems, p => p.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void PostgreSQL_NeedsTheSharedSecretsOfAllNodes_AndIsAcceptedWithThem()
    {
        var pg = new Dictionary<string, string?> { ["ConnectionStrings:Reelgate"] = "Host=127.0.0.1;Username=reelgate;Database=reelgate" };
        var problems = ReelgateHost.ValidateConfiguration(new ConfigurationBuilder().AddInMemoryCollection(pg).Build());
        Assert.Contains(problems, p => p.Contains("Reelgate:AdminKey", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Reelgate:UrlSigningKey", StringComparison.Ordinal));

        pg["Reelgate:AdminKey"] = "admin-key-0123456789";
        pg["Reelgate:UrlSigningKey"] = "url-signing-key-0123456789-0123456789";
        Assert.Empty(ReelgateHost.ValidateConfiguration(new ConfigurationBuilder().AddInMemoryCollection(pg).Build()));
    }

    [Fact]
    public void S3ResultStore_NamesEachMissingOrBadKey_AndIsAcceptedWhenComplete()
    {
        var s3 = new Dictionary<string, string?> { ["Reelgate:ResultStore"] = "s3", ["Reelgate:S3:Serve"] = "cdn", ["Reelgate:S3:AccessKey"] = "AKIA", ["Reelgate:S3:Prefix"] = "/x" };
        var problems = ReelgateHost.ValidateConfiguration(new ConfigurationBuilder().AddInMemoryCollection(s3).Build());
        foreach (var key in new[] { "Reelgate:S3:ServiceUrl", "Reelgate:S3:Bucket", "Reelgate:S3:SecretKey", "Reelgate:S3:Serve", "Reelgate:S3:Prefix" })
        {
            Assert.Contains(problems, p => p.Contains(key, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(problems, p => p.Contains("AKIA", StringComparison.Ordinal));
        s3["Reelgate:S3:ServiceUrl"] = "http://127.0.0.1:9000";
        s3["Reelgate:S3:Bucket"] = "results";
        s3["Reelgate:S3:SecretKey"] = "secret";
        s3["Reelgate:S3:Serve"] = "redirect";
        s3["Reelgate:S3:Prefix"] = "reelgate/";
        Assert.Empty(ReelgateHost.ValidateConfiguration(new ConfigurationBuilder().AddInMemoryCollection(s3).Build()));
    }

    [Fact]
    public void ValidateConfiguration_FindsNothing_ForDefaults() =>
        Assert.Empty(ReelgateHost.ValidateConfiguration(new ConfigurationBuilder().Build()));

    [Fact]
    public async Task Server_ExitsWithOneLineNamingTheKey_WhenStartedWithBadWorkers()
    {
        var dll = typeof(ReelgateHost).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet", [dll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        psi.Environment["Reelgate__Workers"] = "-1";
        psi.Environment["Reelgate__DataDirectory"] = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        using var p = Process.Start(psi)!;
        var stderr = await p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.NotEqual(0, p.ExitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("Reelgate:Workers", lines[0], StringComparison.Ordinal);
        Assert.Contains("Reelgate__Workers", lines[0], StringComparison.Ordinal);
    }
}
