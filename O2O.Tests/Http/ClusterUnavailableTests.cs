using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using O2O.Api.Extensions;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Http;

/// <summary>
/// A grain call the cluster does not answer in time (a killed silo's grains moving) reaches clients as
/// 503 with Retry-After, which they retry, not as a 500. Driven through the Api's own exception handlers.
/// </summary>
public sealed class ClusterUnavailableTests(ApiFactory api)
{
    [Theory]
    [InlineData(typeof(TimeoutException))]
    [InlineData(typeof(SiloUnavailableException))]
    [InlineData(typeof(GatewayTooBusyException))]
    public async Task AClusterThatDoesNotAnswerIsA503WithRetryAfter(Type kind)
    {
        var (handled, context) = await HandleAsync((Exception)Activator.CreateInstance(kind)!);

        handled.ShouldBeTrue();
        context.Response.StatusCode.ShouldBe(StatusCodes.Status503ServiceUnavailable);
        context.Response.Headers.RetryAfter.ToString().ShouldBe(ClusterUnavailableHandler.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.Response.ContentType.ShouldStartWith("application/problem+json");
        context.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(context.Response.Body, cancellationToken: TestContext.Current.CancellationToken);
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(503);
    }

    [Fact]
    public async Task AnyOtherFailureIsLeftToTheDefaultHandler()
    {
        var (handled, context) = await HandleAsync(new InvalidOperationException("a bug"));

        handled.ShouldBeFalse();
        context.Response.Headers.RetryAfter.Count.ShouldBe(0);
    }

    private async Task<(bool Handled, DefaultHttpContext Context)> HandleAsync(Exception exception)
    {
        using var scope = api.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "GET";
        context.Request.Headers.Accept = "application/json";
        context.Response.Body = new MemoryStream();
        var handler = scope.ServiceProvider.GetServices<IExceptionHandler>().OfType<ClusterUnavailableHandler>().Single();
        var handled = await handler.TryHandleAsync(context, exception, TestContext.Current.CancellationToken);
        return (handled, context);
    }
}
