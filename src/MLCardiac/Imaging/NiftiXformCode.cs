namespace MLCardiac.Imaging;

/// <summary>Meaning of a NIfTI qform or sform (<c>qform_code</c>/<c>sform_code</c> in the standard).</summary>
public enum NiftiXformCode
{
    /// <summary>Code 0: the transform is absent or unknown.</summary>
    Unknown = 0,

    /// <summary>Code 1: scanner-based anatomical coordinates.</summary>
    ScannerAnatomical = 1,

    /// <summary>Code 2: coordinates aligned to another file or to anatomical truth.</summary>
    AlignedAnatomical = 2,

    /// <summary>Code 3: Talairach-Tournoux atlas coordinates.</summary>
    Talairach = 3,

    /// <summary>Code 4: MNI 152 normalised coordinates.</summary>
    Mni152 = 4,
}
