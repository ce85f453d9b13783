namespace MLCardiac.Server.Contracts;

/// <summary>What <c>GET /api/models</c> says about the served model.</summary>
/// <param name="Id">Folder name and the first 12 hex digits of the weights' SHA-256: changes whenever the weights do.</param>
/// <param name="Kind">Network kind ("unet2d").</param>
/// <param name="TrainVendors">Vendors whose labeled data trained it.</param>
/// <param name="TargetVendors">Vendors that took part as unlabeled DANN targets.</param>
/// <param name="InputSize">Slice size the network sees, pixels.</param>
/// <param name="SpacingMm">In-plane spacing the slices are resampled to, mm.</param>
/// <param name="Backend">Inference engine.</param>
/// <param name="ScannerVendors">Vendors the classifier knows, or empty without a classifier.</param>
/// <param name="ScannerThreshold">Calibrated unfamiliar-scanner threshold on the classifier's confidence, or null.</param>
public sealed record ModelInfo(
    string Id,
    string Kind,
    IReadOnlyList<string> TrainVendors,
    IReadOnlyList<string> TargetVendors,
    int InputSize,
    double SpacingMm,
    string Backend,
    IReadOnlyList<string> ScannerVendors,
    double? ScannerThreshold);
