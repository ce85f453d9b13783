using System.Globalization;
using MLCardiac;
using MLCardiac.Search;
using MLCardiac.StoreWorker;

// dotnet MLCardiac.StoreWorker.dll --store STORE --search ID [--trials 40] [--unit-ms 60] [--heartbeat-ms 200] [--stale-ms 2000]
//   [--max-units N] [--log FILE]: works on a CheapSearch registered by the caller; prints "ran N" and exits 0.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
string Get(string key, string fallback) => options.TryGetValue(key, out string? v) ? v : fallback;
int Int(string key, int fallback) => int.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
try
{
    ITrialStore store = TrialStores.Open(Get("--store", ""));
    var search = new CheapSearch { UnitMilliseconds = Int("--unit-ms", 60), LogFile = options.GetValueOrDefault("--log") };
    SearchExperiment experiment = search.Experiment(store, Get("--search", "s"), Int("--trials", 40),
        TimeSpan.FromMilliseconds(Int("--heartbeat-ms", 200)), TimeSpan.FromMilliseconds(Int("--stale-ms", 2000)));
    int? maxUnits = options.ContainsKey("--max-units") ? Int("--max-units", 1) : null;
    SearchResult result = experiment.WorkAsync(maxUnits).GetAwaiter().GetResult();
    Console.WriteLine($"ran {result.TrialsRun}");
    TrialStores.Close(store);
    return 0;
}
catch (MLCardiacException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
