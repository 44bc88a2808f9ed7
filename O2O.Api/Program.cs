using O2O.Api.Campaigns;
using O2O.Api.Dashboard;
using O2O.Api.Demo;
using O2O.Api.Extensions;
using O2O.Api.Ingestion;
using O2O.Api.Journeys;
using O2O.Api.Leads;
using O2O.Api.Profiles;
using O2O.Api.Reports;
using O2O.Api.Segments;
using O2O.Api.Spend;
using O2O.Api.Stores;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiConventions();
builder.AddO2OOrleans();
builder.AddO2OSecurity();
builder.AddIngestion();
builder.AddDemoData();
builder.AddLeadFeed();
builder.AddMarketingDashboard();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapApiReference();
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
app.MapMarketingDashboard();

app.Run();

/// <summary>The API host; public so tests and benchmarks can start it.</summary>
public partial class Program;
