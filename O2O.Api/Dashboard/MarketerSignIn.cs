using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
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

/// <summary>Cookie sign-in for the marketers' dashboard, and the policy its data endpoints share with read tokens.</summary>
public static class MarketerSignIn
{
    public const string Scheme = "Marketer";
    public const string Policy = "marketing";
    /// <summary>The dashboard pages: a signed-in marketer only (read tokens are for machines).</summary>
    public const string PagePolicy = "marketer-pages";
    public const string Role = "o2o:role";
    public const string MarketerRole = "marketer";

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
        builder.Services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.LoginPath = "/dashboard/sign-in";
            o.AccessDeniedPath = "/dashboard/sign-in";
            o.Cookie.Name = "o2o.marketer";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // API callers share the policy with read tokens: they get the token's 401/403, not a redirect.
            o.Events.OnRedirectToLogin = c => IsPage(c.Request) ? Redirect(c) : Task.CompletedTask;
            o.Events.OnRedirectToAccessDenied = c => IsPage(c.Request) ? Redirect(c) : Task.CompletedTask;
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(O2OClaims.ReadTokenScheme, Scheme)
            .RequireClaim(O2OClaims.Tenant)
            .RequireAssertion(c => c.User.Identity?.AuthenticationType == O2OClaims.ReadTokenScheme || c.User.HasClaim(Role, MarketerRole)))
            .AddPolicy(PagePolicy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(O2OClaims.Tenant).RequireClaim(Role, MarketerRole));
        return builder;
    }

    private static bool IsPage(HttpRequest request) => request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase);

    private static Task Redirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> c)
    {
        c.Response.Redirect(c.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>The sign-in form posts here; sign-out clears the cookie.</summary>
    public static IEndpointRouteBuilder MapMarketerSignIn(this IEndpointRouteBuilder app)
    {
        app.MapPost("/dashboard/session", SignInAsync).DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/dashboard/session/end", (Delegate)SignOutAsync).DisableAntiforgery().ExcludeFromDescription();
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
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, account.Name), new Claim(O2OClaims.Tenant, account.Tenant), new Claim(Role, MarketerRole)], Scheme);
        await http.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        return TypedResults.Redirect("/dashboard");
    }

    private static async Task<RedirectHttpResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(Scheme);
        return TypedResults.Redirect("/dashboard/sign-in");
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
