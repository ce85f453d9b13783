using System.Text.Json;
using MLCardiac.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Training;

/// <summary>
/// The resumable state of a training run in one file: a header (JSON: next epoch, best epoch and score,
/// history, the options it was started with), the network's weights and the optimiser's state, closed by
/// an end marker so a truncated file is detected. Written atomically (<see cref="AtomicFile"/>).
/// </summary>
internal static class Checkpoint
{
    private const string Magic = "MLCARDIAC-CHECKPOINT";
    private const int Version = 2; // 2: our own optimiser state (TrainingOptimizer)
    private const string EndMarker = "END-OF-CHECKPOINT";

    internal sealed record State(int NextEpoch, int BestEpoch, double BestScore, List<EpochRecord> History, string OptionsJson, IReadOnlyList<string> Domains);

    public static void Save(string path, State state, nn.Module model, TrainingOptimizer optimizer)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(Version);
            w.Write(JsonSerializer.Serialize(state));
            model.save(w);
            optimizer.Save(w);
            w.Write(EndMarker);
        });
    }

    /// <summary>Reads the header only (to validate it before touching a model).</summary>
    public static State ReadState(string path)
    {
        using var r = Open(path);
        return ReadHeader(r, path);
    }

    public static State Load(string path, nn.Module model, TrainingOptimizer optimizer)
    {
        using var r = Open(path);
        State state = ReadHeader(r, path);
        try
        {
            model.load(r);
            optimizer.Load(r);
            if (r.ReadString() != EndMarker) throw new InvalidDataException("missing end marker");
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or IOException)
        {
            throw new MLCardiacException($"{path}: the checkpoint is damaged or belongs to another network ({e.Message}).", e);
        }
        return state;
    }

    private static BinaryReader Open(string path)
    {
        if (!File.Exists(path)) throw new MLCardiacException($"{path}: no checkpoint to resume from.");
        return new BinaryReader(File.OpenRead(path), System.Text.Encoding.UTF8, leaveOpen: false);
    }

    private static State ReadHeader(BinaryReader r, string path)
    {
        try
        {
            if (r.ReadString() != Magic) throw new InvalidDataException("not an MLCardiac checkpoint");
            int version = r.ReadInt32();
            if (version != Version) throw new InvalidDataException($"checkpoint version {version}, this build reads {Version}");
            return JsonSerializer.Deserialize<State>(r.ReadString()) ?? throw new InvalidDataException("empty header");
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or JsonException or IOException)
        {
            throw new MLCardiacException($"{path}: not a readable MLCardiac checkpoint ({e.Message}).", e);
        }
    }
}
