using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLCardiac.Experiments;

/// <summary>
/// Writes <see cref="ExperimentDefinition.Sources"/> in the shape of the pipeline file's <c>data</c>: one object for a single
/// source (so <c>experiment.json</c> and the tracked parameters, <c>data.source</c>, … of earlier releases stay as they
/// were), an array for several; reads either.
/// </summary>
internal sealed class DataSourcesJsonConverter : JsonConverter<IReadOnlyList<DataSourceDefinition>>
{
    public override IReadOnlyList<DataSourceDefinition> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.StartArray
            ? JsonSerializer.Deserialize<List<DataSourceDefinition>>(ref reader, options) ?? []
            : [JsonSerializer.Deserialize<DataSourceDefinition>(ref reader, options) ?? new DataSourceDefinition()];

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<DataSourceDefinition> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Count == 1) JsonSerializer.Serialize(writer, value[0], options);
        else JsonSerializer.Serialize(writer, value.ToList(), options);
    }
}
