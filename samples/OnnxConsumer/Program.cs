// Loads an ML.NET model that wraps an exported MLCardiac ONNX segmentation model (`mlcardiac export --mlnet`), runs
// it on preprocessed short-axis slices and writes one label byte per pixel (0 background, 1 LV, 2 MYO, 3 RV).
//
//   dotnet run --project samples/OnnxConsumer -- MODEL.zip SLICES.f32 LABELS.u8
//
// SLICES.f32: float32 little-endian, slice after slice, each Size×Size row-major, already resampled to the model's
// spacing and z-scored per volume (MLCardiac's Preprocessor; the ONNX metadata says which spacing and size).
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: OnnxConsumer MODEL.zip SLICES.f32 LABELS.u8");
    return 2;
}
string modelPath = args[0], slicesPath = args[1], labelsPath = args[2];
foreach (string input in new[] { modelPath, slicesPath })
{
    if (!File.Exists(input))
    {
        Console.Error.WriteLine($"error: {input}: no such file");
        return 1;
    }
}

var ml = new MLContext(seed: 1);
ITransformer model = ml.Model.Load(modelPath, out DataViewSchema inputSchema);
DataViewSchema.Column imageColumn = inputSchema[0];
if (imageColumn.Type is not VectorDataViewType { ItemType: NumberDataViewType { RawType: var raw }, Size: > 0 } vector || raw != typeof(float))
{
    Console.Error.WriteLine($"error: {modelPath}: input column '{imageColumn.Name}' is {imageColumn.Type}, not a float vector of known size");
    return 1;
}
int pixels = vector.Size;

byte[] bytes = File.ReadAllBytes(slicesPath);
if (bytes.Length == 0 || bytes.Length % (pixels * sizeof(float)) != 0)
{
    Console.Error.WriteLine($"error: {slicesPath}: {bytes.Length} bytes is not a whole number of {pixels}-pixel float slices");
    return 1;
}
int count = bytes.Length / (pixels * sizeof(float));
var rows = new List<Slice>(count);
for (int i = 0; i < count; i++)
{
    var image = new float[pixels];
    Buffer.BlockCopy(bytes, i * pixels * sizeof(float), image, 0, pixels * sizeof(float));
    rows.Add(new Slice { Image = image });
}

var schema = SchemaDefinition.Create(typeof(Slice));
SchemaDefinition.Column column = schema[nameof(Slice.Image)];
column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, pixels);
column.ColumnName = imageColumn.Name;
IDataView output = model.Transform(ml.Data.LoadFromEnumerable(rows, schema));

var labels = new byte[count * pixels];
var histogram = new long[4];
int row = 0;
foreach (long[] sliceLabels in output.GetColumn<long[]>("labels"))
{
    for (int i = 0; i < pixels; i++)
    {
        long l = sliceLabels[i];
        labels[row * pixels + i] = (byte)l;
        if (l is >= 0 and < 4) histogram[l]++;
    }
    row++;
}
string temporary = labelsPath + ".tmp";
File.WriteAllBytes(temporary, labels);
File.Move(temporary, labelsPath, overwrite: true); // readers never see a half-written file
Console.WriteLine($"{count} slices of {pixels} pixels: background {histogram[0]}, LV {histogram[1]}, MYO {histogram[2]}, RV {histogram[3]} pixels; wrote {labelsPath}");
return 0;

/// <summary>One preprocessed slice (the column name and vector size are set from the model's input schema).</summary>
internal sealed class Slice
{
    /// <summary>Size×Size normalised intensities, row-major.</summary>
    public float[] Image { get; set; } = [];
}
