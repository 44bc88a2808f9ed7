using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using O2O.Grains.Leads;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Leads;

public sealed class LeadHubTests(LeadsApiFactory api)
{
    private static Consultant Consultant(string team, string? id = null, ConsultantRole role = ConsultantRole.Consultant) =>
        new(id ?? "c-" + Guid.NewGuid().ToString("N")[..8], "Tư vấn " + team, team, role);

    private async Task CheckInAsync(string store, string phone, string name = "Trần Thị Bích", string key = LeadsApiFactory.WriteKeyA)
    {
        var response = await api.Writer(key).PostAsJsonAsync("/v1/checkins", new { storeId = store, method = "qr", phone, name });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AHotLeadReachesExactlyItsStoresConsultants()
    {
        string storeA = LeadsApiFactory.NewStore("A"), storeB = LeadsApiFactory.NewStore("B");
        await using var a1 = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(storeA));
        await using var a2 = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(storeA));
        await using var b1 = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(storeB));
        // Same store code, other tenant: must never hear of tenant A's customers.
        await using var otherTenant = await api.ConnectAsync(LeadsApiFactory.TenantB, Consultant(storeA));

        var phoneA = LeadsApiFactory.NewPhone();
        await CheckInAsync(storeA, phoneA, "Nguyễn Văn An");
        var seenByA1 = await a1.WaitForAsync("LeadOffered", l => l.Team == storeA);
        var seenByA2 = await a2.WaitForAsync("LeadOffered", l => l.Team == storeA);
        seenByA1.LeadId.ShouldBe(seenByA2.LeadId);
        seenByA1.Name.ShouldBe("Nguyễn Văn An");
        seenByA1.MaskedPhone.ShouldBe($"{phoneA[..3]}****{phoneA[^3..]}");
        seenByA1.Trigger.ShouldBe(LeadTrigger.StoreCheckIn);
        seenByA1.Stage.ShouldBe(O2O.Grains.Profiles.FunnelStage.StoreVisited);
        seenByA1.Reasons.ShouldContain(O2O.Grains.Profiles.ScoreReason.StoreVisit);
        seenByA1.Script.ShouldNotBeNull();
        seenByA1.OfferedTo.ShouldBeOneOf(a1.Consultant.Id, a2.Consultant.Id);

        // Store B's lead reaches B; by then anything misrouted from A would have arrived too.
        await CheckInAsync(storeB, LeadsApiFactory.NewPhone());
        await b1.WaitForAsync("LeadOffered", l => l.Team == storeB);
        b1.Received.ShouldAllBe(r => r.Lead.Team == storeB);
        a1.Received.ShouldAllBe(r => r.Lead.Team == storeA);
        a2.Received.ShouldAllBe(r => r.Lead.Team == storeA);
        otherTenant.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task AConnectionWithoutAValidTokenIsRefused()
    {
        await using var anonymous = api.Hub(token: null);
        var refused = await Should.ThrowAsync<HttpRequestException>(() => anonymous.StartAsync());
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var forged = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "o2o",
            Audience = "o2o-consultants",
            Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["o2o:team"] = "HCM01", ["o2o:tenant"] = LeadsApiFactory.TenantA },
            SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey("a-key-that-is-not-the-servers-key-at-all"u8.ToArray()), "HS256"),
        });
        await using var forgedConnection = api.Hub(forged);
        (await Should.ThrowAsync<HttpRequestException>(() => forgedConnection.StartAsync())).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OfTwentySimultaneousClaimsExactlyOneWinsAndTheOthersLearnWho()
    {
        var store = LeadsApiFactory.NewStore();
        var inboxes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(store))));
        try
        {
            await CheckInAsync(store, LeadsApiFactory.NewPhone());
            var lead = await inboxes[0].WaitForAsync("LeadOffered", l => l.Team == store);
            await Task.WhenAll(inboxes.Select(i => i.WaitForAsync("LeadOffered", l => l.LeadId == lead.LeadId)));

            using var go = new ManualResetEventSlim();
            var claims = inboxes.Select(i => Task.Run(() =>
            {
                go.Wait();
                return i.Connection.InvokeAsync<ClaimResult>("ClaimLead", lead.LeadId);
            })).ToList();
            go.Set();
            var results = await Task.WhenAll(claims);

            results.Count(r => r.Won).ShouldBe(1);
            var winner = results.Single(r => r.Won).WinnerId;
            results.ShouldAllBe(r => r.WinnerId == winner);
            var claimed = await inboxes[7].WaitForAsync("LeadClaimed", l => l.LeadId == lead.LeadId);
            claimed.ClaimedBy.ShouldBe(winner);
        }
        finally
        {
            foreach (var inbox in inboxes)
            {
                await inbox.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AReconnectingConsultantGetsTheirOpenLeadsAgain()
    {
        var store = LeadsApiFactory.NewStore();
        var lan = Consultant(store);
        string leadId;
        await using (var first = await api.ConnectAsync(LeadsApiFactory.TenantA, lan))
        {
            await CheckInAsync(store, LeadsApiFactory.NewPhone());
            leadId = (await first.WaitForAsync("LeadOffered", l => l.Team == store)).LeadId;
            (await first.Connection.InvokeAsync<ClaimResult>("ClaimLead", leadId)).Won.ShouldBeTrue();
        }

        await using var again = await api.ConnectAsync(LeadsApiFactory.TenantA, lan);
        var open = await again.OpenLeadsAsync();
        open.ShouldHaveSingleItem().LeadId.ShouldBe(leadId);
        open[0].ClaimedBy.ShouldBe(lan.Id);
        open[0].Status.ShouldBe(LeadStatus.Claimed);
    }

    [Fact]
    public async Task AnOutcomeClosesTheLeadAndShowsOnTheProfile()
    {
        var store = LeadsApiFactory.NewStore();
        await using var lan = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(store));
        var phone = LeadsApiFactory.NewPhone();
        await CheckInAsync(store, phone);
        var lead = await lan.WaitForAsync("LeadOffered", l => l.Team == store);
        (await lan.Connection.InvokeAsync<ClaimResult>("ClaimLead", lead.LeadId)).Won.ShouldBeTrue();

        var lost = await Should.ThrowAsync<HubException>(() => lan.Connection.InvokeAsync<LeadCard>("RecordOutcome", lead.LeadId, LeadOutcome.Lost, (string?)null));
        lost.Message.ShouldContain("lostReason");
        var closed = await lan.Connection.InvokeAsync<LeadCard>("RecordOutcome", lead.LeadId, LeadOutcome.Purchased, (string?)null);

        closed.Status.ShouldBe(LeadStatus.Closed);
        closed.Stage.ShouldBe(O2O.Grains.Profiles.FunnelStage.Purchased);
        closed.Reasons.ShouldContain(O2O.Grains.Profiles.ScoreReason.ConsultantOutcome);
        (await lan.WaitForAsync("LeadClosed", l => l.LeadId == lead.LeadId)).Outcome.ShouldBe(LeadOutcome.Purchased);
        // The router tells the profile one-way, so the profile shows it a moment later.
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{phone[1..]}", p => p.GetProperty("stage").GetString() == "Purchased");
        profile.GetProperty("timeline")[0].GetProperty("name").GetString().ShouldBe(LeadOutcomes.TimelineName);
        profile.GetProperty("timeline")[0].GetProperty("detail").GetString().ShouldBe("Purchased");
    }

    [Fact]
    public async Task TheWebsiteIsToldToOfferAChatWithAnOnlineConsultantOncePerSession()
    {
        var store = LeadsApiFactory.NewStore("W");
        var session = Guid.NewGuid().ToString("N");
        object Ask() => new { sessionId = session, anonymousId = "web-" + session, storeId = store, pagesViewed = 6, secondsOnSite = 200 };

        var nobody = await (await api.Writer().PostAsJsonAsync("/v1/decide", Ask())).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        nobody.GetProperty("action").GetString().ShouldBe("None");

        await using var vy = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(store, "vy"));
        await vy.OpenLeadsAsync();
        var first = await (await api.Writer().PostAsJsonAsync("/v1/decide", Ask())).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        first.GetProperty("action").GetString().ShouldBe("Chat");
        first.GetProperty("consultant").GetProperty("id").GetString().ShouldBe("vy");
        var again = await (await api.Writer().PostAsJsonAsync("/v1/decide", Ask())).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        again.GetProperty("action").GetString().ShouldBe("None");

        var invalid = await api.Writer().PostAsJsonAsync("/v1/decide", new { anonymousId = "x", pagesViewed = -1 });
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await invalid.Content.ReadAsStringAsync()).ShouldContain("sessionId");
    }
}
