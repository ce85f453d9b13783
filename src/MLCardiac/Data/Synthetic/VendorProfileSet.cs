using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MLCardiac.Data.Synthetic;

/// <summary>
/// The vendors (and pathology mix) a synthetic cohort can use: the built-ins (<see cref="VendorProfiles"/>), plus those of a
/// JSON file read by <see cref="Load"/>. In the file, <c>vendors</c> is a list of vendor objects in the shape of
/// <see cref="VendorProfile"/> (camelCase keys). A vendor with <c>"basedOn": "A"</c> starts from that built-in and overrides
/// what it gives: objects merge key by key, and <c>centres</c> merge by <c>id</c> (a new id adds a centre). A vendor with a
/// built-in's code replaces it. <c>pathologyMix</c> (M&amp;Ms codes → weights) replaces the default mix.
/// Unknown keys, wrong types and out-of-range values are errors naming the file and the JSON path.
/// </summary>
public sealed class VendorProfileSet
{
    /// <summary>JSON options of profile files (camelCase, unknown keys refused, comments and trailing commas allowed).</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    private readonly List<VendorProfile> _vendors;

    private VendorProfileSet(List<VendorProfile> vendors, IReadOnlyDictionary<Pathology, double> mix, string? source)
    {
        _vendors = vendors;
        PathologyMix = mix;
        Source = source;
    }

    /// <summary>The built-in vendors A–D with the default pathology mix.</summary>
    public static VendorProfileSet BuiltIn { get; } = new([.. VendorProfiles.All], PathologyModel.DefaultMix, null);

    /// <summary>Every vendor, built-ins first (replaced ones in place), then the file's new ones.</summary>
    public IReadOnlyList<VendorProfile> Vendors => _vendors;

    /// <summary>Vendor codes.</summary>
    public IReadOnlyList<string> Codes => [.. _vendors.Select(v => v.Code)];

    /// <summary>Weights of the pathologies subjects are drawn from (normalised when drawing).</summary>
    public IReadOnlyDictionary<Pathology, double> PathologyMix { get; }

    /// <summary>The profile file read, or null for the built-ins.</summary>
    public string? Source { get; }

