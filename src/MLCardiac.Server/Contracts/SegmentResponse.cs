namespace MLCardiac.Server.Contracts;

/// <summary>The answer of <c>POST /api/segment</c>.</summary>
/// <param name="Id">Result id; the label NIfTI is at <paramref name="LabelsUrl"/> until <paramref name="LabelsExpireUtc"/>.</param>
/// <param name="Model">The model that segmented the image.</param>
/// <param name="Image">Shape and spacing of the uploaded image (no header text is ever echoed).</param>
/// <param name="Ed">0-based end-diastolic frame, or null for a single 3D frame.</param>
/// <param name="Es">0-based end-systolic frame, or null for a single 3D frame.</param>
/// <param name="FrameSource">"single" (3D upload), "given" (ed/es fields) or "detected" (largest/smallest predicted LV volume).</param>
/// <param name="Frames">Volumes of every segmented frame, in frame order.</param>
/// <param name="Indices">Clinical indices from the ED and ES frames (null for a single 3D frame).</param>
/// <param name="Scanner">The vendor classifier's verdict, or null when the service has no classifier.</param>
/// <param name="Quality">The quality-control verdict on the ED and ES frames (a cine) or the single frame, or null when the model has no QualityControl stage.</param>
/// <param name="Warnings">Messages to show the user: the unfamiliar-scanner warning, the quality-control reasons of flagged frames, and the implausible-segmentation findings of <see cref="MLCardiac.Evaluation.SegmentationPlausibility"/>.</param>
/// <param name="LabelsUrl">Where to download the label volume (gzip NIfTI, uint8; 0 background, 1 LV, 2 MYO, 3 RV; same grid and frames as the upload, unsegmented frames 0).</param>
/// <param name="LabelsExpireUtc">When the download is forgotten.</param>
/// <param name="LabelsBase64">The same bytes in base64 when the request asked for <c>inline=true</c>, else null.</param>
/// <param name="TimingsMs">Milliseconds per stage: admit (header and memory reservation), queue, read (decoding), normalize, segment, indices, classify, quality, encode, total.</param>
public sealed record SegmentResponse(
    string Id,
    ModelInfo Model,
    ImageInfo Image,
    int? Ed,
    int? Es,
    string FrameSource,
    IReadOnlyList<FrameVolumes> Frames,
    IndicesInfo? Indices,
    ScannerVerdict? Scanner,
    IReadOnlyList<QualityInfo>? Quality,
    IReadOnlyList<string> Warnings,
    string LabelsUrl,
    DateTimeOffset LabelsExpireUtc,
    string? LabelsBase64,
    IReadOnlyDictionary<string, double> TimingsMs);
