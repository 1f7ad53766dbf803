using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace OpenMme.Planning;

/// <summary>
/// Which instance is each model's home: rendezvous (highest-random-weight) hashing, as the router
/// places models (SPEC section 5): each model goes to the instance whose hash with it is highest,
/// so adding an instance moves only the models it now wins.
/// </summary>
internal static class Placement
{
    /// <summary>The home instance (0 to <paramref name="instances"/> - 1) of each name.</summary>
    public static int[] Rendezvous(IReadOnlyList<string> names, int instances)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(instances);
        var homes = new int[names.Count];
        for (var model = 0; model < names.Count && instances > 1; model++)
        {
            var bytes = MemoryMarshal.AsBytes(names[model].AsSpan());
            ulong best = 0;
            for (var instance = 0; instance < instances; instance++)
            {
                var weight = XxHash3.HashToUInt64(bytes, seed: instance);
                if (instance == 0 || weight > best)
                {
                    best = weight;
                    homes[model] = instance;
                }
            }
        }

        return homes;
    }
}
