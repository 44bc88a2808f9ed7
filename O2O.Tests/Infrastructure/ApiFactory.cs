using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

[assembly: AssemblyFixture(typeof(O2O.Tests.Infrastructure.ApiFactory))]

namespace O2O.Tests.Infrastructure;

/// <summary>
/// The real API with its embedded silo, started once per test run. Demo traffic is off; two
/// tenants have keys so tests can prove they are kept apart.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public const string WriteKey = "test-write-key-tenant-a";
    public const string ReadToken = "test-read-token-tenant-a";
    public const string OtherWriteKey = "test-write-key-tenant-b";
    public const string OtherReadToken = "test-read-token-tenant-b";
    /// <summary>The only browser origin <see cref="WriteKey"/>'s source allows.</summary>
    public const string ShopOrigin = "https://shop-a.test";
    /// <summary>A tenant-a source allowed 3 requests an hour, so a test can put it over its limit.</summary>
    public const string LimitedWriteKey = "test-write-key-limited-source";
    /// <summary>Tenant A's marketing tool: reads reports and sends spend (<c>read</c>, <c>ingest</c>).</summary>
    public const string MarketingToken = "test-marketing-token-tenant-a";
    /// <summary>Tenant A's privacy desk: reads and erases (<c>read</c>, <c>erase</c>).</summary>
    public const string EraseToken = "test-erase-token-tenant-a";
    /// <summary>Tenant A's CRM sync: reads, and exports contact points in clear (<c>read</c>, <c>contacts</c>).</summary>
    public const string ContactsToken = "test-contacts-token-tenant-a";

    /// <summary>Small enough that a test can fill it.</summary>
    public const int FeedCapacity = 2_000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("O2O:Demo:Enabled", "false");
        builder.UseSetting("O2O:Feed:Capacity", FeedCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("O2O:Security:WriteKeys:0:Key", WriteKey);
        builder.UseSetting("O2O:Security:WriteKeys:0:Tenant", "tenant-a");
        builder.UseSetting("O2O:Security:WriteKeys:0:AllowedOrigins:0", ShopOrigin);
        builder.UseSetting("O2O:Security:WriteKeys:1:Key", OtherWriteKey);
        builder.UseSetting("O2O:Security:WriteKeys:1:Tenant", "tenant-b");
        builder.UseSetting("O2O:Security:WriteKeys:2:Key", LimitedWriteKey);
        builder.UseSetting("O2O:Security:WriteKeys:2:Tenant", "tenant-a");
        builder.UseSetting("O2O:Security:WriteKeys:2:Source", "limited");
        builder.UseSetting("O2O:Security:WriteKeys:2:RateLimit", "3");
        builder.UseSetting("O2O:Security:WriteKeys:2:RateLimitPeriod", "01:00:00");
        builder.UseSetting("O2O:Security:ReadTokens:0:Token", ReadToken);
        builder.UseSetting("O2O:Security:ReadTokens:0:Tenant", "tenant-a");
        builder.UseSetting("O2O:Security:ReadTokens:1:Token", OtherReadToken);
        builder.UseSetting("O2O:Security:ReadTokens:1:Tenant", "tenant-b");
        builder.UseSetting("O2O:Security:ReadTokens:1:Scopes:0", "read");
        builder.UseSetting("O2O:Security:ReadTokens:1:Scopes:1", "ingest");
        builder.UseSetting("O2O:Security:ReadTokens:2:Token", MarketingToken);
        builder.UseSetting("O2O:Security:ReadTokens:2:Tenant", "tenant-a");
        builder.UseSetting("O2O:Security:ReadTokens:2:Scopes:0", "read");
        builder.UseSetting("O2O:Security:ReadTokens:2:Scopes:1", "ingest");
        builder.UseSetting("O2O:Security:ReadTokens:3:Token", EraseToken);
        builder.UseSetting("O2O:Security:ReadTokens:3:Tenant", "tenant-a");
        builder.UseSetting("O2O:Security:ReadTokens:3:Scopes:0", "read");
        builder.UseSetting("O2O:Security:ReadTokens:3:Scopes:1", "erase");
        builder.UseSetting("O2O:Security:ReadTokens:4:Token", ContactsToken);
        builder.UseSetting("O2O:Security:ReadTokens:4:Tenant", "tenant-a");
        builder.UseSetting("O2O:Security:ReadTokens:4:Scopes:0", "read");
        builder.UseSetting("O2O:Security:ReadTokens:4:Scopes:1", "contacts");
    }

    /// <summary>A client with the tenant-a erase token.</summary>
    public HttpClient Eraser()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", EraseToken);
        return client;
    }

    public HttpClient Writer(string key = WriteKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        return client;
    }

    public HttpClient Reader(string token = ReadToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
