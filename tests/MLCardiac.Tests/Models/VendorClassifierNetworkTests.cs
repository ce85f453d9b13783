using System.Text.Json;
using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Models;

/// <summary>The three vendor-classifier architectures: their layout, and their options as JSON (with the kind; without it, ResNet).</summary>
[TestClass]
public sealed class VendorClassifierNetworkTests
{
    public static IEnumerable<object[]> Kinds =>
    [
        [new ResNetOptions { BaseWidth = 6, BlocksPerStage = [1, 2], Classes = 3, Dropout = 0.1 }],
        [new DenseNetOptions { GrowthRate = 5, BlockSizes = [2, 1, 3], InitialWidth = 7, BottleneckFactor = 3, Compression = 0.6, Classes = 3, Dropout = 0.2 }],
        [new InceptionOptions { BaseWidth = 12, ModulesPerStage = [2, 1], Classes = 5, Dropout = 0.4 }],
    ];

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void Json_EveryKind_RoundTripsToTheSameOptionsAndKind(ClassifierNetworkOptions options)
    {
        string json = JsonSerializer.Serialize(options);
        var back = JsonSerializer.Deserialize<ClassifierNetworkOptions>(json)!;

        StringAssert.Contains(json, $"\"Kind\":\"{ClassifierNetworkOptions.KindName(options.Kind)}\"");
        Assert.AreEqual(options.GetType(), back.GetType());
        Assert.AreEqual(options.Kind, back.Kind);
        // Records with list members compare lists by reference: compare the JSON of both.
        Assert.AreEqual(json, JsonSerializer.Serialize(back));
    }

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void Json_CamelCasePolicy_RoundTripsTheKind(ClassifierNetworkOptions options)
    {
        var camel = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        string json = JsonSerializer.Serialize(options, camel);
        var back = JsonSerializer.Deserialize<ClassifierNetworkOptions>(json, camel)!;

        StringAssert.Contains(json, $"\"kind\":\"{ClassifierNetworkOptions.KindName(options.Kind)}\"");
        Assert.AreEqual(options.GetType(), back.GetType());
        Assert.AreEqual(json, JsonSerializer.Serialize(back, camel));
    }

    [TestMethod]
    public void Json_WithoutKind_ReadsAsResNet()
    {
        // The network settings of a model file written when the ResNet was the only vendor classifier.
        const string old = """{"InChannels":1,"Classes":3,"BaseWidth":8,"BlocksPerStage":[1,1,1],"Dropout":0}""";

        var options = JsonSerializer.Deserialize<ClassifierNetworkOptions>(old);

        var resnet = (ResNetOptions)options!;
        Assert.AreEqual(8, resnet.BaseWidth);
        Assert.AreEqual(3, resnet.Classes);
        CollectionAssert.AreEqual(new[] { 1, 1, 1 }, resnet.BlocksPerStage.ToArray());
    }

    [TestMethod]
    public void Json_UnknownKind_ThrowsNamingIt()
    {
        var e = Assert.ThrowsExactly<JsonException>(() => JsonSerializer.Deserialize<ClassifierNetworkOptions>("""{"Kind":"vgg","Classes":3}"""));
        StringAssert.Contains(e.Message, "\"vgg\"");
    }

    [TestMethod]
    [DataRow(4, new[] { 2, 3 }, 8, 0.5, 20)]   // 8 + 2·4 = 16 → transition 8 → 8 + 3·4 = 20
    [DataRow(32, new[] { 6, 12, 24, 16 }, 64, 0.5, 1024)] // DenseNet-121's 1024 pooled features
    public void DenseNet_BlockLayout_ConcatenatesGrowthRateMapsPerLayer(int growth, int[] blocks, int initial, double compression, int expectedFeatures)
    {
        var options = new DenseNetOptions { GrowthRate = growth, BlockSizes = blocks, InitialWidth = initial, Compression = compression, Classes = 2 };
        using var net = new DenseNetClassifier(options);

        Assert.AreEqual(expectedFeatures, net.FeatureCount);
        Assert.AreEqual(blocks.Sum(), net.named_parameters().Count(p => p.name.EndsWith(".conv1.weight", StringComparison.Ordinal)), "one 3×3 convolution per dense layer");
    }

    [TestMethod]
    public void DenseNet_Forward_GivesFiniteLogitsPerClass()
    {
        torch.manual_seed(1);
        using var net = new DenseNetClassifier(new DenseNetOptions { GrowthRate = 4, BlockSizes = [1, 1, 1], Classes = 3 });
        net.eval();
        using var scope = torch.NewDisposeScope();

        Tensor logits = net.call(randn(2, 1, 64, 64));

        CollectionAssert.AreEqual(new long[] { 2, 3 }, logits.shape);
        Assert.IsTrue(logits.isfinite().all().item<bool>());
    }

    [TestMethod]
    public void Inception_BranchWidths_AtWidth64AreGoogLeNetModule3a()
    {
        // Szegedy et al. 2015, Table 1, inception (3a): #1×1 64, #3×3 reduce 96, #3×3 128, #5×5 reduce 16, #5×5 32, pool proj 32; output 256.
        var w = InceptionClassifier.BranchWidths.Of(64);

        Assert.AreEqual(new InceptionClassifier.BranchWidths(64, 96, 128, 16, 32, 32), w);
        Assert.AreEqual(256, w.Output);
    }

    [TestMethod]
    public void Inception_Forward_ConcatenatesTheFourBranches()
    {
        torch.manual_seed(1);
        using var net = new InceptionClassifier(new InceptionOptions { BaseWidth = 16, ModulesPerStage = [1, 1], Classes = 4 });
        net.eval();
        using var scope = torch.NewDisposeScope();

        Tensor logits = net.call(randn(3, 1, 32, 32));

        CollectionAssert.AreEqual(new long[] { 3, 4 }, logits.shape);
        Assert.AreEqual(InceptionClassifier.BranchWidths.Of(32).Output, net.FeatureCount, "the last stage's modules, width 2·16");
    }

    /// <summary>Every kind at widths whose convolutions libtorch computes right on every CPU (<c>OneDnnGuard</c>: ≤ 8 channels or multiples of 8).</summary>
    public static IEnumerable<object[]> BuildableKinds =>
    [
        [new ResNetOptions { BaseWidth = 8, BlocksPerStage = [1, 2], Classes = 3, Dropout = 0.1 }],
        [new DenseNetOptions { GrowthRate = 8, BlockSizes = [2, 1], InitialWidth = 16, Classes = 3, Dropout = 0.2 }],
        [new InceptionOptions { BaseWidth = 16, ModulesPerStage = [2, 1], Classes = 5, Dropout = 0.4 }],
    ];

    [TestMethod]
    [DynamicData(nameof(BuildableKinds))]
    public void Forward_WrongChannels_ThrowsNamingTheNetwork(ClassifierNetworkOptions options)
    {
        using var net = options.CreateNetwork();
        using var scope = torch.NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => net.call(randn(1, 2, 32, 32)));
        StringAssert.Contains(e.Message, net.GetType().Name);
    }
}
