using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MLCardiac.Models;

/// <summary>
/// Architecture of a vendor classifier network: what every kind has (input channels, classes, dropout before the final
/// linear layer), the kind itself, and the network it builds. <see cref="ResNetOptions"/>, <see cref="DenseNetOptions"/>
/// and <see cref="InceptionOptions"/> add their own layout.
/// </summary>
/// <remarks>
/// Serialised as the concrete options' properties plus <c>"Kind": "resnet" | "densenet" | "inception"</c>; JSON without
/// <c>Kind</c> (model files written when the ResNet was the only classifier) reads as <see cref="ResNetOptions"/>.
/// </remarks>
[JsonConverter(typeof(ClassifierNetworkOptionsConverter))]
public abstract record ClassifierNetworkOptions
{
    /// <summary>The lower-case names of the kinds, as pipelines, the CLI and serialised options spell them.</summary>
    public static IReadOnlyList<string> KindNames { get; } = ["resnet", "densenet", "inception"];

    /// <summary>Input channels.</summary>
    public int InChannels { get; init; } = 1;
    /// <summary>Output classes (vendors).</summary>
    public int Classes { get; init; } = 4;
    /// <summary>Dropout before the final linear layer, in [0, 1).</summary>
    public double Dropout { get; init; }

    /// <summary>The architecture these options build.</summary>
    [JsonIgnore]
    public abstract ClassifierKind Kind { get; }

    /// <summary>Builds an untrained network of this architecture (weights drawn from torch's current generator).</summary>
    public abstract VendorClassifierNetwork CreateNetwork();

    /// <summary>Checks every value and throws <see cref="ArgumentException"/> naming the one that is wrong.</summary>
    public virtual void Validate()
    {
        if (InChannels < 1) throw new ArgumentException($"InChannels must be ≥ 1 (was {InChannels}).", nameof(InChannels));
        if (Classes < 2) throw new ArgumentException($"Classes must be ≥ 2 (was {Classes}).", nameof(Classes));
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout)) throw new ArgumentException($"Dropout must be in [0, 1) (was {Dropout}).", nameof(Dropout));
    }

    /// <summary>
    /// The default options of <paramref name="kind"/>, with its width knob set when <paramref name="width"/> is given:
    /// <see cref="ResNetOptions.BaseWidth"/>, <see cref="DenseNetOptions.GrowthRate"/> or <see cref="InceptionOptions.BaseWidth"/>.
    /// </summary>
    public static ClassifierNetworkOptions ForKind(ClassifierKind kind, int? width = null) => kind switch
    {
        ClassifierKind.ResNet => width is { } w ? new ResNetOptions { BaseWidth = w } : new ResNetOptions(),
        ClassifierKind.DenseNet => width is { } k ? new DenseNetOptions { GrowthRate = k } : new DenseNetOptions(),
        ClassifierKind.Inception => width is { } b ? new InceptionOptions { BaseWidth = b } : new InceptionOptions(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a classifier kind"),
    };

    /// <summary>The lower-case name of <paramref name="kind"/> (<c>resnet</c>, <c>densenet</c>, <c>inception</c>).</summary>
    public static string KindName(ClassifierKind kind) => kind switch
    {
        ClassifierKind.ResNet => "resnet",
        ClassifierKind.DenseNet => "densenet",
        ClassifierKind.Inception => "inception",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a classifier kind"),
    };

    /// <summary>The architecture's name as prose writes it (<c>ResNet</c>, <c>DenseNet</c>, <c>Inception</c>).</summary>
    public static string Title(ClassifierKind kind) => kind switch
    {
        ClassifierKind.ResNet => "ResNet",
        ClassifierKind.DenseNet => "DenseNet",
        ClassifierKind.Inception => "Inception",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a classifier kind"),
    };

    /// <summary>The kind named <paramref name="name"/> (one of <see cref="KindNames"/>, ordinal match); false for anything else.</summary>
    public static bool TryParseKind(string? name, out ClassifierKind kind)
    {
        switch (name)
        {
            case "resnet": kind = ClassifierKind.ResNet; return true;
            case "densenet": kind = ClassifierKind.DenseNet; return true;
            case "inception": kind = ClassifierKind.Inception; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>Reads and writes the concrete options with their <c>Kind</c>; <c>Kind</c> absent reads as ResNet.</summary>
    private sealed class ClassifierNetworkOptionsConverter : JsonConverter<ClassifierNetworkOptions>
    {
        private const string KindProperty = "Kind";

        public override ClassifierNetworkOptions? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException($"classifier network options must be a JSON object (was {root.ValueKind}).");
            var kind = ClassifierKind.ResNet;
            // Any casing, so that options written with a naming policy (camelCase "kind") read back as they were.
            foreach (JsonProperty p in root.EnumerateObject())
            {
                if (!string.Equals(p.Name, KindProperty, StringComparison.OrdinalIgnoreCase)) continue;
                string? name = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
                if (!TryParseKind(name, out kind))
                    throw new JsonException($"classifier network kind \"{name}\" is not one of {string.Join(", ", KindNames)}.");
            }
            Type concrete = kind switch
            {
                ClassifierKind.DenseNet => typeof(DenseNetOptions),
                ClassifierKind.Inception => typeof(InceptionOptions),
                _ => typeof(ResNetOptions),
            };
            // The concrete records carry no converter of their own: this reads their properties as usual (Kind is ignored).
            return (ClassifierNetworkOptions?)root.Deserialize(concrete, options);
        }

        public override void Write(Utf8JsonWriter writer, ClassifierNetworkOptions value, JsonSerializerOptions options)
        {
            JsonObject properties = JsonSerializer.SerializeToNode(value, value.GetType(), options)?.AsObject()
                ?? throw new JsonException("classifier network options serialised to null.");
            writer.WriteStartObject();
            writer.WriteString(options.PropertyNamingPolicy?.ConvertName(KindProperty) ?? KindProperty, KindName(value.Kind));
            foreach (var (name, node) in properties)
            {
                if (string.Equals(name, KindProperty, StringComparison.OrdinalIgnoreCase)) continue;
                writer.WritePropertyName(name);
                if (node is null) writer.WriteNullValue();
                else node.WriteTo(writer, options);
            }
            writer.WriteEndObject();
        }
    }
}
