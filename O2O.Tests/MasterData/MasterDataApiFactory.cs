using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

[assembly: AssemblyFixture(typeof(O2O.Tests.MasterData.MasterDataApiFactory))]

namespace O2O.Tests.MasterData;

/// <summary>
/// The real Api on a real Kestrel port with its embedded silo, wired to a local ZNS/eSMS stand-in
/// and a real SMTP server, with bill links signed by a test key. Started once per test run; tests
/// keep apart by their own order ids and phones.
/// </summary>
public sealed class MasterDataApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Tenant = "md";
    public const string WriteKey = "test-write-key-masterdata";
    public const string ReadToken = "test-read-token-masterdata";
    public const string EraseToken = "test-erase-token-masterdata";
    public const string ShopUrl = "https://shop.example.vn/";
    public const string AdminToken = "test-admin-token-masterdata";
    public const string ViberChatUri = "o2oshoptest";

    public ProviderServer Providers { get; private set; } = null!;

    public SmtpSink Smtp { get; private set; } = null!;

    /// <summary>The Viber REST Bot API stand-in the Api's bot talks to (and which calls its webhook).</summary>
    public Messaging.ViberServer Viber { get; } = new();

    public Uri Address => ClientOptions.BaseAddress;

    private int _port;

    public async ValueTask InitializeAsync()
    {
        Providers = await ProviderServer.StartAsync();
        Smtp = new SmtpSink();
        await Viber.InitializeAsync();
        // A port known before start: eSMS is given the callback address with each send.
        _port = Infrastructure.ServerProcess.FreeTcpPort();
        UseKestrel(_port);
        StartServer();
        Providers.ZnsWebhook = new Uri(Address, $"/v1/messaging/zns/webhook/{Tenant}").ToString();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // The bill page is a static web asset; outside Development the build's manifest is switched on explicitly.
        builder.UseStaticWebAssets();
        builder.UseSetting("O2O:Demo:Enabled", "false");
        builder.UseSetting("O2O:Security:WriteKeys:0:Key", WriteKey);
        builder.UseSetting("O2O:Security:WriteKeys:0:Tenant", Tenant);
        builder.UseSetting("O2O:Security:ReadTokens:0:Token", ReadToken);
        builder.UseSetting("O2O:Security:ReadTokens:0:Tenant", Tenant);
        builder.UseSetting("O2O:Security:ReadTokens:1:Token", EraseToken);
        builder.UseSetting("O2O:Security:ReadTokens:1:Tenant", Tenant);
        builder.UseSetting("O2O:Security:ReadTokens:1:Scopes:0", "read");
        builder.UseSetting("O2O:Security:ReadTokens:1:Scopes:1", "erase");
        builder.UseSetting("O2O:BillLinks:SigningKey", "test-bill-link-signing-key-0123456789abcdef");
        builder.UseSetting("O2O:BillLinks:ShopUrl", ShopUrl);
        builder.UseSetting("O2O:Messaging:Zns:BaseUrl", Providers.BaseUrl);
        builder.UseSetting("O2O:Messaging:Zns:AccessToken", ProviderServer.ZnsToken);
        builder.UseSetting("O2O:Messaging:Zns:OtpTemplateId", ProviderServer.OtpTemplate);
        builder.UseSetting("O2O:Messaging:Zns:OrderTemplateId", ProviderServer.OrderTemplate);
        builder.UseSetting("O2O:Messaging:Zns:ReferralTemplateId", ProviderServer.ReferralTemplate);
        builder.UseSetting("O2O:Messaging:Sms:BaseUrl", Providers.BaseUrl);
        builder.UseSetting("O2O:Messaging:Sms:ApiKey", ProviderServer.EsmsKey);
        builder.UseSetting("O2O:Messaging:Sms:SecretKey", ProviderServer.EsmsSecret);
        builder.UseSetting("O2O:Messaging:Sms:Brandname", ProviderServer.Brandname);
        builder.UseSetting("O2O:Messaging:Sms:CallbackSecret", "test-esms-callback-secret");
        builder.UseSetting("O2O:Messaging:Sms:CallbackUrl", $"http://127.0.0.1:{_port}/v1/messaging/esms/callback");
        builder.UseSetting("O2O:Messaging:Zns:AppId", ProviderServer.ZnsAppId);
        builder.UseSetting("O2O:Messaging:Zns:OaSecretKey", ProviderServer.ZnsOaSecret);
        builder.UseSetting("O2O:Messaging:Email:Host", "127.0.0.1");
        builder.UseSetting("O2O:Messaging:Email:Port", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("O2O:Messaging:Email:Security", "None");
        builder.UseSetting("O2O:Messaging:Email:From", "cskh@shop.example.vn");
        // One-time codes go by SMS here, so a test can read them from the eSMS stand-in.
        builder.UseSetting("O2O:Messaging:OtpChannels:0", "Sms");
        builder.UseSetting("O2O:Messaging:RetryDelay", "00:00:00.010");
        builder.UseSetting("O2O:Messaging:Viber:BaseUrl", Viber.BaseUrl);
        builder.UseSetting("O2O:Messaging:Viber:AuthToken", Messaging.ViberServer.Token);
        builder.UseSetting("O2O:Messaging:Viber:ChatUri", ViberChatUri);
        // Links and the Viber webhook address are this Api's own.
        builder.UseSetting("O2O:Journeys:PublicBaseUrl", $"http://127.0.0.1:{_port}");
        builder.UseSetting("O2O:Security:ReadTokens:2:Token", AdminToken);
        builder.UseSetting("O2O:Security:ReadTokens:2:Tenant", Tenant);
        builder.UseSetting("O2O:Security:ReadTokens:2:Scopes:0", "admin");
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

    /// <summary>The tenant's privacy desk: reads and erases.</summary>
    public HttpClient Eraser()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", EraseToken);
        return client;
    }

    /// <summary>The tenant's administrator (an API token with <c>admin</c>).</summary>
    public HttpClient Admin()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    /// <summary>A client with no credentials: the shopper's phone.</summary>
    public HttpClient Shopper() => CreateClient();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Providers.DisposeAsync();
        await Smtp.DisposeAsync();
        await Viber.DisposeAsync();
    }
}
