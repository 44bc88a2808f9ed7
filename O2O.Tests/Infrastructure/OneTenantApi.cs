using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// The real Api in this process, for a test that needs settings of its own: demo traffic off, one
/// tenant with a write key and a read token, and the test's <paramref name="settings"/> on top (a
/// cluster to join, an event hub, an exporter, token scopes).
/// </summary>
public sealed class OneTenantApi(string tenant, IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
{
    public string WriteKey { get; } = $"test-write-key-{tenant}";

    public string ReadToken { get; } = $"test-read-token-{tenant}";

    /// <summary>A client sending the write key as analytics.js does (Basic, key as user name).</summary>
    public HttpClient Writer() => With(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":"))));

    /// <summary>A client with the read token (and whatever scopes the settings gave it).</summary>
    public HttpClient Reader() => With(new AuthenticationHeaderValue("Bearer", ReadToken));

    private HttpClient With(AuthenticationHeaderValue auth)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = auth;
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("O2O:Demo:Enabled", "false");
        builder.UseSetting("O2O:Security:WriteKeys:0:Key", WriteKey);
        builder.UseSetting("O2O:Security:WriteKeys:0:Tenant", tenant);
        builder.UseSetting("O2O:Security:ReadTokens:0:Token", ReadToken);
        builder.UseSetting("O2O:Security:ReadTokens:0:Tenant", tenant);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
