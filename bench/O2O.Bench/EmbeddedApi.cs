using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace O2O.Bench;

/// <summary>
/// The real O2O.Api with its embedded silo, on Kestrel over loopback, in this process so the
/// benchmark can read the managed heap. Demo traffic off; one bench tenant.
/// </summary>
public sealed class EmbeddedApi : WebApplicationFactory<Program>
{
    public const string WriteKey = "bench-write-key-0123456789";
    public const string ReadToken = "bench-read-token-0123456789";
    private readonly Dictionary<string, string> _settings;

    public EmbeddedApi(Dictionary<string, string>? settings = null)
    {
        _settings = settings ?? [];
        UseKestrel(0);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("O2O:Demo:Enabled", "false");
        builder.UseSetting("O2O:Security:WriteKeys:0:Key", WriteKey);
        builder.UseSetting("O2O:Security:WriteKeys:0:Tenant", "bench");
        // The bench source may send as fast as the server takes it: the figure is throughput, not the limiter.
        builder.UseSetting("O2O:Security:WriteKeys:0:RateLimit", "1000000");
        builder.UseSetting("O2O:Privacy:PseudonymSecret", "bench-only-pseudonym-secret-0123456789");
        builder.UseSetting("O2O:Security:ReadTokens:0:Token", ReadToken);
        builder.UseSetting("O2O:Security:ReadTokens:0:Tenant", "bench");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient Writer()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":")));
        return client;
    }

    public HttpClient Reader()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReadToken);
        return client;
    }
}
