using System.Text.Json.Serialization;
using Scalar.AspNetCore;

namespace O2O.Api.Extensions;

public static class ApiExtensions
{
    /// <summary>JSON conventions, problem details (503 when the cluster does not answer) and the OpenAPI document.</summary>
    public static TBuilder AddApiConventions<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ClusterUnavailableHandler>();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the API reference at <c>/scalar</c>.</summary>
    public static WebApplication MapApiReference(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(o => o.WithTitle("O2O API")).AllowAnonymous();
        return app;
    }
}
