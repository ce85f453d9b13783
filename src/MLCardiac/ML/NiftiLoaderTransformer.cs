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
                (string Path, Volume Volume)? lastImage = null, lastLabel = null;
                return () =>
                {
                    string path = imagePath();
                    if (path.Length == 0) throw new MLCardiacException("A row has an empty ImagePath.");
                    Volume image = lastImage is { } li && li.Path == path ? li.Volume : NiftiReader.Read(path);
                    lastImage = (path, image);
                    int frame = imageFrame();
                    if (frame < 0 || frame >= image.Frames)
                        throw new MLCardiacException($"{path}: frame {frame} asked for, the file has {image.Frames} frame(s).");
                    float[] voxels = image.Frame(frame).ToArray();
                    byte[] labels = [];
                    string lp = labelPath();
                    if (lp.Length > 0)
                    {
                        Volume lv = lastLabel is { } ll && ll.Path == lp ? ll.Volume : NiftiReader.Read(lp);
                        lastLabel = (lp, lv);
                        labels = ReadLabels(lv, lp, labelFrame(), labelMap(), image);
                    }
                    var s = image.SpacingMm;
                    return [voxels, new[] { image.SizeX, image.SizeY, image.SizeZ }, new[] { (float)s.X, (float)s.Y, (float)s.Z }, labels];
                };
            });
    }

    private static byte[] ReadLabels(Volume labels, string path, int frame, byte[] map, Volume image)
    {
        if (labels.SizeX != image.SizeX || labels.SizeY != image.SizeY || labels.SizeZ != image.SizeZ)
            throw new MLCardiacException($"{path}: label grid {labels.SizeX}×{labels.SizeY}×{labels.SizeZ} differs from the image's {image.SizeX}×{image.SizeY}×{image.SizeZ}.");
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
