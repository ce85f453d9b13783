using System.Diagnostics;
using System.Text.Json;
using MLCardiac.IO;
using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Training;

/// <summary>
/// Trains a <see cref="SegmentationNetwork"/> — or, with <see cref="SegmentationTrainerOptions.Dann"/>, a
/// <see cref="DannNetwork"/> whose unlabeled target-domain rows join every batch — on 2D slices with soft
/// Dice + cross-entropy, validating on held-out subjects after every epoch and keeping the best weights.
/// </summary>
/// <remarks>
/// <para>Resumable: with a checkpoint directory, the full state (weights, optimiser, history) is written
/// atomically after every epoch to <c>last.ckpt</c>, the best segmentation weights to <c>best.weights</c>, and
/// one JSON line per epoch to <c>training-log.jsonl</c>. <c>resume: true</c> continues from <c>last.ckpt</c>
/// after a crash or cancellation. Every random stream (initialisation, sampling, augmentation, dropout) is
/// derived from (seed, epoch, step), so a resumed run ends with the same weights as an uninterrupted one.</para>
/// <para>Sampling: each batch draws <see cref="SegmentationTrainerOptions.ForegroundOversampling"/> of its
/// labeled rows from slices that contain the heart and the rest uniformly, as nnU-Net does.</para>
/// </remarks>
public sealed class SegmentationTrainer
{
    /// <summary>File name of the resumable checkpoint in the checkpoint directory.</summary>
    public const string LastCheckpointFile = "last.ckpt";
    /// <summary>File name of the best segmentation weights in the checkpoint directory.</summary>
    public const string BestWeightsFile = "best.weights";
    /// <summary>File name of the per-epoch JSON-lines log in the checkpoint directory.</summary>
    public const string LogFile = "training-log.jsonl";

    private readonly SegmentationTrainerOptions _options;
    private readonly SliceAugmenter? _augmenter;

