using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace O2O.Tests.Identity;

/// <summary>
/// How a caller proves who they are: nothing, a header (write key, API token, JWT) or the sign-in
/// cookie a browser would hold.
/// </summary>
public sealed class Caller
{
    private Caller(string name, Func<HttpClient> client, Action<Microsoft.AspNetCore.Http.Connections.Client.HttpConnectionOptions> hub)
    {
        Name = name;
        NewClient = client;
        ConfigureHub = hub;
    }

    public string Name { get; }

    public Func<HttpClient> NewClient { get; }

    public Action<Microsoft.AspNetCore.Http.Connections.Client.HttpConnectionOptions> ConfigureHub { get; }

    public override string ToString() => Name;

    public static Caller Anonymous(Uri api) => new("anonymous", () => Plain(api, null), _ => { });

    public static Caller WriteKey(Uri api, string name, string key) =>
        new(name, () => Plain(api, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")))),
            o => o.Headers["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));

    public static Caller Bearer(Uri api, string name, string token) =>
        new(name, () => Plain(api, new AuthenticationHeaderValue("Bearer", token)), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token));

    /// <summary>Signs in as a Development demo person and keeps the session cookie.</summary>
    public static async Task<Caller> DemoAsync(Uri api, string name, string demoId)
    {
        var cookies = new CookieContainer();
        using (var client = WithCookies(api, cookies))
        {
            var response = await client.PostAsJsonAsync("/signin/demo", new { id = demoId });
            response.EnsureSuccessStatusCode();
        }
        return new Caller(name, () => WithCookies(api, cookies), o => o.Cookies = cookies);
    }

    public HubConnection Hub(Uri api) => new HubConnectionBuilder()
        .WithUrl(new Uri(api, "/hubs/leads"), ConfigureHub)
        .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
        .Build();

    private static HttpClient Plain(Uri api, AuthenticationHeaderValue? authorization)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = api };
        client.DefaultRequestHeaders.Authorization = authorization;
        return client;
    }

    private static HttpClient WithCookies(Uri api, CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = api };
}

/// <summary>Calls the admin API as a signed-in demo admin.</summary>
public static class AdminCalls
{
    public static async Task<string> CreateTokenAsync(HttpClient admin, string name, params string[] scopes)
    {
        var response = await admin.PostAsJsonAsync("/api/admin/tokens", new { name, scopes });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("secret").GetString()!;
    }
}