    /// <summary>The vendor with <paramref name="code"/> (case-insensitive).</summary>
    /// <exception cref="MLCardiacException">No vendor has that code.</exception>
    public VendorProfile Get(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return _vendors.FirstOrDefault(v => string.Equals(v.Code, code.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new MLCardiacException($"Unknown synthetic vendor '{code}'; known vendors: {string.Join(", ", Codes)}{(Source is null ? "" : $" (built-ins and {Source})")}.");
    }

    /// <summary>Reads a profile file (see the class remarks) on top of the built-ins; null or empty <paramref name="path"/> gives <see cref="BuiltIn"/>.</summary>
    /// <exception cref="MLCardiacException">The file is missing, not JSON, or not valid profiles; the message names the file and JSON path.</exception>
    public static VendorProfileSet Load(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return BuiltIn;
        if (!File.Exists(path)) throw new MLCardiacException($"{path}: scanner-profile file not found.");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses profile JSON <paramref name="json"/>; <paramref name="file"/> names it in messages.</summary>
    /// <exception cref="MLCardiacException">Not valid profiles.</exception>
    public static VendorProfileSet Parse(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new MLCardiacException($"{file}: not valid JSON (line {ex.LineNumber + 1}): {ex.Message}");
        }
        if (root is not JsonObject obj) throw ProfileChecks.Error(file, "$", "must be a JSON object with \"vendors\" and/or \"pathologyMix\".");
        foreach (var (key, _) in obj)
            if (key is not ("schemaVersion" or "vendors" or "pathologyMix"))
                throw ProfileChecks.Error(file, $"$.{key}", "unknown key (expected schemaVersion, vendors, pathologyMix).");
        if (obj["schemaVersion"] is JsonNode version && (version.GetValueKind() != JsonValueKind.Number || version.GetValue<double>() != 1))
            throw ProfileChecks.Error(file, "$.schemaVersion", "only version 1 is read.");

        var vendors = new List<VendorProfile>(VendorProfiles.All);
        if (obj["vendors"] is JsonNode vendorsNode)
        {
            if (vendorsNode is not JsonArray array) throw ProfileChecks.Error(file, "$.vendors", "must be an array of vendor objects.");
            for (int i = 0; i < array.Count; i++)
            {
                string path = $"$.vendors[{i}]";
                if (array[i] is not JsonObject vendor) throw ProfileChecks.Error(file, path, "must be an object.");
                JsonObject resolved = (JsonObject)vendor.DeepClone();
                if (resolved["basedOn"] is JsonNode basedOn)
                {
                    resolved.Remove("basedOn");
                    string baseCode = basedOn.GetValueKind() == JsonValueKind.String ? basedOn.GetValue<string>() : "";
                    VendorProfile? builtIn = VendorProfiles.All.FirstOrDefault(v => string.Equals(v.Code, baseCode, StringComparison.OrdinalIgnoreCase))
                        ?? throw ProfileChecks.Error(file, $"{path}.basedOn", $"\"{baseCode}\" is not a built-in vendor ({string.Join(", ", VendorProfiles.All.Select(v => v.Code))}).");
                    JsonObject start = JsonSerializer.SerializeToNode(builtIn, Json)!.AsObject();
                    Merge(start, resolved);
                    resolved = start;
                }
                VendorProfile profile;
                try
                {
                    profile = resolved.Deserialize<VendorProfile>(Json) ?? throw ProfileChecks.Error(file, path, "is empty.");
                }
                catch (JsonException ex)
                {
                    string where = ex.Path is null or "$" ? path : path + ex.Path[1..];
                    throw ProfileChecks.Error(file, where, FirstSentence(ex.Message));
                }
                profile.Validate(file, path);
                int existing = vendors.FindIndex(v => string.Equals(v.Code, profile.Code, StringComparison.OrdinalIgnoreCase));
                if (existing >= 0 && !VendorProfiles.All.Contains(vendors[existing]))
                    throw ProfileChecks.Error(file, $"{path}.code", $"vendor \"{profile.Code}\" is defined twice in the file.");
                if (existing >= 0) vendors[existing] = profile;
                else vendors.Add(profile);
            }
        }

        IReadOnlyDictionary<Pathology, double> mix = PathologyModel.DefaultMix;
        if (obj["pathologyMix"] is JsonNode mixNode)
        {
            if (mixNode is not JsonObject mixObject) throw ProfileChecks.Error(file, "$.pathologyMix", "must be an object of M&Ms pathology codes to weights.");
            var parsed = new Dictionary<Pathology, double>();
            foreach (var (key, value) in mixObject)
            {
                if (!PathologyCodes.TryParse(key, out Pathology p))
                    throw ProfileChecks.Error(file, $"$.pathologyMix.{key}", $"unknown pathology (known: {string.Join(", ", Enum.GetValues<Pathology>().Select(PathologyCodes.Code))}).");
                if (value is null || value.GetValueKind() != JsonValueKind.Number || value.GetValue<double>() is not (>= 0 and <= 1000))
                    throw ProfileChecks.Error(file, $"$.pathologyMix.{key}", "must be a number ≥ 0.");
                parsed[p] = value.GetValue<double>();
            }
            if (parsed.Values.Sum() <= 0) throw ProfileChecks.Error(file, "$.pathologyMix", "the weights must not all be 0.");
            mix = parsed;
        }
        return new VendorProfileSet(vendors, mix, file);
    }

    /// <summary>The set as a profile file (every vendor written out in full), e.g. as a starting point for one's own scanners.</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["schemaVersion"] = 1,
            ["vendors"] = JsonSerializer.SerializeToNode(_vendors, Json),
            ["pathologyMix"] = new JsonObject(PathologyMix.Select(kv => KeyValuePair.Create(PathologyCodes.Code(kv.Key), (JsonNode?)JsonValue.Create(kv.Value)))),
        };
        return root.ToJsonString(Json);
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..(cut + 1)] : message;
    }

    /// <summary>Objects merge key by key; arrays of objects that all carry "id" merge element-wise by id; anything else replaces.</summary>
    private static void Merge(JsonObject target, JsonObject overrides)
    {
        foreach (var (key, value) in overrides)
        {
            if (value is JsonObject o && target[key] is JsonObject t)
            {
                Merge(t, o);
            }
            else if (value is JsonArray a && target[key] is JsonArray existing && a.All(IsIdObject) && existing.All(IsIdObject))
            {
                foreach (JsonNode? item in a)
                {
                    var itemObject = (JsonObject)item!;
                    JsonObject? match = existing.OfType<JsonObject>().FirstOrDefault(e => JsonNode.DeepEquals(e["id"], itemObject["id"]));
                    if (match is null) existing.Add(itemObject.DeepClone());
                    else Merge(match, itemObject);
                }
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static bool IsIdObject(JsonNode? node) => node is JsonObject o && o.ContainsKey("id");
}
