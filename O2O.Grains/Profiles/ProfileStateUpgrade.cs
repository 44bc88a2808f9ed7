using O2O.Grains.Events;

namespace O2O.Grains.Profiles;

/// <summary>
/// Brings a <see cref="ProfileState"/> read from storage up to <see cref="ProfileState.CurrentVersion"/>
/// as its grain activates: moves a version 1 timeline (objects, field 3) into the current one (values,
/// field 80), and swaps the strings a state repeats with every other person's (event names, paths,
/// campaigns, stores, UTM tags) for the process's shared copies, so a returning person's state shares
/// them as a new one does.
/// </summary>
public static class ProfileStateUpgrade
{
    public static void Apply(ProfileState state)
    {
        if (state.LegacyTimeline is { } legacy)
        {
            var timeline = new List<Touchpoint>(legacy.Count + state.Timeline.Count);
            foreach (var point in legacy)
            {
                timeline.Add(point.ToTouchpoint());
            }
            timeline.AddRange(state.Timeline);
            state.Timeline = timeline;
            state.LegacyTimeline = null;
        }
        var points = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(state.Timeline);
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = points[i].Shared();
        }
        var touches = state.Touches;
        for (var i = 0; i < touches.Count; i++)
        {
            if (touches[i].Touch.Shared() is var shared && !ReferenceEquals(shared, touches[i].Touch))
            {
                touches[i] = touches[i] with { Touch = shared };
            }
        }
        state.LastStoreId = SharedStrings.Intern(state.LastStoreId);
        state.Version = ProfileState.CurrentVersion;
    }
}
