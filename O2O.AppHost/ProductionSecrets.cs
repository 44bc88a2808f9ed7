namespace O2O.AppHost;

/// <summary>
/// What the deployed Api needs to be used and signed in to, as parameters <c>azd</c> prompts for and
/// keeps as Container Apps secrets: the first tenant's ingestion write key and read token, the
/// consultant token signing key, and one marketer account for the dashboard.
/// </summary>
internal static class ProductionSecrets
{
    public static IResourceBuilder<ProjectResource> WithProductionSecrets(this IResourceBuilder<ProjectResource> api, IDistributedApplicationBuilder builder)
    {
        var tenant = builder.AddParameter("tenant", "default", publishValueAsDefault: true);
        return api
            .WithEnvironment("O2O__Security__WriteKeys__0__Key", builder.AddParameter("write-key", secret: true))
            .WithEnvironment("O2O__Security__WriteKeys__0__Tenant", tenant)
            .WithEnvironment("O2O__Security__ReadTokens__0__Token", builder.AddParameter("read-token", secret: true))
            .WithEnvironment("O2O__Security__ReadTokens__0__Tenant", tenant)
            .WithEnvironment("O2O__Consultants__SigningKey", builder.AddParameter("consultant-signing-key", secret: true))
            .WithEnvironment("O2O__Marketers__Accounts__0__Login", builder.AddParameter("marketer-login"))
            .WithEnvironment("O2O__Marketers__Accounts__0__Name", builder.AddParameter("marketer-name"))
            .WithEnvironment("O2O__Marketers__Accounts__0__Tenant", tenant)
            .WithEnvironment("O2O__Marketers__Accounts__0__PasswordHash", builder.AddParameter("marketer-password-hash", secret: true))
            // People sign in with the company's identity provider (Entra ID: the app registration's values);
            // group -> role and team mappings are added as O2O__Identity__Roles__<group id> settings.
            .WithEnvironment("O2O__Identity__Authority", builder.AddParameter("identity-authority"))
            .WithEnvironment("O2O__Identity__ClientId", builder.AddParameter("identity-client-id"))
            .WithEnvironment("O2O__Identity__ClientSecret", builder.AddParameter("identity-client-secret", secret: true))
            .WithEnvironment("O2O__Identity__Tenant", tenant)
            // Signs the links printed on bills and sent in messages.
            .WithEnvironment("O2O__BillLinks__SigningKey", builder.AddParameter("bill-link-signing-key", secret: true));
    }
}
