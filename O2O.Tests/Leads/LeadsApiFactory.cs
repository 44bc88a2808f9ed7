using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using O2O.Api.Consultants;
using O2O.Grains.Leads;

[assembly: AssemblyFixture(typeof(O2O.Tests.Leads.LeadsApiFactory))]

namespace O2O.Tests.Leads;

/// <summary>
/// The real API on a real Kestrel port (SignalR and the browser need one), with consultant tokens
/// signed by a test key and one demo consultant for the sign-in page. Tests keep apart by using
/// store codes of their own.
/// </summary>
public class LeadsApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string TenantA = "leads-a";
    public const string TenantB = "leads-b";
    public const string WriteKeyA = "test-write-key-leads-a";
    public const string WriteKeyB = "test-write-key-leads-b";
    /// <summary>A website source of tenant A that accepts browser calls from any http://127.0.0.1 port (Tracking/BrowserTrackingTests).</summary>
    public const string WebsiteWriteKey = "test-write-key-leads-website";
    public const string ReadTokenA = "test-read-token-leads-a";
    public const string SigningKey = "test-consultant-signing-key-0123456789abcdef";
    public const string DemoConsultantId = "pw-lan";
    public const string DemoStore = "PW01";
    public const string DemoManagerId = "pw-hoa";

    public Uri Address => ClientOptions.BaseAddress;

    public virtual ValueTask InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        return ValueTask.CompletedTask;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // The Api serves its pages as static web assets (MapStaticAssets); outside Development the
        // build's manifest has to be switched on explicitly.
        builder.UseStaticWebAssets();
        builder.UseSetting("O2O:Demo:Enabled", "false");
        builder.UseSetting("O2O:Security:WriteKeys:0:Key", WriteKeyA);
        builder.UseSetting("O2O:Security:WriteKeys:0:Tenant", TenantA);
        builder.UseSetting("O2O:Security:WriteKeys:1:Key", WriteKeyB);
        builder.UseSetting("O2O:Security:WriteKeys:1:Tenant", TenantB);
        builder.UseSetting("O2O:Security:WriteKeys:2:Key", WebsiteWriteKey);
        builder.UseSetting("O2O:Security:WriteKeys:2:Tenant", TenantA);
        builder.UseSetting("O2O:Security:WriteKeys:2:Source", "website");
        builder.UseSetting("O2O:Security:WriteKeys:2:AllowedOrigins:0", "http://127.0.0.1:*");
        builder.UseSetting("O2O:Security:ReadTokens:0:Token", ReadTokenA);
        builder.UseSetting("O2O:Security:ReadTokens:0:Tenant", TenantA);
        builder.UseSetting("O2O:Consultants:SigningKey", SigningKey);
        builder.UseSetting("O2O:Consultants:DemoSignIn", "true");
        builder.UseSetting("O2O:Consultants:Demo:0:Id", DemoConsultantId);
        builder.UseSetting("O2O:Consultants:Demo:0:Name", "Nguyễn Thị Lan");
        builder.UseSetting("O2O:Consultants:Demo:0:Tenant", TenantA);
        builder.UseSetting("O2O:Consultants:Demo:0:Team", DemoStore);
        builder.UseSetting("O2O:Consultants:Demo:1:Id", DemoManagerId);
        builder.UseSetting("O2O:Consultants:Demo:1:Name", "Lê Thị Hoa");
        builder.UseSetting("O2O:Consultants:Demo:1:Tenant", TenantA);
        builder.UseSetting("O2O:Consultants:Demo:1:Team", DemoStore);
        builder.UseSetting("O2O:Consultants:Demo:1:Role", "Manager");
        // The demo marketer and admin belong to the demo tenant.
        builder.UseSetting("O2O:Demo:Tenant", TenantA);
        builder.UseSetting("O2O:Leads:MaxOpenPerConsultant", "50");
    }

    public HttpClient Writer(string key = WriteKeyA)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        return client;
    }

    public HttpClient Reader()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReadTokenA);
        return client;
    }

    public string TokenFor(string tenant, Consultant consultant) =>
        Services.GetRequiredService<ConsultantTokens>().Issue(tenant, consultant);

    /// <summary>A started hub connection for the consultant, recording every alert it receives.</summary>
    public async Task<LeadInbox> ConnectAsync(string tenant, Consultant consultant)
    {
        var inbox = new LeadInbox(Hub(TokenFor(tenant, consultant)), consultant);
        await inbox.Connection.StartAsync();
        return inbox;
    }

    public HubConnection Hub(string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(Address, "/hubs/leads"), o =>
        {
            if (token is not null)
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            }
        })
        .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
        .Build();

    public static string NewStore(string prefix = "S") => prefix + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    public static string NewPhone() => "090" + Random.Shared.Next(1_000_000, 9_999_999);
}

/// <summary>What one consultant's connection has received; handlers are hooked before it starts.</summary>
public sealed class LeadInbox : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly ConcurrentQueue<(string Kind, LeadCard Lead)> _received = new();
    private readonly SemaphoreSlim _signal = new(0);
    private volatile IReadOnlyList<LeadCard>? _openLeads;

    public LeadInbox(HubConnection connection, Consultant consultant)
    {
        Connection = connection;
        Consultant = consultant;
        foreach (var kind in Enum.GetNames<LeadNoticeKind>())
        {
            connection.On<LeadCard>(kind, lead =>
            {
                _received.Enqueue((kind, lead));
                _signal.Release();
            });
        }
        connection.On<List<LeadCard>>("OpenLeads", leads =>
        {
            _openLeads = leads;
            _signal.Release();
        });
    }

    public HubConnection Connection { get; }

    public Consultant Consultant { get; }

    public IReadOnlyList<(string Kind, LeadCard Lead)> Received => [.. _received];

    /// <summary>Waits until an alert matching <paramref name="match"/> has arrived; fails the test after a generous limit.</summary>
    public Task<LeadCard> WaitForAsync(string kind, Func<LeadCard, bool> match) =>
        UntilAsync(() => _received.Where(r => r.Kind == kind && match(r.Lead)).Select(r => r.Lead).FirstOrDefault(), kind);

    /// <summary>Waits for the open leads the hub sends on connect.</summary>
    public Task<IReadOnlyList<LeadCard>> OpenLeadsAsync() => UntilAsync(() => _openLeads, "OpenLeads");

    private async Task<T> UntilAsync<T>(Func<T?> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            if (probe() is { } hit)
            {
                return hit;
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{Consultant.Id} got no matching {what} within {Limit}; got: {string.Join(", ", _received.Select(r => $"{r.Kind} {r.Lead.LeadId} {r.Lead.Team}"))}");
            }
            await _signal.WaitAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
