namespace MLCardiac.Data.Synthetic;

/// <summary>
/// One (synthetic) MRI vendor: its centres (each a scanner, coil and cine protocol, see <see cref="CentreProfile"/>), its
/// reconstruction (filter, blur) and how it stores images (<see cref="StorageConvention"/>). The built-ins are in
/// <see cref="VendorProfiles"/>; <see cref="VendorProfileSet.Load"/> reads user profiles from JSON (README.md beside this file).
/// </summary>
public sealed record VendorProfile
{
    /// <summary>Vendor code as in the M&amp;Ms "Vendor" column (A, B, C, D, …): letters and digits.</summary>
    public required string Code { get; init; }

    /// <summary>Human-readable vendor name for the "VendorName" column (e.g. "Siemens-like").</summary>
    public required string VendorName { get; init; }

    /// <summary>The vendor's centres; each subject is attributed to one, drawn by <see cref="CentreProfile.Share"/>.</summary>
    public required IReadOnlyList<CentreProfile> Centres { get; init; }

    /// <summary>Reconstruction filter and blur.</summary>
    public ReconstructionProfile Reconstruction { get; init; } = new();

    /// <summary>Stored intensity scaling and NIfTI conversion.</summary>
    public required StorageConvention Storage { get; init; }

    /// <summary>The centre with number <paramref name="id"/>.</summary>
    /// <exception cref="MLCardiacException">The vendor has no such centre.</exception>
    public CentreProfile Centre(int id) =>
        Centres.FirstOrDefault(c => c.Id == id) ?? throw new MLCardiacException($"Vendor {Code} has no centre {id} (it has {string.Join(", ", Centres.Select(c => c.Id))}).");

    /// <summary>Throws <see cref="MLCardiacException"/> naming <paramref name="file"/> and the JSON path of the first bad value.</summary>
    public void Validate(string file, string path)
    {
        if (string.IsNullOrWhiteSpace(Code) || !Code.All(char.IsAsciiLetterOrDigit) || Code.Length > 16)
            throw ProfileChecks.Error(file, $"{path}.code", $"\"{Code}\" must be 1–16 letters or digits.");
        if (string.IsNullOrWhiteSpace(VendorName) || VendorName.Contains(',', StringComparison.Ordinal))
            throw ProfileChecks.Error(file, $"{path}.vendorName", "must be non-empty text without commas (it goes into a CSV).");
        if (Centres is null || Centres.Count == 0) throw ProfileChecks.Error(file, $"{path}.centres", "needs at least one centre.");
        for (int i = 0; i < Centres.Count; i++)
        {
            Centres[i].Validate(file, $"{path}.centres[{i}]");
            if (Centres[i].Scanner.Contains(',', StringComparison.Ordinal)) throw ProfileChecks.Error(file, $"{path}.centres[{i}].scanner", "must not contain commas (it goes into a CSV).");
        }
        if (Centres.Select(c => c.Id).Distinct().Count() != Centres.Count) throw ProfileChecks.Error(file, $"{path}.centres", "two centres share an id.");
        if (Centres.Sum(c => c.Share) <= 0) throw ProfileChecks.Error(file, $"{path}.centres", "the shares must not all be 0.");
        (Reconstruction ?? throw ProfileChecks.Error(file, $"{path}.reconstruction", "is required.")).Validate(file, $"{path}.reconstruction");
        (Storage ?? throw ProfileChecks.Error(file, $"{path}.storage", "is required.")).Validate(file, $"{path}.storage");
    }
}
