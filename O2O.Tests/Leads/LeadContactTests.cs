using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using O2O.Api.Hubs;
using O2O.Grains.Leads;

namespace O2O.Tests.Leads;

/// <summary>What a consultant does with a claimed lead, and what the store manager sees, through the real hub.</summary>
[Trait("Category", "Slow")]
public sealed class LeadContactTests(LeadsApiFactory api)
{
    private static Consultant Consultant(string team, string name, ConsultantRole role = ConsultantRole.Consultant) =>
        new("c-" + Guid.NewGuid().ToString("N")[..8], name, team, role);

    private async Task<LeadCard> RaiseAsync(LeadInbox inbox, string store, string phone, string name)
    {
        var response = await api.Writer().PostAsJsonAsync("/v1/checkins", new { storeId = store, method = "qr", phone, name });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await inbox.WaitForAsync("LeadOffered", l => l.Name == name);
    }

    [Fact]
    public async Task OnlyTheConsultantWhoClaimedALeadSeesThePhoneNumber()
    {
        var store = LeadsApiFactory.NewStore("R");
        await using var lan = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(store, "Nguyễn Thị Lan"));
        await using var minh = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(store, "Trần Văn Minh"));
        var phone = LeadsApiFactory.NewPhone();
        var lead = await RaiseAsync(lan, store, phone, "Đoàn Thị Yến");

        // Before anyone claims it, nobody gets the number; a refusal is worded for the consultant.
        var early = await Should.ThrowAsync<HubException>(() => lan.Connection.InvokeAsync<string>("RevealPhone", lead.LeadId));
        early.Message.ShouldContain("Chỉ người đã nhận khách");
        (await lan.Connection.InvokeAsync<ClaimResult>("ClaimLead", lead.LeadId)).Won.ShouldBeTrue();

        (await lan.Connection.InvokeAsync<string>("RevealPhone", lead.LeadId)).ShouldBe("+84" + phone[1..]);
        var colleague = await Should.ThrowAsync<HubException>(() => minh.Connection.InvokeAsync<string>("RevealPhone", lead.LeadId));
        colleague.Message.ShouldContain("Chỉ người đã nhận khách");
        // The card everyone receives still carries only the masked number.
        var update = await minh.WaitForAsync("LeadClaimed", l => l.LeadId == lead.LeadId);
        update.MaskedPhone.ShouldBe($"{phone[..3]}****{phone[^3..]}");
    }

    [Fact]
    public async Task NotesHistoryAndAnAppointmentTravelWithTheLead()
    {
        var store = LeadsApiFactory.NewStore("N");
        await using var lan = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(store, "Nguyễn Thị Lan"));
        var lead = await RaiseAsync(lan, store, LeadsApiFactory.NewPhone(), "Mạc Văn Khoa");
        (await lan.Connection.InvokeAsync<ClaimResult>("ClaimLead", lead.LeadId)).Won.ShouldBeTrue();

        var noted = await lan.Connection.InvokeAsync<LeadCard>("AddNote", lead.LeadId, "Khách muốn xem màu đỏ");
        noted.Notes.ShouldHaveSingleItem().Text.ShouldBe("Khách muốn xem màu đỏ");
        noted.Notes[0].ConsultantName.ShouldBe("Nguyễn Thị Lan");
        (await Should.ThrowAsync<HubException>(() => lan.Connection.InvokeAsync<LeadCard>("AddNote", lead.LeadId, "  "))).Message.ShouldContain("Ghi chú đang trống");

        var history = await lan.Connection.InvokeAsync<LeadHistory>("History", lead.LeadId);
        history.StoreVisits.ShouldBe(1);
        history.Recent.ShouldContain(e => e.Type == "CheckIn" && e.StoreId == store);

        (await Should.ThrowAsync<HubException>(() => lan.Connection.InvokeAsync<LeadCard>("BookAppointment", lead.LeadId, DateTimeOffset.UtcNow.AddHours(-1))))
            .Message.ShouldContain("tương lai");
        var at = DateTimeOffset.UtcNow.AddDays(1);
        var booked = await lan.Connection.InvokeAsync<LeadCard>("BookAppointment", lead.LeadId, at);
        booked.Outcome.ShouldBe(LeadOutcome.AppointmentBooked);
        booked.AppointmentAt.ShouldNotBeNull().ShouldBe(at, TimeSpan.FromMilliseconds(1));
        booked.Status.ShouldBe(LeadStatus.Claimed);
    }

    [Fact]
    public async Task TheManagerSeesEachConsultantsLeadsAndOutcomesAndReassigns()
    {
        var store = LeadsApiFactory.NewStore("M");
        await using var lan = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(store, "Nguyễn Thị Lan"));
        await using var minh = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(store, "Trần Văn Minh"));
        await using var hoa = await api.ConnectAsync(LeadsApiFactory.TenantA, Consultant(store, "Lê Thị Hoa", ConsultantRole.Manager));
        var first = await RaiseAsync(hoa, store, LeadsApiFactory.NewPhone(), "Tạ Thị Ngọc");
        var second = await RaiseAsync(hoa, store, LeadsApiFactory.NewPhone(), "Hồ Văn Lâm");
        (await lan.Connection.InvokeAsync<ClaimResult>("ClaimLead", first.LeadId)).Won.ShouldBeTrue();
        (await lan.Connection.InvokeAsync<ClaimResult>("ClaimLead", second.LeadId)).Won.ShouldBeTrue();
        await lan.Connection.InvokeAsync<LeadCard>("RecordOutcome", first.LeadId, LeadOutcome.Purchased, (string?)null);

        // Consultants cannot see the manager's view.
        (await Should.ThrowAsync<HubException>(() => lan.Connection.InvokeAsync<List<ConsultantStats>>("TeamStats"))).Message.ShouldContain("quản lý");
        var stats = await hoa.Connection.InvokeAsync<List<ConsultantStats>>("TeamStats");
        var lanStats = stats.Single(s => s.ConsultantId == lan.Consultant.Id);
        lanStats.Claims.ShouldBe(2);
        lanStats.Claimed.ShouldBe(1);
        lanStats.MeanResponse.ShouldNotBeNull();
        lanStats.Outcomes[LeadOutcome.Purchased].ShouldBe(1);
        stats.Single(s => s.ConsultantId == minh.Consultant.Id).Claims.ShouldBe(0);

        await hoa.Connection.InvokeAsync("Reassign", second.LeadId, minh.Consultant.Id);
        var moved = await minh.WaitForAsync("LeadReassigned", l => l.LeadId == second.LeadId);
        moved.ClaimedBy.ShouldBe(minh.Consultant.Id);
        moved.ClaimedByName.ShouldBe("Trần Văn Minh");
        (await Should.ThrowAsync<HubException>(() => lan.Connection.InvokeAsync("Reassign", second.LeadId, lan.Consultant.Id))).Message.ShouldContain("quản lý");
    }
}
