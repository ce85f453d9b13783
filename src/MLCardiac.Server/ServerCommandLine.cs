using System.Globalization;

namespace MLCardiac.Server;

/// <summary>The arguments of <c>dotnet run --project src/MLCardiac.Server</c>: --model, --classifier, --urls, --workers, --queue-limit, --timeout, --max-upload-mb, --max-voxels, --memory-budget, --backend.</summary>
public static class ServerCommandLine
{
    /// <summary>Parses <paramref name="args"/>; throws <see cref="MLCardiacException"/> naming a bad argument.</summary>
    public static ServerOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ServerOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new MLCardiacException($"{args[i]}: a value is missing.");
            int Int(string name)
            {
                string v = Value();
                return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new MLCardiacException($"{name} {v}: not an integer.");
            }
            long Long(string name)
            {
                string v = Value();
                return long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : throw new MLCardiacException($"{name} {v}: not an integer.");
            }
            options = args[i] switch
            {
                "--model" => options with { ModelDirectory = Value() },
                "--classifier" => options with { ClassifierDirectory = Value() },
                "--urls" => options with { Urls = Value() },
                "--workers" => options with { Workers = Int("--workers") },
                "--queue-limit" => options with { QueueLimit = Int("--queue-limit") },
                "--timeout" => options with { RequestTimeout = TimeSpan.FromSeconds(Int("--timeout")) },
                "--max-upload-mb" => options with { MaxUploadBytes = (long)Int("--max-upload-mb") << 20 },
                "--max-voxels" => options with { MaxVoxelCount = Long("--max-voxels") },
                "--memory-budget" => options with { MemoryBudgetBytes = MemoryBudget.ParseSize(Value(), "--memory-budget") },
                "--backend" => options with { Backend = ServerOptions.ParseBackend(Value()) },
                _ => throw new MLCardiacException($"{args[i]}: unknown argument (use --model, --classifier, --urls, --workers, --queue-limit, --timeout, --max-upload-mb, --max-voxels, --memory-budget, --backend)."),
            };
        }
        return options;
    }
}
