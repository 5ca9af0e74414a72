using Microsoft.Extensions.Options;

namespace Reelgate.Server.Options;

/// <summary>Checks the configuration at start; each message names the key and what to set.</summary>
public sealed class ReelgateOptionsValidator : IValidateOptions<ReelgateOptions>
{
    public ValidateOptionsResult Validate(string? name, ReelgateOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.DataDirectory))
        {
            errors.Add("Reelgate:DataDirectory is empty: set Reelgate__DataDirectory to a writable directory");
        }

        if (!Roles.Known.Contains(o.Role))
        {
            errors.Add($"Reelgate:Role is '{o.Role}': use all, api or worker (--role or Reelgate__Role)");
        }

        if (o.Workers < 0 || o.Workers > 256)
        {
            errors.Add($"Reelgate:Workers is {o.Workers}: set Reelgate__Workers to a number from 0 to 256");
        }

        if (o.UrlSigningKey is { Length: > 0 } signing && signing.Length < 32)
        {
            errors.Add("Reelgate:UrlSigningKey is shorter than 32 characters: set Reelgate__UrlSigningKey to a long random secret (e.g. openssl rand -base64 32), or leave it unset to generate one");
        }

        if (o.AdminKey is { Length: > 0 } k && k.Length < 16)
        {
            errors.Add("Reelgate:AdminKey is shorter than 16 characters: set Reelgate__AdminKey to a long random secret, or leave it unset to generate one");
        }

        if (o.PublicBaseUrl is { Length: > 0 } b
            && (!Uri.TryCreate(b, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.Query.Length > 0 || u.Fragment.Length > 0))
        {
            errors.Add($"Reelgate:PublicBaseUrl '{b}' is not an absolute http(s) URL: set Reelgate__PublicBaseUrl like https://videos.example.com");
        }

        if (o.ResultUrlTtl <= TimeSpan.Zero)
        {
            errors.Add("Reelgate:ResultUrlTtl must be positive: set Reelgate__ResultUrlTtl like 14.00:00:00");
        }

        if (o.Lease < TimeSpan.FromSeconds(1))
        {
            errors.Add("Reelgate:Lease must be at least 00:00:01: set Reelgate__Lease like 00:00:30");
        }

        if (o.MaxAttempts < 1)
        {
            errors.Add("Reelgate:MaxAttempts must be at least 1: set Reelgate__MaxAttempts like 3");
        }

        if (o.EngineTimeout <= TimeSpan.Zero)
        {
            errors.Add("Reelgate:EngineTimeout must be positive: set Reelgate__EngineTimeout like 00:30:00");
        }

        if (o.DatabaseBusyTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add("Reelgate:DatabaseBusyTimeout must be at least 00:00:01: set Reelgate__DatabaseBusyTimeout like 00:00:10");
        }

        if (o.RendererThreads is < 0 or > 64)
        {
            errors.Add($"Reelgate:RendererThreads is {o.RendererThreads}: set Reelgate__RendererThreads to 0 (automatic) or 1 to 64");
        }

        if (o.SweepInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add("Reelgate:SweepInterval must be at least 00:00:00.1: set Reelgate__SweepInterval like 00:00:05");
        }

        if (o.UploadRetention <= TimeSpan.Zero)
        {
            errors.Add("Reelgate:UploadRetention must be positive: set Reelgate__UploadRetention like 3.00:00:00");
        }

        if (o.UploadQuotaBytes <= 0)
        {
            errors.Add($"Reelgate:UploadQuotaBytes is {o.UploadQuotaBytes}: set Reelgate__UploadQuotaBytes to a positive number of bytes, like 1073741824 (1 GiB)");
        }

        if (o.ResultRetention < TimeSpan.Zero)
        {
            errors.Add("Reelgate:ResultRetention must be 00:00:00 (keep forever) or positive: set Reelgate__ResultRetention like 14.00:00:00");
        }

        if (o.RetentionSweepInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add("Reelgate:RetentionSweepInterval must be at least 00:00:00.1: set Reelgate__RetentionSweepInterval like 00:10:00");
        }

        if (o.ShutdownGrace < TimeSpan.Zero || o.ShutdownGrace > TimeSpan.FromHours(1))
        {
            errors.Add("Reelgate:ShutdownGrace must be between 00:00:00 and 01:00:00: set Reelgate__ShutdownGrace like 00:00:25");
        }

        if (o.FallbackPoll <= TimeSpan.Zero)
        {
            errors.Add("Reelgate:FallbackPoll must be positive: set Reelgate__FallbackPoll like 00:00:05");
        }

        if (o.Callbacks.Timeout <= TimeSpan.Zero || o.Callbacks.Timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add("Reelgate:Callbacks:Timeout must be between 00:00:00.001 and 00:05:00: set Reelgate__Callbacks__Timeout like 00:00:15");
        }

        if (o.Callbacks.RetrySchedule.Any(t => t <= TimeSpan.Zero))
        {
            errors.Add("Reelgate:Callbacks:RetrySchedule has a wait of zero or less: set Reelgate__Callbacks__RetrySchedule__0 (and __1, ...) to positive times like 00:00:05");
        }

        if (o.ResultStore is not ("local" or "s3"))
        {
            errors.Add($"Reelgate:ResultStore is '{o.ResultStore}': use local (default) or s3");
        }
        else if (o.ResultStore == "s3")
        {
            if (!Uri.TryCreate(o.S3.ServiceUrl, UriKind.Absolute, out var s3Url) || s3Url.Scheme is not ("http" or "https"))
            {
                errors.Add($"Reelgate:S3:ServiceUrl '{o.S3.ServiceUrl}' is not an absolute http(s) URL: set Reelgate__S3__ServiceUrl like https://s3.eu-west-1.amazonaws.com");
            }

            if (string.IsNullOrWhiteSpace(o.S3.Bucket))
            {
                errors.Add("Reelgate:S3:Bucket is empty: set Reelgate__S3__Bucket to the bucket that holds result files");
            }

            if (string.IsNullOrEmpty(o.S3.AccessKey) != string.IsNullOrEmpty(o.S3.SecretKey))
            {
                errors.Add("Reelgate:S3:AccessKey and Reelgate:S3:SecretKey go together: set both, or neither to use the AWS SDK's default credentials");
            }

            if (o.S3.Serve is not ("proxy" or "redirect"))
            {
                errors.Add($"Reelgate:S3:Serve is '{o.S3.Serve}': use proxy (default) or redirect");
            }

            if (o.S3.Prefix.Length > 0 && (o.S3.Prefix.StartsWith('/') || !o.S3.Prefix.EndsWith('/')))
            {
                errors.Add($"Reelgate:S3:Prefix '{o.S3.Prefix}' must not start with / and must end with /: set Reelgate__S3__Prefix like reelgate/");
            }

            if (o.S3.Timeout <= TimeSpan.Zero)
            {
                errors.Add("Reelgate:S3:Timeout must be positive: set Reelgate__S3__Timeout like 00:00:30");
            }
        }

        foreach (var (engineName, engine) in o.Engines)
        {
            if (engineName == "builtin" || engineName.Length == 0 || !engineName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                errors.Add($"Reelgate:Engines:{engineName}: the name must be letters, digits, - or _, and not builtin");
            }

            if (engine.Type is not ("modelark" or "relay"))
            {
                errors.Add($"Reelgate:Engines:{engineName}:Type is '{engine.Type}': use modelark or relay");
            }

            if (!Uri.TryCreate(engine.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                errors.Add($"Reelgate:Engines:{engineName}:BaseUrl '{engine.BaseUrl}' is not an absolute http(s) URL: set Reelgate__Engines__{engineName}__BaseUrl");
            }

            if (string.IsNullOrWhiteSpace(engine.ApiKey))
            {
                errors.Add($"Reelgate:Engines:{engineName}:ApiKey is empty: set Reelgate__Engines__{engineName}__ApiKey to the upstream's key");
            }

            if (string.IsNullOrWhiteSpace(engine.Model))
            {
                errors.Add($"Reelgate:Engines:{engineName}:Model is empty: set Reelgate__Engines__{engineName}__Model (e.g. dreamina-seedance-2-0-260128)");
            }

            if (engine.PollInitial <= TimeSpan.Zero || engine.PollMax < engine.PollInitial)
            {
                errors.Add($"Reelgate:Engines:{engineName}:PollInitial must be positive and PollMax at least PollInitial");
            }

            if (engine.Callbacks && string.IsNullOrEmpty(o.PublicBaseUrl))
            {
                errors.Add($"Reelgate:Engines:{engineName}:Callbacks needs Reelgate:PublicBaseUrl (the origin the upstream can reach): set Reelgate__PublicBaseUrl, or turn Callbacks off");
            }

            if (engine.CreateTries < 1 || engine.RequestTimeout <= TimeSpan.Zero)
            {
                errors.Add($"Reelgate:Engines:{engineName}:CreateTries must be at least 1 and RequestTimeout positive");
            }
        }

        foreach (var (model, route) in o.Routes)
        {
            if (route.Count == 0)
            {
                errors.Add($"Reelgate:Routes:{model} is empty: list at least one engine (Reelgate__Routes__{model}__0__Engine=builtin)");
            }

            foreach (var entry in route)
            {
                if (entry.Engine != "builtin" && !o.Engines.ContainsKey(entry.Engine))
                {
                    errors.Add($"Reelgate:Routes:{model} names engine '{entry.Engine}', which is neither builtin nor in Reelgate:Engines");
                }

                if (entry.Weight < 0)
                {
                    errors.Add($"Reelgate:Routes:{model}: engine '{entry.Engine}' has a negative Weight");
                }
            }
        }

        if (o.Breaker.Failures < 1 || o.Breaker.Cooldown <= TimeSpan.Zero)
        {
            errors.Add("Reelgate:Breaker:Failures must be at least 1 and Reelgate:Breaker:Cooldown positive");
        }

        foreach (var tier in o.Web.EffectiveKeyTiers.Where(t => !o.Tiers.ContainsKey(t)))
        {
            errors.Add($"Reelgate:Web:KeyTiers has '{tier}', which is not in Reelgate:Tiers: use one of {string.Join(", ", o.Tiers.Keys)}");
        }

        if (!o.Tiers.ContainsKey(o.Web.PlaygroundTier))
        {
            errors.Add($"Reelgate:Web:PlaygroundTier is '{o.Web.PlaygroundTier}', which is not in Reelgate:Tiers: use one of {string.Join(", ", o.Tiers.Keys)}");
        }

        if (o.Web.SignupCredits is < 0 or > Reelgate.Core.Accounts.Credits.MaxBalance)
        {
            errors.Add($"Reelgate:Web:SignupCredits is {o.Web.SignupCredits}: set Reelgate__Web__SignupCredits to a whole number from 0 to {Reelgate.Core.Accounts.Credits.MaxBalance}");
        }

        foreach (var (section, hosts) in new[] { ("Callbacks", o.Callbacks.AllowedHosts), ("Inputs", o.Inputs.AllowedHosts) })
        {
            foreach (var host in hosts)
            {
                var parts = host.Split('/');
                if (string.IsNullOrWhiteSpace(host) || (parts.Length == 2 && (!System.Net.IPAddress.TryParse(parts[0], out _) || !int.TryParse(parts[1], out _))) || parts.Length > 2)
                {
                    errors.Add($"Reelgate:{section}:AllowedHosts has '{host}': use a host name, an IP address, or a CIDR range like 10.0.0.0/8 (Reelgate__{section}__AllowedHosts__0)");
                }
            }
        }

        if (o.Inputs.FetchTimeout <= TimeSpan.Zero || o.Inputs.FetchTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Reelgate:Inputs:FetchTimeout is {o.Inputs.FetchTimeout}: set Reelgate__Inputs__FetchTimeout between 00:00:00.001 and 00:10:00, like 00:00:30");
        }

        if (string.IsNullOrWhiteSpace(o.OpenAi.DefaultModel) || string.IsNullOrWhiteSpace(o.OpenAi.DefaultImageModel))
        {
            errors.Add("Reelgate:OpenAi:DefaultModel and DefaultImageModel must name catalog models: set Reelgate__OpenAi__DefaultModel=seedance-2.0-text-to-video and Reelgate__OpenAi__DefaultImageModel=seedance-2.0-image-to-video");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(o.OpenAi.DefaultSize ?? "", "^[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$"))
        {
            errors.Add($"Reelgate:OpenAi:DefaultSize is '{o.OpenAi.DefaultSize}', which is not WIDTHxHEIGHT: set Reelgate__OpenAi__DefaultSize=1280x720");
        }

        foreach (var origin in o.Mcp.AllowedOrigins.Where(a => McpOptions.NormalizeOrigin(a) is null))
        {
            errors.Add($"Reelgate:Mcp:AllowedOrigins has '{origin}', which is not an origin: use scheme, host and optional port only, like https://agents.example.com (Reelgate__Mcp__AllowedOrigins__0)");
        }

        if (o.Otlp.Endpoint is { Length: > 0 } otlp && (!Uri.TryCreate(otlp, UriKind.Absolute, out var collector) || collector.Scheme is not ("http" or "https")))
        {
            errors.Add("Reelgate:Otlp:Endpoint is not an absolute http(s) URL: set Reelgate__Otlp__Endpoint like http://otel-collector:4317, or leave it unset");
        }

        if (o.Otlp.Protocol is not ("grpc" or "http/protobuf"))
        {
            errors.Add($"Reelgate:Otlp:Protocol is '{o.Otlp.Protocol}': use grpc or http/protobuf");
        }

        foreach (var (tier, t) in o.Tiers)
        {
            foreach (var (key, value) in new[] { ("CreatePerSecond", t.CreatePerSecond), ("CreatePerMinute", t.CreatePerMinute), ("ReadPerSecond", t.ReadPerSecond), ("ReadPerMinute", t.ReadPerMinute), ("ActiveTasks", t.ActiveTasks) })
            {
                if (value is < 1)
                {
                    errors.Add($"Reelgate:Tiers:{tier}:{key} is {value}: set Reelgate__Tiers__{tier}__{key} to 1 or more, or remove it for no limit");
                }
            }
        }

        for (var i = 0; i < o.TrustedProxies.Count; i++)
        {
            if (!Reelgate.Core.Accounts.KeyLimits.TryParseRange(o.TrustedProxies[i], out _))
            {
                errors.Add($"Reelgate:TrustedProxies:{i} is '{o.TrustedProxies[i]}': use an IP address or a CIDR range (10.0.0.0/8, 2001:db8::/32) of the proxy in front");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
