using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using O2O.Grains.Journeys;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Journeys;

/// <summary>Journeys and segments through the real API.</summary>
public sealed class JourneysApiTests(ApiFactory api)
{
    [Fact]
    public async Task AJourneySavedAsJsonComesBackSwitchedOnWithAnEmptyFunnel()
    {
        var client = api.Reader(ApiFactory.MarketingToken);
        var journey = JourneyTests.Winback("api-" + Guid.NewGuid().ToString("N")[..6], "churn-risk");
        (await api.Reader().PutAsJsonAsync($"/api/journeys/{journey.Id}", journey)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var put = await client.PutAsJsonAsync($"/api/journeys/{journey.Id}", journey);
        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        var report = await client.GetFromJsonAsync<JsonElement>($"/api/journeys/{journey.Id}");

        report.GetProperty("definition").GetProperty("active").GetBoolean().ShouldBeTrue();
        report.GetProperty("definition").GetProperty("steps")[0].GetProperty("type").GetString().ShouldBe("Send");
        report.GetProperty("entered").GetInt32().ShouldBe(0);
        (await client.GetFromJsonAsync<JsonElement>("/api/journeys")).EnumerateArray()
            .ShouldContain(j => j.GetProperty("definition").GetProperty("id").GetString() == journey.Id);
    }

    [Fact]
    public async Task ABrokenJourneyIsRefusedFieldByField()
    {
        var journey = JourneyTests.Winback("broken", "no-such-segment") with
        {
            Steps = [new JourneyStep { Id = "s", Type = StepType.Branch, Branches = [new BranchRule { On = Response.Clicked, GoTo = "nowhere" }] },
                     new JourneyStep { Id = "t", Type = StepType.Send, Body = "Chào {{ ten " }],
        };

        var put = await api.Reader(ApiFactory.MarketingToken).PutAsJsonAsync("/api/journeys/broken", journey);

        put.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        errors.TryGetProperty("audience.segment", out _).ShouldBeTrue();
        errors.TryGetProperty("steps[0].branches[0].goTo", out _).ShouldBeTrue();
        errors.TryGetProperty("steps[1].body", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task AForgedTrackedLinkIsNotFoundAndRedirectsNowhere()
    {
        var client = api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var token = TrackedLinks.Token(new LinkTarget("tenant-a", "p_x", 1, 0), "not-the-server-key-not-the-server-key");

        (await client.GetAsync("/r/" + token)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/u/" + token)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SegmentsListEveryGroupAndExportMembersForExcel()
    {
        var client = api.Reader();

        var segments = await client.GetFromJsonAsync<JsonElement>("/api/segments?days=7");
        var export = await client.GetAsync("/api/segments/churn-risk/members.csv");
        var bad = await client.GetAsync("/api/segments/nope/members.csv");

        segments.GetArrayLength().ShouldBe(14);
        segments.EnumerateArray().ShouldContain(s => s.GetProperty("segment").GetString() == "churn-risk" && s.GetProperty("days").GetArrayLength() == 7);
        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        var bytes = await export.Content.ReadAsByteArrayAsync();
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        System.Text.Encoding.UTF8.GetString(bytes[3..]).ShouldStartWith("ProfileId,PhoneMasked,EmailMasked,LastStore");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
