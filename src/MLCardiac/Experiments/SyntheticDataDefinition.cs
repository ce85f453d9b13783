using System.Text.Json.Serialization;
using MLCardiac.Data.Synthetic;

namespace MLCardiac.Experiments;

/// <summary>Parameters of the embedded synthetic multi-vendor dataset an experiment generates (<c>data.synthetic</c>).</summary>
public sealed record SyntheticDataDefinition
{
    /// <summary>Generator seed (<c>seed</c>); the same seed writes the same subjects.</summary>
    public ulong Seed { get; init; } = SyntheticCohortOptions.DefaultSeed;
    /// <summary>Labeled subjects per vendor (<c>subjectsPerVendor</c>, ≥ 2).</summary>
    public int SubjectsPerVendor { get; init; } = 12;
    /// <summary>Vendors written with labels (<c>vendors</c>; codes of the built-in vendor profiles A–D or of <see cref="Profiles"/>).</summary>
    public IReadOnlyList<string> Vendors { get; init; } = ["A", "B", "C", "D"];
    /// <summary>Vendors that also get unlabeled subjects (<c>unlabeledVendors</c>): DANN target data.</summary>
    public IReadOnlyList<string> UnlabeledVendors { get; init; } = [];
    /// <summary>Unlabeled subjects per unlabeled vendor (<c>unlabeledPerVendor</c>).</summary>
    public int UnlabeledPerVendor { get; init; } = 6;
    /// <summary>Fewest cine frames per subject (<c>minFrames</c>).</summary>
    public int MinFrames { get; init; } = 20;
    /// <summary>Most cine frames per subject (<c>maxFrames</c>).</summary>
    public int MaxFrames { get; init; } = 30;
    /// <summary>Vendor/centre profile file (<c>profiles</c>), as written in the experiment file (relative to it); null: the built-ins.</summary>
    public string? Profiles { get; init; }
    /// <summary>SHA-256 of the profile file's contents when it was read (part of the data's identity: edited profiles regenerate the data).</summary>
    public string? ProfilesSha256 { get; init; }
    /// <summary>Version of the phantom generator (<see cref="SyntheticCohortGenerator.Version"/>): a changed generator writes a new data folder.</summary>
    public int GeneratorVersion { get; init; } = SyntheticCohortGenerator.Version;
    /// <summary>The profile file resolved against the experiment file's folder (not serialised).</summary>
    [JsonIgnore]
    public string? ProfilesPath { get; init; }

    /// <summary>The vendor profiles this definition generates with: the built-ins, plus <see cref="ProfilesPath"/>'s.</summary>
    /// <exception cref="MLCardiacException">The profile file is missing or invalid.</exception>
    public VendorProfileSet LoadProfiles() => VendorProfileSet.Load(ProfilesPath);
}
