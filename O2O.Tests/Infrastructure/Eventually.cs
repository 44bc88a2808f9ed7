using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// Events are applied asynchronously after the 200, so reads poll until the effect shows. The limit
/// is generous: it bounds a hang on a slow shared machine, it does not measure speed.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string url, Func<JsonElement, bool>? until = null)
    {
        var deadline = DateTime.UtcNow + Limit;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var json = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (until?.Invoke(json) ?? true)
                {
                    return json;
                }
                last = json.ToString();
            }
            else
            {
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"GET {url} did not reach the expected state within {Limit}; last answer: {last}");
    }

    /// <summary>Polls <paramref name="probe"/> until it holds; fails naming <paramref name="what"/> after the limit.</summary>
    public static async Task TrueAsync(Func<Task<bool>> probe, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!await probe())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Not true within {Limit}: {what}.");
            }
            await Task.Delay(200);
        }
    }
}
