using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Tests.Onnx;
using MLCardiac.Training;

namespace MLCardiac.Tests.ML;

/// <summary>
/// The vendor classifier's stage in the model file, for each network kind: saved and loaded, the same network kind, vendors,
/// threshold and bit-identical slice probabilities; settings without the kind (files written when only the ResNet existed)
/// load as a ResNet.
/// </summary>
[TestClass]
public sealed class VendorClassifierModelFileTests
{
    private static readonly PreprocessingOptions Prep = new() { Size = 32, SpacingMm = 2.5 };
    private static readonly string[] Vendors = ["A", "B", "C"];

    public static IEnumerable<object[]> Kinds =>
    [
        [new ResNetOptions { BaseWidth = 8, BlocksPerStage = [1, 1], Classes = 3 }],
        [new DenseNetOptions { GrowthRate = 4, BlockSizes = [2, 1], Classes = 3, Dropout = 0.2 }],
        [new InceptionOptions { BaseWidth = 16, ModulesPerStage = [1, 1], Classes = 3 }],
    ];

    private static TrainingSlice[] RandomSlices(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
            new TrainingSlice([.. Enumerable.Range(0, Prep.Size * Prep.Size).Select(_ => (float)(random.NextDouble() * 4 - 2))], null, Prep.Size, Prep.Size, 0, $"s{i / 3}"))];
    }

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void SaveLoad_EveryKind_SameNetworkKindAndIdenticalPredictions(ClassifierNetworkOptions options)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlcardiac-vc-{Guid.NewGuid():N}.zip");
        var slices = RandomSlices(6, seed: 5);
        using var original = new VendorClassifierTransformer(new VendorClassifier(OnnxTestNetworks.Classifier(options, seed: 9), Vendors, threshold: 0.61), Prep);
        try
        {
            CardiacModelFile.Save(new TransformerChain<ITransformer>([new SlicePreprocessingTransformer(Prep, null), original]), CaseDataView.CaseSchema, path);
            var loaded = CardiacModelFile.Load(path, out _, new CardiacRunContext());
            try
            {
                var classifier = loaded.OfType<VendorClassifierTransformer>().Single().Classifier;

                Assert.AreEqual(original.Classifier.Network.GetType(), classifier.Network.GetType());
                Assert.AreEqual(options.Kind, classifier.Network.Options.Kind);
                Assert.AreEqual(System.Text.Json.JsonSerializer.Serialize(options), System.Text.Json.JsonSerializer.Serialize(classifier.Network.Options));
                CollectionAssert.AreEqual(Vendors, classifier.Vendors.ToArray());
                Assert.AreEqual(0.61, classifier.Threshold);
                float[][] before = original.Classifier.PredictSlices(slices), after = classifier.PredictSlices(slices);
                Assert.IsGreaterThan(1e-3f, before.SelectMany(p => p).Max() - before.SelectMany(p => p).Min(), "the probabilities differ (a test of something)");
                for (int i = 0; i < slices.Length; i++) CollectionAssert.AreEqual(before[i], after[i], $"slice {i}");
            }
            finally
            {
                foreach (var stage in loaded.OfType<IDisposable>()) stage.Dispose();
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Load_SettingsWithoutKind_LoadTheResNet()
    {
        var options = new ResNetOptions { BaseWidth = 8, BlocksPerStage = [1, 2], Classes = 3 };
        using var original = new VendorClassifierTransformer(new VendorClassifier(OnnxTestNetworks.Classifier(options, seed: 4), Vendors, threshold: 0.5), Prep);
        ICardiacStage stage = original;
        JsonObject settings = stage.SaveSettings();
        Assert.IsTrue(settings["network"]!.AsObject().Remove("Kind"), "the kind is written");

        using var loaded = VendorClassifierTransformer.Load(settings, stage.SaveWeights()!);

        var network = (ResNetClassifier)loaded.Classifier.Network;
        CollectionAssert.AreEqual(new[] { 1, 2 }, network.Options.BlocksPerStage.ToArray());
        var slices = RandomSlices(3, seed: 8);
        float[][] before = original.Classifier.PredictSlices(slices), after = loaded.Classifier.PredictSlices(slices);
        for (int i = 0; i < slices.Length; i++) CollectionAssert.AreEqual(before[i], after[i], $"slice {i}");
    }

    [TestMethod]
    public void Load_UnknownKind_ThrowsNamingIt()
    {
        using var original = new VendorClassifierTransformer(new VendorClassifier(OnnxTestNetworks.Classifier(new ResNetOptions { BaseWidth = 8, BlocksPerStage = [1], Classes = 3 }), Vendors, threshold: 0.5), Prep);
        ICardiacStage stage = original;
        JsonObject settings = stage.SaveSettings();
        settings["network"]!["Kind"] = "vgg";

        var e = Assert.ThrowsExactly<System.Text.Json.JsonException>(() => VendorClassifierTransformer.Load(settings, stage.SaveWeights()!));
        StringAssert.Contains(e.Message, "\"vgg\"");
    }
}
