using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Inference;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// Model folders of earlier releases — a segmentation model (<c>model.json</c> + the weights file it names) or a vendor
/// classifier (<c>vendor-classifier.json</c> + <c>vendor-classifier.weights</c>) — converted once into the one model
/// file (<c>mlcardiac model convert DIR</c>): <c>LoadNifti → Preprocess → UNet</c> (or <c>→ VendorClassifier</c>) saved as
/// <c>DIR/model.zip</c>, with a SHA-256 per entry. Nothing else reads these folders: they carry no checksum, so a damaged
/// byte in them would not be noticed.
/// </summary>
public static class LegacyModelFolder
{
    private const string DescriptionFile = "model.json", ClassifierDescriptionFile = "vendor-classifier.json", ClassifierWeightsFile = "vendor-classifier.weights";

    /// <summary>True when <paramref name="directory"/> holds a model of an earlier release.</summary>
    public static bool IsLegacy(string directory) =>
        File.Exists(Path.Combine(directory, DescriptionFile)) || File.Exists(Path.Combine(directory, ClassifierDescriptionFile));

    /// <summary>
    /// Writes the model of <paramref name="directory"/> as <paramref name="modelFile"/> (default <c>DIR/model.zip</c>) and
    /// returns its path. Intensities are normalised per frame by the pipeline; a model trained by an earlier release that
    /// normalised per cine sees ED and ES frames scaled slightly otherwise (re-train for exact agreement).
    /// </summary>
    /// <exception cref="MLCardiacException">The folder holds no readable model of an earlier release.</exception>
    public static string Convert(string directory, string? modelFile = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        modelFile ??= Path.Combine(directory, CardiacModel.FileName);
        var stages = new List<ITransformer> { new NiftiLoaderTransformer() };
        try
        {
            if (File.Exists(Path.Combine(directory, DescriptionFile)))
            {
                string path = Path.Combine(directory, DescriptionFile);
                var description = Read<ModelDescription>(path);
                string weights = Path.Combine(directory, description.Weights);
                var network = SegmentationNetwork.Create(description.Network);
                try
                {
                    using var fs = File.OpenRead(weights);
                    SegmentationTrainer.LoadWeights(network, fs);
                }
                catch (Exception e) when (e is IOException or EndOfStreamException or ArgumentException or InvalidDataException or JsonException)
                {
                    network.Dispose();
                    throw new MLCardiacException($"{weights}: cannot be loaded ({e.Message}).", e);
                }
                stages.Add(new SlicePreprocessingTransformer(description.Preprocessing, null));
                stages.Add(new SegmentationTransformer(SegmentationModel.FromNetwork(network, description with { Weights = "" }), mirrorTta: false));
            }
            else if (File.Exists(Path.Combine(directory, ClassifierDescriptionFile)))
            {
                var d = Read<ClassifierDescription>(Path.Combine(directory, ClassifierDescriptionFile));
                var network = new ResNetClassifier(d.Network);
                try
                {
                    using var r = new BinaryReader(File.OpenRead(Path.Combine(directory, ClassifierWeightsFile)));
                    network.load(r);
                }
                catch (Exception e) when (e is IOException or ArgumentException or EndOfStreamException)
                {
                    network.Dispose();
                    throw new MLCardiacException($"{Path.Combine(directory, ClassifierWeightsFile)}: cannot be loaded ({e.Message}).", e);
                }
                stages.Add(new SlicePreprocessingTransformer(d.Preprocessing, null));
                stages.Add(new VendorClassifierTransformer(new VendorClassifier(network, d.Vendors, d.Threshold), d.Preprocessing));
            }
            else
            {
                throw new MLCardiacException($"{directory}: neither {DescriptionFile} nor {ClassifierDescriptionFile}; nothing to convert.");
            }
            CardiacModelFile.Save(new TransformerChain<ITransformer>([.. stages]), CaseDataView.CaseSchema, modelFile);
            return modelFile;
        }
        finally
        {
            foreach (var stage in stages.OfType<IDisposable>()) stage.Dispose();
        }
    }

    private static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path)) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new MLCardiacException($"{path}: not a readable model description ({e.Message}).", e);
        }
    }

    private sealed record ClassifierDescription(int SchemaVersion, ResNetOptions Network, string[] Vendors, double Threshold, PreprocessingOptions Preprocessing);
}
