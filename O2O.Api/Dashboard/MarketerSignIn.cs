using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using O2O.Api.Security;

namespace O2O.Api.Dashboard;

/// <summary>Marketers who may open the dashboard (section <c>O2O:Marketers</c>).</summary>
public sealed class MarketerOptions
{
    public const string Section = "O2O:Marketers";

    public List<Marketer> Accounts { get; set; } = [];
}

public sealed class Marketer
{
    [Required, RegularExpression("^[a-z0-9._-]{1,60}$")] public string Login { get; set; } = "";
    [Required] public string Name { get; set; } = "";
    [Required, RegularExpression("^[a-z0-9-]{1,40}$")] public string Tenant { get; set; } = "";
    /// <summary>PBKDF2-SHA256, 100,000 iterations: <c>base64(salt):base64(hash)</c>.</summary>
    [Required] public string PasswordHash { get; set; } = "";
}

/// <summary>
/// Password sign-in for marketers configured in <c>O2O:Marketers</c> (for deployments without an
/// identity provider, and the Development demo marketer); it opens the same session as the provider.
/// </summary>
public static class MarketerSignIn
{
    public const string Scheme = SignInSchemes.Session;
    /// <summary>Reports: marketers, or API tokens with <c>read</c>.</summary>
    public const string Policy = O2OPolicies.Marketing;
    /// <summary>The dashboard pages: a signed-in marketer only (tokens are for machines).</summary>
    public const string PagePolicy = O2OPolicies.Dashboard;
    public const string Role = O2OClaims.Role;
    public const string MarketerRole = O2ORoles.Marketer;

    /// <summary>The Development demo account; its password is in README (never configured outside Development).</summary>
    public const string DemoLogin = "marketer";
    public const string DemoPassword = "demo-marketer-2026";

    public static TBuilder AddMarketerSignIn<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var options = builder.Services.AddOptions<MarketerOptions>().BindConfiguration(MarketerOptions.Section)
            .Validate(o => o.Accounts.All(a => a.Login.Length > 0 && a.Tenant.Length > 0 && a.PasswordHash.Contains(':', StringComparison.Ordinal)),
                "Every marketer needs a Login, a Tenant and a PasswordHash 'salt:hash'.")
            .ValidateOnStart();
        if (builder.Environment.IsDevelopment())
        {
            var tenant = builder.Configuration["O2O:Demo:Tenant"] ?? "demo";
            options.PostConfigure(o =>
            {
                if (!o.Accounts.Exists(a => a.Login == DemoLogin))
                {
                    o.Accounts.Add(new Marketer { Login = DemoLogin, Name = "Nguyễn Thị Marketing", Tenant = tenant, PasswordHash = Hash(DemoPassword) });
                }
            });
        }
        return builder;
    }

    /// <summary>The sign-in form posts here; signing out is <c>/signout</c>, which also ends a provider's session.</summary>
    public static IEndpointRouteBuilder MapMarketerSignIn(this IEndpointRouteBuilder app)
    {
        app.MapPost("/dashboard/session", SignInAsync).DisableAntiforgery().AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<RedirectHttpResult> SignInAsync(HttpContext http, IOptionsMonitor<MarketerOptions> marketers)
    {
        var form = await http.Request.ReadFormAsync();
        var login = form["login"].ToString().Trim().ToLowerInvariant();
        var account = marketers.CurrentValue.Accounts.FirstOrDefault(a => a.Login == login);
        if (account is null || !Verify(form["password"].ToString(), account.PasswordHash))
        {
            return TypedResults.Redirect("/dashboard/sign-in?failed=1&login=" + Uri.EscapeDataString(login));
        }
        await http.SignInSessionAsync(PersonClaims.Identity(Scheme, "marketer:" + account.Login, account.Name, account.Tenant, [MarketerRole], null));
        return TypedResults.Redirect("/dashboard");
    }

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, 100_000, HashAlgorithmName.SHA256, 32);
        return Convert.ToBase64String(salt) + ":" + Convert.ToBase64String(hash);
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split(':', 2);
        try
        {
            var salt = Convert.FromBase64String(parts[0]);
            var expected = Convert.FromBase64String(parts[1]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, 100_000, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(expected, actual);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
