using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Imaging;

namespace MLCardiac.ML;

/// <summary>
/// Reads each row's NIfTI image frame — and its reference label frame when the row has one — when a cursor asks:
/// the frame's voxels (x fastest), its shape and spacing, and the labels translated to ours (0..3) on the same grid.
/// Consecutive rows of the same file (ED and ES of one cine) read it once.
/// </summary>
public sealed class NiftiLoaderTransformer : CardiacTransformer, ICardiacStage
{
    internal const string StageKind = "LoadNifti";

    internal static readonly MappedColumn[] Columns =
    [
        new(CardiacColumnNames.Image, new VectorDataViewType(NumberDataViewType.Single)),
        new(CardiacColumnNames.ImageShape, new VectorDataViewType(NumberDataViewType.Int32, 3)),
        new(CardiacColumnNames.SpacingMm, new VectorDataViewType(NumberDataViewType.Single, 3)),
        new(CardiacColumnNames.Label, new VectorDataViewType(NumberDataViewType.Byte)),
    ];

    internal NiftiLoaderTransformer() { }

    string ICardiacStage.Kind => StageKind;
    JsonObject ICardiacStage.SaveSettings() => [];
    byte[]? ICardiacStage.SaveWeights() => null;

    private protected override RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ColumnAccess.Require(input, CardiacColumnNames.ImagePath, ColumnAccess.IsText, "text", nameof(NiftiLoaderTransformer));
        return new RowMapping(input, Columns,
            [CardiacColumnNames.ImagePath, CardiacColumnNames.ImageFrame, CardiacColumnNames.LabelPath, CardiacColumnNames.LabelFrame, CardiacColumnNames.LabelMap],
            row =>
            {
                var imagePath = ColumnAccess.Text(row, CardiacColumnNames.ImagePath);
                var imageFrame = ColumnAccess.OptionalInt32(row, CardiacColumnNames.ImageFrame);
                var labelPath = ColumnAccess.OptionalText(row, CardiacColumnNames.LabelPath);
                var labelFrame = ColumnAccess.OptionalInt32(row, CardiacColumnNames.LabelFrame);
                var labelMap = ColumnAccess.OptionalVector<byte>(row, CardiacColumnNames.LabelMap);
                // Each column is computed only when asked for: the shape and spacing come from the header alone, so a row
                // whose slices are already prepared (PreparedSliceCache) is evaluated without reading its image voxels.
                (string Path, Volume Volume)? lastImage = null, lastLabel = null;
                (string Path, int[] Shape, Spacing Spacing)? lastGeometry = null;
                string Path()
                {
                    string path = imagePath();
                    return path.Length > 0 ? path : throw new MLCardiacException("A row has an empty ImagePath.");
                }
                Volume Image()
                {
                    string path = Path();
                    if (lastImage is not { } li || li.Path != path) lastImage = (path, NiftiReader.Read(path));
                    return lastImage.Value.Volume;
                }
                (int[] Shape, Spacing Spacing) Geometry()
                {
                    string path = Path();
                    if (lastImage is { } li && li.Path == path) return (li.Volume.Shape.ToArray(), li.Volume.SpacingMm);
                    if (lastGeometry is not { } lg || lg.Path != path)
                    {
                        var (shape, spacing) = NiftiReader.ReadGeometry(path);
                        lastGeometry = (path, shape, spacing);
                    }
                    return (lastGeometry.Value.Shape, lastGeometry.Value.Spacing);
                }
                int CheckedFrame()
                {
                    var (shape, _) = Geometry();
                    int frames = shape.Length > 3 ? shape[3] : 1, frame = imageFrame();
                    return frame >= 0 && frame < frames ? frame
                        : throw new MLCardiacException($"{Path()}: frame {frame} asked for, the file has {frames} frame(s).");
                }
                return
                [
                    () => Image().Frame(CheckedFrame()).ToArray(),
                    () => { var (shape, _) = Geometry(); CheckedFrame(); return new[] { shape[0], shape[1], shape[2] }; },
                    () => { var (_, s) = Geometry(); return new[] { (float)s.X, (float)s.Y, (float)s.Z }; },
                    () =>
                    {
                        string lp = labelPath();
                        if (lp.Length == 0) return Array.Empty<byte>();
                        if (lastLabel is not { } ll || ll.Path != lp) lastLabel = (lp, NiftiReader.Read(lp));
                        return ReadLabels(lastLabel.Value.Volume, lp, labelFrame(), labelMap(), Geometry().Shape);
                    },
                ];
            });
    }

    private static byte[] ReadLabels(Volume labels, string path, int frame, byte[] map, int[] image)
    {
        if (labels.SizeX != image[0] || labels.SizeY != image[1] || labels.SizeZ != image[2])
            throw new MLCardiacException($"{path}: label grid {labels.SizeX}×{labels.SizeY}×{labels.SizeZ} differs from the image's {image[0]}×{image[1]}×{image[2]}.");
        if (frame < 0 || frame >= labels.Frames)
            throw new MLCardiacException($"{path}: label frame {frame} asked for, the file has {labels.Frames} frame(s).");
        float[] values = labels.Frame(frame).ToArray();
        // The one label translation of the project (CaseRecord.ToOurLabels), applied to this row's map.
        if (map.Length > 0) new Data.CaseRecord("", "", null, Data.FrameRole.ED, "", 0, path, frame, "") { LabelMap = map }.ToOurLabels(values);
        var result = new byte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v is < 0 or > 3 || v != MathF.Round(v))
                throw new MLCardiacException($"{path}: label value {v} is not one of 0, 1, 2, 3.");
            result[i] = (byte)v;
        }
        return result;
    }
}
