namespace O2O.Grains.Leads;

/// <summary>
/// An upper bound on the bytes a lead takes once serialized: every character counted as 3 bytes
/// (the most UTF-8 spends on Vietnamese), every field and list item as 16. Pure, so a page can be
/// kept under a Table row's limit without serializing anything.
/// </summary>
public static class LeadStorageSize
{
    private const int PerField = 16;
    private const int PerCard = 64 * PerField;

    public static int Of(OpenLead lead)
    {
        var c = lead.Card;
        var size = PerCard
            + Text(c.LeadId) + Text(c.ProfileId) + Text(c.Team) + Text(c.Name) + Text(c.MaskedPhone)
            + Text(c.LastStoreId) + Text(c.Interest) + Text(c.Segment)
            + Text(c.OfferedTo) + Text(c.ClaimedBy) + Text(c.ClaimedByName) + Text(c.LostReason)
            + (c.Reasons.Count * PerField) + (c.ContactConsent.Count * PerField);
        if (c.LastAd is { } ad)
        {
            size += (4 * PerField) + Text(ad.Source) + Text(ad.Campaign) + Text(ad.Content);
        }
        if (c.Script is { } script)
        {
            size += (2 * PerField) + Text(script.Id) + Text(script.Text);
        }
        foreach (var page in c.LastPages)
        {
            size += Text(page);
        }
        foreach (var note in c.Notes)
        {
            size += (4 * PerField) + Text(note.ConsultantId) + Text(note.ConsultantName) + Text(note.Text);
        }
        foreach (var tried in lead.Tried)
        {
            size += Text(tried);
        }
        return size;
    }

    private static int Text(string? s) => PerField + (3 * (s?.Length ?? 0));
}
