namespace O2O.Api.Sources;

/// <summary>The source a request was authenticated as, kept on the request for CORS, rate limits and metrics.</summary>
public static class SourceFeatures
{
    /// <summary>The request's source, or null before (or without) write-key authentication.</summary>
    public static Source? Source(this HttpContext http) => http.Features.Get<Source>();

    internal static void SetSource(this HttpContext http, Source source) => http.Features.Set(source);
}
