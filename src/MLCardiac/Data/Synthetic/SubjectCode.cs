namespace MLCardiac.Data.Synthetic;

/// <summary>
/// M&amp;Ms-style six-character subject codes (digits and capital letters, e.g. "A0S9V9"). The code is a keyed
/// bijection of (vendor, index) onto [0, 36⁶): distinct subjects of one seed never share a code.
/// </summary>
public static class SubjectCode
{
    private const long Space = 36L * 36 * 36 * 36 * 36 * 36;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>The code of subject <paramref name="index"/> (0 ≤ index &lt; 1 000 000) of <paramref name="vendor"/>.</summary>
    public static string Create(ulong seed, string vendor, int index)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, 1_000_000);
        long vendorKey = 0;
        foreach (char c in vendor)
        {
            vendorKey = ((vendorKey * 131) + c) % 1000;
        }
        long v = (vendorKey * 1_000_000) + index;
        var key = new SeededRandom(seed ^ 0x5EEDC0DEUL);
        long a = (long)(key.NextUInt64() % (ulong)Space);
        while (a % 2 == 0 || a % 3 == 0)
        {
            a++; // coprime to 36⁶ ⇒ the affine map is a bijection
        }
        long b = (long)(key.NextUInt64() % (ulong)Space);
        long mapped = (long)(((Int128)a * v + b) % Space);
        Span<char> chars = stackalloc char[6];
        for (int i = 5; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(mapped % 36)];
            mapped /= 36;
        }
        return new string(chars);
    }
}
