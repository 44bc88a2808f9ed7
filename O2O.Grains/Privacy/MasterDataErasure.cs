using O2O.Grains.Identification;
using O2O.Grains.Loyalty;
using O2O.Grains.Vouchers;

namespace O2O.Grains.Privacy;

/// <summary>
/// Erasing a person reaches what the master data keeps per phone, keyed by the phone's pseudonym:
/// the points ledger, the one-time codes, the referral book, and every voucher it names (a welcome
/// voucher received is withdrawn; one sent no longer names its sender).
/// </summary>
public static class MasterDataErasure
{
    /// <summary>Erases everything kept for these phones; returns what was erased, for the receipt.</summary>
    public static async Task<IReadOnlyList<string>> EraseAsync(IGrainFactory grains, Pseudonyms pseudonyms, string tenant, IEnumerable<string> phones)
    {
        var erased = new List<string>();
        foreach (var phone in phones)
        {
            var pseudonym = pseudonyms.Of(tenant, new Identity.Identifier(Identity.IdentifierKind.Phone, phone).ToString());
            var key = Pseudonyms.PhoneKeyOf(tenant, pseudonym);
            if (await grains.GetGrain<ILoyaltyGrain>(key).EraseAsync())
            {
                erased.Add("loyalty points ledger");
            }
            await grains.GetGrain<IOtpGrain>(key).EraseAsync();
            var codes = await grains.GetGrain<IReferralGrain>(key).EraseAsync();
            var vouchers = await Task.WhenAll(codes.Distinct(StringComparer.Ordinal)
                .Select(code => grains.GetGrain<IVoucherGrain>(TenantKey.Compose(tenant, code)).ForgetPersonAsync(pseudonym)));
            if (codes.Count > 0)
            {
                erased.Add($"referral book and {vouchers.Count(named => named)} voucher(s) naming the person");
            }
        }
        return erased;
    }
}
