using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using O2O.Grains.Administration;

namespace O2O.Api.Security;

/// <summary>What admins set for consultants (their team), read at sign-in and, briefly remembered, for bearer tokens.</summary>
public sealed class ConsultantDirectory(IGrainFactory grains, IOptionsMonitor<SecurityOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (ConsultantSettings? Settings, DateTimeOffset At)> _known = new(StringComparer.Ordinal);

    /// <summary>Records the sign-in (admins list consultants from it) and answers their settings.</summary>
    public Task<ConsultantSettings> SignedInAsync(ClaimsPrincipal person) =>
        Admin(person).ConsultantSignedInAsync(person.FindFirst(O2OClaims.Subject)!.Value, person.FindFirst(O2OClaims.Name)?.Value ?? "");

    public async ValueTask<ConsultantSettings?> FindAsync(ClaimsPrincipal person)
    {
        var key = person.FindFirst(O2OClaims.Tenant)!.Value + "/" + person.FindFirst(O2OClaims.Subject)!.Value;
        var now = clock.GetUtcNow();
        if (_known.TryGetValue(key, out var hit) && now - hit.At < options.CurrentValue.CredentialCacheTime)
        {
            return hit.Settings;
        }
        var settings = await SignedInAsync(person);
        _known[key] = (settings, now);
        return settings;
    }

    private ITenantAdministrationGrain Admin(ClaimsPrincipal person) =>
        grains.GetGrain<ITenantAdministrationGrain>(person.FindFirst(O2OClaims.Tenant)!.Value);
}
