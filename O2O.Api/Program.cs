using O2O.Api.Administration;
using O2O.Api.Campaigns;
using O2O.Api.Catalog;
using O2O.Api.Dashboard;
using O2O.Api.Demo;
using O2O.Api.Exports;
using O2O.Api.Extensions;
using O2O.Api.Ingestion;
using O2O.Api.Journeys;
using O2O.Api.Leads;
using O2O.Api.Privacy;
using O2O.Api.Profiles;
using O2O.Api.Reports;
using O2O.Api.Segments;
using O2O.Api.Security;
using O2O.Api.Spend;
using O2O.Api.Stores;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiConventions();
builder.AddO2OOrleans();
builder.AddO2OSecurity();
builder.AddTrackingSources();
builder.AddIngestion();
builder.AddDemoData();
builder.AddDisplayNames();
builder.AddLeadFeed();
builder.AddMarketingDashboard();
builder.AddMasterData();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestDeadline();
app.UseStaticFiles();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapDefaultEndpoints();
app.MapApiReference();
app.MapSignInApi();
app.MapAdministrationApi();
app.MapIngestionApi();
app.MapProfilesApi();
app.MapStoresApi();
app.MapCampaignsApi();
app.MapLeadsApi();
app.MapLeadFeed();
app.MapSpendApi();
app.MapReportsApi();
app.MapSegmentsApi();
app.MapJourneysApi();
app.MapConsentApi();
app.MapDataSubjectApi();
app.MapAdExportApi();
app.MapMarketingDashboard();
app.MapMasterData();

app.Run();

/// <summary>The API host; public so tests and benchmarks can start it.</summary>
public partial class Program;