    /// <summary>
    /// Creates a trainer; throws <see cref="ArgumentException"/> for invalid options. Training rows are augmented with
    /// <paramref name="augmenter"/> (null: not at all), which <paramref name="augmentation"/> names in the checkpoint, so
    /// that a run is never resumed with another augmentation.
    /// </summary>
    public SegmentationTrainer(SegmentationTrainerOptions options, SliceAugmenter? augmenter = null, string? augmentation = null, StackAugmenter? stackAugmenter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Network.IsVolumetric && augmenter is not null && stackAugmenter is null)
            throw new ArgumentException($"A {options.Network.Kind.Name()} trains on stacks: give the augmentation as a StackAugmenter (AugmentationPipeline.ToStackAugmenter), which draws one transform per stack.", nameof(stackAugmenter));
        _options = options;
        _augmenter = augmenter;
        _stackAugmenter = stackAugmenter;
        _augmentation = augmenter is null && stackAugmenter is null ? "none" : augmentation ?? "custom";
    }

    private readonly StackAugmenter? _stackAugmenter;

    private readonly string _augmentation;

    /// <summary>
    /// Called on the training thread after each epoch (validation included) with its record — e.g. for a search
    /// scheduler that stops poor trials early by cancelling the token passed to <see cref="Fit"/>.
    /// </summary>
    public Action<EpochRecord>? EpochCompleted { get; set; }

    /// <summary>
    /// How batches are prepared (sampled, copied, augmented): 0 on the training thread between steps; N ≥ 1 on a background
    /// thread that keeps up to <see cref="PrefetchBatches"/> batches ready while the network trains, augmenting the rows of a
    /// batch on N threads. The rows are drawn in the same order from the same random stream and every row is augmented from
    /// its own seed (seed, epoch, step, row), so the weights are bitwise the same whatever the setting (tested): it changes
    /// speed only, and is not a hyperparameter (not in the options, the checkpoint or any fingerprint).
    /// </summary>
    public int InputWorkers { get; set; } = 1;

    /// <summary>Batches the background preparation keeps ready ahead of training (with <see cref="InputWorkers"/> ≥ 1).</summary>
    public int PrefetchBatches { get; set; } = 2;

    /// <summary>One batch's host buffers; a row is one slice (2D networks) or a stack of PatchDepth slices (3D networks).</summary>
    private sealed class Batch(int rows, int pixels)
    {
        public readonly float[] Images = new float[rows * pixels];
        public readonly byte[] Labels = new byte[rows * pixels];
        public readonly long[] LabelsLong = new long[rows * pixels];
        public readonly bool[] Labeled = new bool[rows];
        public readonly long[] Domains = new long[rows];
        /// <summary>Per row: the index of its first slice in the training set, and how many consecutive slices it holds.</summary>
        public readonly int[] First = new int[rows], Count = new int[rows];
    }

    /// <summary>
    /// Trains on <paramref name="train"/> (labeled rows; unlabeled rows are the DANN target data and are
    /// ignored without DANN), validating on the labeled rows of <paramref name="validation"/>.
    /// </summary>
    public TrainingResult Fit(
        SliceDataset train,
        SliceDataset? validation = null,
        string? checkpointDirectory = null,
        bool resume = false,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = _options;
        bool volumetric = o.Network.IsVolumetric;
        int patchDepth = volumetric ? o.Network.PatchDepth : 1;
        // What a row is drawn from: slices (2D), or volumes as (first slice, count) runs (3D).
        var units = volumetric ? train.Volumes : [.. Enumerable.Range(0, train.Slices.Count).Select(i => (Start: i, Count: 1))];
        var labeled = units.Where(u => train.Slices[u.Start].Label is not null).ToArray();
        var unlabeled = units.Where(u => train.Slices[u.Start].Label is null).ToArray();
        if (labeled.Length == 0) throw new MLCardiacException("The training set has no labeled slice.");
        var foreground = labeled.Where(u => Enumerable.Range(u.Start, u.Count).Any(i => train.Slices[i].HasForeground)).ToArray();
        if (validation is not null && (validation.Height != train.Height || validation.Width != train.Width))
            throw new MLCardiacException($"Validation slices are {validation.Height}×{validation.Width}, training slices {train.Height}×{train.Width}.");
        long multiple = 1L << o.Network.Depth;
        if (train.Height % multiple != 0 || train.Width % multiple != 0)
            throw new MLCardiacException($"Slices of {train.Height}×{train.Width} cannot pass a U-Net of depth {o.Network.Depth}: both sides must be multiples of {multiple}.");
        if (o.Dann is not null && train.Slices.Select(s => s.Domain).Distinct().Count() < 2)
            throw new MLCardiacException("DANN needs slices of at least two domains (vendors) in the training set.");

        Device device = ResolveDevice(o.Device);
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        if (checkpointDirectory is not null) Directory.CreateDirectory(checkpointDirectory);

        torch.manual_seed((long)SeedSequence.Derive(o.Seed, 0x1417));
        nn.Module<Tensor, Tensor> network = o.Dann is null
            ? SegmentationNetwork.Create(o.Network)
            : new DannNetwork(o.Network, train.Domains.Count, o.Dann.HiddenFeatures, o.Dann.FeatureStage);
        SegmentationNetwork segmenter = network as SegmentationNetwork ?? ((DannNetwork)network).Segmenter;
        network.to(device);
        // One optimiser group for the segmenter, and one for the DANN domain head at its own learning-rate multiple.
        var groups = new List<(IEnumerable<TorchSharp.Modules.Parameter> Parameters, double Multiplier)> { (segmenter.parameters(), 1) };
        if (network is DannNetwork withHead) groups.Add((withHead.DomainHeadParameters, o.Dann!.HeadLearningRateMultiplier));
        using var optimizer = new TrainingOptimizer(o.Optimizer, groups, o.LearningRate, o.WeightDecay);

        string optionsJson = JsonSerializer.Serialize(new { options = o, augmentation = _augmentation });
        var history = new List<EpochRecord>();
        int startEpoch = 0, bestEpoch = -1;
        double bestScore = double.NegativeInfinity;
        bool resumed = false;
        string? lastPath = checkpointDirectory is null ? null : Path.Combine(checkpointDirectory, LastCheckpointFile);
        string? bestPath = checkpointDirectory is null ? null : Path.Combine(checkpointDirectory, BestWeightsFile);
        byte[]? bestInMemory = null;

        if (resume && lastPath is not null && File.Exists(lastPath))
        {
            var header = Checkpoint.ReadState(lastPath);
            if (header.OptionsJson != optionsJson)
                throw new MLCardiacException($"{lastPath} was written by a run with other options; resume with the same options, or start a new run in another directory.\n  checkpoint: {header.OptionsJson}\n  now:        {optionsJson}");
            if (!header.Domains.SequenceEqual(train.Domains))
                throw new MLCardiacException($"{lastPath} was trained on domains [{string.Join(", ", header.Domains)}], this data has [{string.Join(", ", train.Domains)}].");
            var state = Checkpoint.Load(lastPath, network, optimizer);
            history.AddRange(state.History);
            (startEpoch, bestEpoch, bestScore, resumed) = (state.NextEpoch, state.BestEpoch, state.BestScore, true);
            RewriteLog(checkpointDirectory!, history);
        }
        else if (checkpointDirectory is not null)
        {
            RewriteLog(checkpointDirectory, history);
        }

        int steps = o.IterationsPerEpoch > 0 ? o.IterationsPerEpoch : Math.Max(1, (labeled.Length + o.BatchSize - 1) / o.BatchSize);
        int targetRows = o.Dann is null || unlabeled.Length == 0 ? 0 : (int)Math.Round(o.BatchSize * o.Dann.TargetFraction);
        int rows = o.BatchSize + targetRows;
        int slicePixels = train.Height * train.Width, pixels = patchDepth * slicePixels;
        long totalSteps = (long)o.Epochs * steps;
        var clock = Stopwatch.StartNew();
        long stepsDoneThisRun = 0;
        bool stoppedEarly = false;
        int workers = Math.Max(0, InputWorkers);

        // Draws the rows of step `step` from `rng` (in order: the one sequential part) and fills `b`, augmenting the rows in
        // parallel when there are workers — each from its own seed, so the result is the same on any number of threads.
        void Prepare(Batch b, Random rng, int epoch, int step)
        {
            ulong batchSeed = SeedSequence.Derive(o.Seed, 3, epoch, step);
            for (int r = 0; r < rows; r++)
            {
                bool fromForeground = false;
                (int Start, int Count) unit = r < o.BatchSize
                    ? ((fromForeground = foreground.Length > 0 && rng.NextDouble() < o.ForegroundOversampling)
                        ? foreground[rng.Next(foreground.Length)]
                        : labeled[rng.Next(labeled.Length)])
                    : unlabeled[rng.Next(unlabeled.Length)];
                (b.First[r], b.Count[r]) = volumetric ? PatchOf(unit, fromForeground, rng) : unit;
            }
            // A stack deeper than a patch gives a patch-deep window: one holding a heart slice when drawn for the foreground
            // (nnU-Net's forced-foreground patches), anywhere otherwise; a shallower one is zero-padded through-plane.
            (int, int) PatchOf((int Start, int Count) volume, bool withForeground, Random random)
            {
                if (volume.Count <= patchDepth) return volume;
                int lo = 0, hi = volume.Count - patchDepth;
                if (withForeground)
                {
                    int[] heart = [.. Enumerable.Range(0, volume.Count).Where(z => train.Slices[volume.Start + z].HasForeground)];
                    int z = heart[random.Next(heart.Length)];
                    (lo, hi) = (Math.Max(0, z - patchDepth + 1), Math.Min(z, hi));
                }
                return (volume.Start + lo + random.Next(hi - lo + 1), patchDepth);
            }
            void Row(int r)
            {
                var img = b.Images.AsSpan(r * pixels, pixels);
                var lab = b.Labels.AsSpan(r * pixels, pixels);
                TrainingSlice first = train.Slices[b.First[r]];
                bool isLabeled = first.Label is not null;
                for (int z = 0; z < patchDepth; z++)
                {
                    Span<float> imgZ = img.Slice(z * slicePixels, slicePixels);
                    Span<byte> labZ = lab.Slice(z * slicePixels, slicePixels);
                    if (z >= b.Count[r]) { imgZ.Clear(); labZ.Clear(); continue; }
                    TrainingSlice s = train.Slices[b.First[r] + z];
                    s.Image.CopyTo(imgZ);
                    if (s.Label is not null) s.Label.CopyTo(labZ); else labZ.Clear();
                }
                if (volumetric) _stackAugmenter?.Invoke(img, isLabeled ? lab : Span<byte>.Empty, patchDepth, train.Height, train.Width, batchSeed, r);
                else _augmenter?.Invoke(img, isLabeled ? lab : Span<byte>.Empty, train.Height, train.Width, batchSeed, r);
                b.Labeled[r] = isLabeled;
                b.Domains[r] = first.Domain;
                for (int i = r * pixels; i < (r + 1) * pixels; i++) b.LabelsLong[i] = b.Labels[i];
            }
            if (workers > 1 && (_augmenter ?? (object?)_stackAugmenter) is not null) Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = workers }, Row);
            else for (int r = 0; r < rows; r++) Row(r);
        }

        for (int epoch = startEpoch; epoch < o.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var rng = new Random(SeedSequence.DeriveInt(o.Seed, 1, epoch));
            torch.manual_seed((long)SeedSequence.Derive(o.Seed, 2, epoch));
            network.train();
            double lossSum = 0, domainLossSum = 0, domainCorrect = 0, lambda = 0, lr = o.LearningRate;
            long domainRows = 0;
            using var batches = new BatchSource<Batch>(workers == 0 ? 0 : Math.Max(1, PrefetchBatches), () => new Batch(rows, pixels), steps,
                (b, step) => Prepare(b, rng, epoch, step), cancellationToken);

            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long globalStep = (long)epoch * steps + step;
                double progressFraction = (double)globalStep / totalSteps;
                lr = o.Schedule.At(o.LearningRate, progressFraction);
                optimizer.LearningRate = lr;
                Batch batch = batches.Next(step);
                float[] imageBuffer = batch.Images;
                long[] labelLong = batch.LabelsLong;
                bool[] labeledMask = batch.Labeled;
                long[] domainBuffer = batch.Domains;

                using var scope = torch.NewDisposeScope();
                Tensor x = tensor(imageBuffer, volumetric ? [rows, 1, patchDepth, train.Height, train.Width] : new long[] { rows, 1, train.Height, train.Width }).to(device);
                Tensor y = tensor(labelLong, volumetric ? [rows, patchDepth, train.Height, train.Width] : new long[] { rows, train.Height, train.Width }).to(device);
                Tensor? mask = targetRows > 0 ? tensor(labeledMask).to(device) : null;
                optimizer.ZeroGrad();
                Tensor loss;
                if (network is DannNetwork dann)
                {
                    lambda = GradientReversal.Schedule(progressFraction, o.Dann!.MaxLambda, o.Dann.Gamma);
                    var (seg, domainLogits) = dann.ForwardWithDomain(x, lambda);
                    Tensor domains = tensor(domainBuffer).to(device);
                    Tensor domainLoss = nn.functional.cross_entropy(domainLogits, domains);
                    using Scalar domainWeight = o.Dann.DomainLossWeight.ToScalar();
                    loss = SegmentationLossWithDeepSupervision(seg, y, mask).add(domainLoss.mul(domainWeight));
                    domainLossSum += domainLoss.item<float>();
                    domainCorrect += domainLogits.argmax(1).eq(domains).sum().item<long>();
                    domainRows += rows;
                }
                else
                {
                    loss = SegmentationLossWithDeepSupervision(segmenter.ForwardAll(x), y, mask);
                }
                loss.backward();
                optimizer.Step();
                lossSum += loss.item<float>();
                stepsDoneThisRun++;
                batches.Return(batch);

                if (progress is not null)
                {
                    double secondsPerStep = clock.Elapsed.TotalSeconds / stepsDoneThisRun;
                    long remaining = totalSteps - globalStep - 1;
                    progress.Report(new TrainingProgress(epoch, o.Epochs, step + 1, steps, lossSum / (step + 1),
                        history.LastOrDefault()?.ValidationMeanDice, TimeSpan.FromSeconds(secondsPerStep * remaining)));
                }
            }

            double trainSeconds = epochClock.Elapsed.TotalSeconds;
            IReadOnlyList<double>? valDice = validation is null ? null : Validate(segmenter, validation, device, o.BatchSize);
            double? meanDice = valDice is null ? null : MeanIgnoringNaN(valDice);
            var record = new EpochRecord(epoch, lossSum / steps,
                network is DannNetwork ? domainLossSum / steps : null,
                network is DannNetwork && domainRows > 0 ? domainCorrect / domainRows : null,
                network is DannNetwork ? lambda : null, lr, valDice, meanDice, epochClock.Elapsed.TotalSeconds, steps * (double)rows * patchDepth / trainSeconds);
            history.Add(record);
            EpochCompleted?.Invoke(record);

            double score = meanDice ?? epoch; // without validation the latest epoch is the best
            if (score > bestScore)
            {
                (bestScore, bestEpoch) = (score, epoch);
                if (bestPath is not null) AtomicFile.Write(bestPath, s => SaveWeights(segmenter, s));
                else { using var ms = new MemoryStream(); SaveWeights(segmenter, ms); bestInMemory = ms.ToArray(); }
            }
            stoppedEarly = o.EarlyStoppingPatience > 0 && epoch - bestEpoch >= o.EarlyStoppingPatience;
            int nextEpoch = stoppedEarly ? o.Epochs : epoch + 1;
            if (lastPath is not null)
            {
                Checkpoint.Save(lastPath, new Checkpoint.State(nextEpoch, bestEpoch, bestScore, history, optionsJson, train.Domains), network, optimizer);
                File.AppendAllText(Path.Combine(checkpointDirectory!, LogFile), JsonSerializer.Serialize(record) + "\n");
            }
            if (stoppedEarly) break;
        }

        // Hand back the segmenter with the best weights, detached from the DANN wrapper.
        var result = SegmentationNetwork.Create(o.Network);
        if (bestPath is not null && File.Exists(bestPath)) { using var fs = File.OpenRead(bestPath); LoadWeights(result, fs); }
        else if (bestInMemory is not null) { using var ms = new MemoryStream(bestInMemory); LoadWeights(result, ms); }
        else { using var ms = new MemoryStream(); SaveWeights(segmenter, ms); ms.Position = 0; LoadWeights(result, ms); }
        result.to(device);
        result.eval();
        network.Dispose();
        return new TrainingResult(result, history, bestEpoch, stoppedEarly, resumed);
    }

    /// <summary>
    /// Dice per foreground class (LV, MYO, RV) of <paramref name="model"/> on the labeled slices of
    /// <paramref name="data"/>, pooled over all slices; NaN for a class absent from both prediction and truth.
    /// </summary>
    public static IReadOnlyList<double> Validate(SegmentationNetwork model, SliceDataset data, Device? device = null, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        device ??= CPU;
        int classes = model.Options.Classes;
        var intersection = new long[classes];
        var sums = new long[classes];
        var slices = data.Slices.Where(s => s.Label is not null).ToArray();
        int pixels = data.Height * data.Width;
        // 2D networks see batches of slices; 3D networks one volume's stack at a time (as inference runs them).
        IEnumerable<(int Start, int Count)> groups = model.IsVolumetric
            ? Runs(slices)
            : Enumerable.Range(0, (slices.Length + batchSize - 1) / batchSize).Select(i => (i * batchSize, Math.Min(batchSize, slices.Length - i * batchSize)));
        bool wasTraining = model.training;
        model.eval();
        using (torch.no_grad())
        {
            foreach (var (start, n) in groups)
            {
                var images = new float[n * pixels];
                var truth = new byte[n * pixels];
                for (int i = 0; i < n; i++)
                {
                    slices[start + i].Image.CopyTo(images, i * pixels);
                    slices[start + i].Label!.CopyTo(truth, i * pixels);
                }
                using var scope = torch.NewDisposeScope();
                Tensor x = tensor(images, new long[] { n, 1, data.Height, data.Width }).to(device);
                byte[] predicted = model.StackLogits(x).argmax(1).to(ScalarType.Byte).cpu().data<byte>().ToArray();
                for (int k = 0; k < predicted.Length; k++)
                {
                    int p = predicted[k], t = truth[k];
                    sums[p]++;
                    sums[t]++;
                    if (p == t) intersection[p]++;
                }
            }
        }
        if (wasTraining) model.train();
        var dice = new double[classes - 1];
        for (int c = 1; c < classes; c++) dice[c - 1] = sums[c] == 0 ? double.NaN : 2.0 * intersection[c] / sums[c];
        return dice;
    }

    /// <summary>Runs of consecutive slices of one volume (<see cref="TrainingSlice.Volume"/>); each slice alone when unnumbered.</summary>
    private static IEnumerable<(int Start, int Count)> Runs(TrainingSlice[] slices)
    {
        for (int i = 0; i < slices.Length;)
        {
            int j = i + 1;
            while (j < slices.Length && slices[i].Volume >= 0 && slices[j].Volume == slices[i].Volume) j++;
            yield return (i, j - i);
            i = j;
        }
    }

    /// <summary>Saves a U-Net's options (JSON) and weights to a stream.</summary>
    public static void SaveWeights(SegmentationNetwork model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(JsonSerializer.Serialize(model.Options));
        model.save(w);
    }

    /// <summary>Reads weights written by <see cref="SaveWeights"/> into a U-Net of the same architecture.</summary>
    public static void LoadWeights(SegmentationNetwork model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        var stored = JsonSerializer.Deserialize<UNetOptions>(r.ReadString());
        if (stored != model.Options)
            throw new MLCardiacException($"The weights are for a U-Net {stored}, not {model.Options}.");
        model.load(r);
    }

    private Tensor SegmentationLossWithDeepSupervision(UNetOutput output, Tensor labels, Tensor? mask)
    {
        var o = _options;
        Tensor loss = SegmentationLoss.DiceCrossEntropy(output.Logits, labels, mask, o.DiceWeight, o.CrossEntropyWeight);
        if (output.DeepSupervision.Count == 0) return loss;
        // nnU-Net's weighting: 1, 1/2, 1/4, ... normalised to sum to 1 (coarsest levels contribute least).
        double weightSum = 1, weight = 1;
        Tensor total = loss;
        Tensor labelsFloat = labels.unsqueeze(1).to(ScalarType.Float32);
        foreach (Tensor coarse in output.DeepSupervision)
        {
            weight /= 2;
            weightSum += weight;
            Tensor down = nn.functional.interpolate(labelsFloat, coarse.shape[2..], mode: InterpolationMode.Nearest)
                .squeeze(1).to(ScalarType.Int64);
            using Scalar w = weight.ToScalar();
            total = total.add(SegmentationLoss.DiceCrossEntropy(coarse, down, mask, o.DiceWeight, o.CrossEntropyWeight).mul(w));
        }
        using Scalar norm = weightSum.ToScalar();
        return total.div(norm);
    }

    private static Device ResolveDevice(string name)
    {
        if (name == "cuda")
        {
            if (!torch.cuda.is_available())
                throw new MLCardiacException("Device \"cuda\" was asked for, but libtorch sees no CUDA device. Build with -p:TorchBackend=cuda (TorchSharp-cuda-linux) on a machine with an NVIDIA GPU and driver, or use --device cpu.");
            return CUDA;
        }
        return CPU;
    }

    private static double MeanIgnoringNaN(IReadOnlyList<double> values)
    {
        var present = values.Where(v => !double.IsNaN(v)).ToArray();
        return present.Length == 0 ? 0 : present.Average();
    }

    private static void RewriteLog(string directory, List<EpochRecord> history) =>
        AtomicFile.WriteAllText(Path.Combine(directory, LogFile), string.Concat(history.Select(h => JsonSerializer.Serialize(h) + "\n")));
}
