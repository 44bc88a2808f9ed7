using System.Net;
using System.Text.Json;

namespace O2O.Silo.Messaging;

/// <summary>A provider's answer: its JSON body and HTTP status, or the failure that kept us from reading one.</summary>
public readonly record struct ProviderAnswer<TResponse>(TResponse? Body, HttpStatusCode Status, ProviderError? Failure)
{
    public string HttpCode => $"http-{(int)Status}";
}

/// <summary>
/// One call to a provider's JSON API, the same for every channel: what says "try again later" (no
/// connection, no answer in time, 5xx, 429, an answer that is not the provider's JSON) becomes a
/// retryable <see cref="ProviderError"/>; any other answer is handed back for the channel to read
/// its own status codes from.
/// </summary>
public static class ProviderCall
{
    /// <summary>Sends the request once; <c>provider</c> is the name error messages show (<c>Viber</c>, <c>ZNS</c>, <c>eSMS</c>).</summary>
    public static async Task<ProviderAnswer<TResponse>> SendAsync<TResponse>(HttpClient http, HttpRequestMessage request, string provider, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            return Failed(default, new ProviderError("network", ex.HttpRequestError.ToString(), Retryable: true));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed(default, new ProviderError("timeout", $"{provider} did not answer in time", Retryable: true));
        }
        using (response)
        {
            var status = response.StatusCode;
            if ((int)status >= 500 || status == HttpStatusCode.TooManyRequests)
            {
                return Failed(status, new ProviderError($"http-{(int)status}", $"{provider} is unavailable", Retryable: true));
            }
            try
            {
                return new ProviderAnswer<TResponse>(await response.Content.ReadFromJsonAsync<TResponse>(ct), status, null);
            }
            catch (JsonException)
            {
                return Failed(status, new ProviderError($"http-{(int)status}", $"{provider} answered something that is not its JSON", Retryable: true));
            }
        }

        static ProviderAnswer<TResponse> Failed(HttpStatusCode status, ProviderError error) => new(default, status, error);
    }
}
