using Microsoft.AspNetCore.Hosting;
using O2O.Tests.Leads;

namespace O2O.Tests.Identity;

[CollectionDefinition(Name)]
public sealed class ProviderCollection : ICollectionFixture<ProviderApi>
{
    public const string Name = "identity provider";
}

/// <summary>
/// The test identity provider and an Api that signs people in through it: groups map to roles
/// and a group to a team, as an operator configures for Entra ID.
/// </summary>
public sealed class ProviderApi : IAsyncLifetime
{
    public const string Store = "OIDC01";

    public static readonly ProviderUser Consultant = new("lan", "lan-password", "oid-lan", "Nguyễn Thị Lan", ["g-consultants", "g-store-oidc01"]);
    public static readonly ProviderUser Marketer = new("mai", "mai-password", "oid-mai", "Trần Thị Mai", ["g-marketers"]);
    public static readonly ProviderUser Admin = new("admin", "admin-password", "oid-admin", "Quản Trị", ["g-admins"]);
    public static readonly ProviderUser Stranger = new("khach", "khach-password", "oid-khach", "Người Lạ", ["g-other"]);

    public OidcProvider Provider { get; private set; } = null!;

    public LeadsApiFactory Api { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Provider = await OidcProvider.StartAsync([Consultant, Marketer, Admin, Stranger]);
        Api = new Node(Provider.Issuer);
        await Api.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Provider.DisposeAsync();
    }

    private sealed class Node(Uri authority) : LeadsApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("O2O:Identity:Authority", authority.ToString());
            builder.UseSetting("O2O:Identity:ClientId", OidcProvider.ClientId);
            builder.UseSetting("O2O:Identity:ClientSecret", OidcProvider.ClientSecret);
            builder.UseSetting("O2O:Identity:Audience", OidcProvider.ApiAudience);
            builder.UseSetting("O2O:Identity:RequireHttpsMetadata", "false");
            builder.UseSetting("O2O:Identity:Tenant", TenantA);
            builder.UseSetting("O2O:Identity:Roles:g-consultants", "consultant");
            builder.UseSetting("O2O:Identity:Roles:g-marketers", "marketer");
            builder.UseSetting("O2O:Identity:Roles:g-admins", "admin");
            builder.UseSetting("O2O:Identity:Teams:g-store-oidc01", Store);
        }
    }
}
