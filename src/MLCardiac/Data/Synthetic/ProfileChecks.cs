using System.Globalization;

namespace MLCardiac.Data.Synthetic;

/// <summary>Range and choice checks of scanner-profile values; errors name the file and the JSON path.</summary>
internal static class ProfileChecks
{
    public static void Range(string file, string path, string key, double value, double min, double max)
    {
        if (!(value >= min && value <= max))
            throw new MLCardiacException(string.Create(CultureInfo.InvariantCulture, $"{file}: {path}.{key}: must be between {min} and {max} (was {value})."));
    }

    public static void OneOf(string file, string path, string key, string value, string[] allowed)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
            throw new MLCardiacException($"{file}: {path}.{key}: must be one of {string.Join(", ", allowed.Select(a => $"\"{a}\""))} (was \"{value}\").");
    }

    public static MLCardiacException Error(string file, string path, string message) => new($"{file}: {path}: {message}");
}
