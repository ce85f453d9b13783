using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLCardiac.Augmentation;
using MLCardiac.Data;
using MLCardiac.Evaluation;
using MLCardiac.Experiments;
using MLCardiac.Inference;
using MLCardiac.IO;
using MLCardiac.ML;
using Microsoft.ML;
using MLCardiac.Models;
using MLCardiac.Planning;
using MLCardiac.Preprocessing;
using MLCardiac.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac train --data DIR --train-vendors A,B --out models/NAME</c>: trains a U-Net (or DANN) on the
/// training vendors' subjects, validates on held-out subjects of the same vendors every epoch, then reports
/// Dice per vendor on subjects never used in training — seen vendors and unseen ones.
/// </summary>
internal sealed class TrainCommand(IAnsiConsole console) : Command<TrainCommand.Settings>
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        IncludeFields = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>File with the subject splits, options and per-vendor evaluation of a training run.</summary>
    internal const string SummaryFile = "training-summary.json";

    /// <summary>File with one row per held-out case and structure.</summary>
    internal const string CasesFile = "cases.csv";

    /// <summary>Arguments of <c>mlcardiac train</c>.</summary>
    internal sealed class Settings : TrainingSettings
    {

        [CommandOption("--train-vendors <LIST>")]
        [Description("Comma-separated vendors whose labeled subjects train the model. Default: all.")]
        public string? TrainVendors { get; init; }

        [CommandOption("--target-vendors <LIST>")]
        [Description("Vendors whose unlabeled subjects join training as DANN target data (implies --dann).")]
        public string? TargetVendors { get; init; }

        [CommandOption("--model <MODEL>")]
        [Description("The network: unet2d (or unet), unet3d (anisotropic 3D U-Net on stacks of slices), vnet, or dann (a 2D U-Net trained domain-adversarially). Default: unet.")]
        public string Model { get; init; } = "unet";

        [CommandOption("--dann")]
        [Description("Train domain-adversarially (gradient reversal + vendor discriminator), whatever the network; implied by --target-vendors.")]
        public bool Dann { get; init; }

        [CommandOption("--patch-depth <N>")]
        [Description("3D networks: slices per training patch and inference window (a multiple of 2^(depth - 2)). Default: 8.")]
        public int? PatchDepth { get; init; }

        public override ValidationResult Validate() =>
            ModelDefinition.Types.Contains(Model) ? ValidationResult.Success() : ValidationResult.Error($"--model must be one of {string.Join(", ", ModelDefinition.Types)} (was \"{Model}\")");

        [CommandOption("--max-lambda <L>")]
        [Description("Largest gradient-reversal weight of the DANN schedule. Default: 0.3.")]
        public double MaxLambda { get; init; } = 0.3;

        [CommandOption("--augment <PRESET>")]
        [Description("Augmentation preset: none, standard (nnU-Net-like) or heavy (+ elastic, MRI artefacts). Default: standard.")]
        public string Augment { get; init; } = "standard";

        [CommandOption("--out <DIR>")]
        [Description("Output folder for checkpoints, the best weights, the log and the evaluation.")]
        public string Out { get; init; } = "models/unet";

        [CommandOption("--epochs <N>")]
        [Description("Epochs. Default: 20.")]
        public int Epochs { get; init; } = 20;


        [CommandOption("--batch <N>")]
        [Description("Labeled slices per batch. Default: the dataset's plans.json, else 8.")]
        public int? Batch { get; init; }

        [CommandOption("--lr <LR>")]
        [Description("Initial learning rate (AdamW, poly decay). Default: 0.002.")]
        public double LearningRate { get; init; } = 2e-3;

        [CommandOption("--base-filters <N>")]
        [Description("U-Net filters of the first stage. Default: the dataset's plans.json, else 16.")]
        public int? BaseFilters { get; init; }

        [CommandOption("--depth <N>")]
        [Description("U-Net poolings. Default: the dataset's plans.json, else 4.")]
        public int? Depth { get; init; }


        [CommandOption("--spacing <MM>")]
        [Description("In-plane pixel spacing after resampling, mm. Default: the dataset's plans.json, else 1.25.")]
        public double? SpacingMm { get; init; }

        [CommandOption("--val-fraction <F>")]
        [Description("Share of each training vendor's subjects held out for validation. Default: 0.15.")]
        public double ValFraction { get; init; } = 0.15;

        [CommandOption("--test-fraction <F>")]
        [Description("Share of each training vendor's subjects held out for the final seen-vendor test. Default: 0.2.")]
        public double TestFraction { get; init; } = 0.2;

        [CommandOption("--patience <N>")]
        [Description("Stop after N epochs without a better validation Dice (0: never). Default: 0.")]
        public int Patience { get; init; }


        [CommandOption("--threads <N>")]
        [Description("libtorch threads (0: one per core). Default: 0.")]
        public int Threads { get; init; }

        [CommandOption("--device <DEVICE>")]
        [Description("cpu or cuda (cuda needs a build with -p:TorchBackend=cuda). Default: cpu.")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--resume")]
        [Description("Continue from the last checkpoint in --out after a crash or Ctrl-C.")]
        public bool Resume { get; init; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        AugmentationPreset preset = AugmentationPipeline.ParsePreset(settings.Augment);
        DatasetIndex index = DatasetLayouts.Load(settings.Data);
        foreach (var p in index.Problems)
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[yellow]warning:[/] {p.Subject ?? "dataset"}: {p.Message} ({p.Path})");
        if (index.Records.Count == 0) throw new MLCardiacException($"{settings.Data}: no usable subject. Write the synthetic data with `mlcardiac synth --out {settings.Data}`.");

        IReadOnlyList<string> vendors = index.Vendors;
        string[] trainVendors = ParseList(settings.TrainVendors) ?? vendors.ToArray();
        string[] targetVendors = ParseList(settings.TargetVendors) ?? [];
        foreach (string v in trainVendors.Concat(targetVendors))
            if (!vendors.Contains(v)) throw new MLCardiacException($"Vendor \"{v}\" is not in {settings.Data} (it has {string.Join(", ", vendors)}).");

        var labeled = index.Records.Where(r => r.IsLabeled).ToList();
        var (seen, unseen) = SubjectSplit.ByVendor(labeled, trainVendors);
        var (trainAndVal, testSeen) = SubjectSplit.BySubject(seen, settings.TestFraction, settings.Seed);
        var (trainRecords, valRecords) = SubjectSplit.BySubject(trainAndVal, settings.ValFraction / Math.Max(1e-9, 1 - settings.TestFraction), settings.Seed + 1);
        var targetRecords = index.Records.Where(r => !r.IsLabeled && targetVendors.Contains(r.Vendor)).ToList();
        bool dann = settings.Model == "dann" || settings.Dann || targetVendors.Length > 0;
        if (targetVendors.Length > 0 && targetRecords.Count == 0)
            throw new MLCardiacException($"No unlabeled subjects of {string.Join(", ", targetVendors)} in {settings.Data}; write some with `mlcardiac synth --unlabeled-vendors ...`.");

        // The dataset's plan (`mlcardiac plan`) fills every value the command line leaves out; without one, the defaults.
        TrainingPlan? plan = TrainingPlan.ForDataset(settings.Data);
        if (plan is not null)
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"plan {Path.Combine(settings.Data, TrainingPlan.FileName)}: {plan.Size} px at {plan.SpacingMm} mm, depth {plan.Depth}, {plan.BaseFilters} filters, batch {plan.BatchSize} (for values not given)");
        // A 3D network takes the plan's 3D values (in-plane stages, patch) unless the command line gives them.
        var model = new ModelDefinition
        {
            Type = settings.Model,
            BaseFilters = settings.BaseFilters ?? plan?.BaseFilters ?? UNetOptions.DefaultBaseFilters,
            Depth = settings.Depth ?? plan?.Depth ?? UNetOptions.DefaultDepth,
        };
        bool fromPlan = plan is { PatchDepth: > 0 } && model.Depth == plan.Depth;
        model = model with
        {
            InPlaneStages = fromPlan ? plan!.InPlaneStages : model.InPlaneStages,
            PatchDepth = settings.PatchDepth ?? (fromPlan ? plan!.PatchDepth : 0),
        };
        UNetOptions network = model.ToNetwork();
        if (network.Problem() is { } problem) throw new MLCardiacException($"--model {settings.Model}: {problem.Message}");
        var pipeline = new SegmentationPipelineOptions
        {
            Preprocessing = new PreprocessingOptions
            {
                Size = settings.Size ?? plan?.Size ?? PreprocessingOptions.DefaultSize,
                SpacingMm = settings.SpacingMm ?? plan?.SpacingMm ?? PreprocessingOptions.DefaultSpacingMm,
            },
            Augmentation = new AugmentationOptions { Name = preset.ToString().ToLowerInvariant() },
            Trainer = new SegmentationTrainerOptions
            {
                Network = network,
                Dann = dann ? new DannOptions { MaxLambda = settings.MaxLambda, TargetVendors = targetVendors } : null,
                Epochs = settings.Epochs,
                IterationsPerEpoch = settings.Iterations,
                BatchSize = settings.Batch ?? (network.IsVolumetric ? (plan?.BatchSize3d > 0 ? plan.BatchSize3d : 2) : plan?.BatchSize ?? 8),
                LearningRate = settings.LearningRate,
                EarlyStoppingPatience = settings.Patience,
                Seed = settings.Seed,
                Threads = settings.Threads,
                Device = settings.Device,
                TrainVendors = trainVendors,
            },
            QualityControl = new MLCardiac.Inference.QualityControlOptions { Seed = settings.Seed },
        };
        var testRecords = testSeen.Concat(unseen).ToList();
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"training {pipeline.Describe()} on [bold]{string.Join(", ", trainVendors)}[/]: {trainRecords.Select(r => r.Subject).Distinct().Count()} subjects, validation {valRecords.Select(r => r.Subject).Distinct().Count()} subjects{(dann && targetVendors.Length > 0 ? $", DANN target {string.Join(", ", targetVendors)}: {targetRecords.Select(r => r.Subject).Distinct().Count()} unlabeled subjects" : "")}");

        Directory.CreateDirectory(settings.Out);
        var cache = new PreparedSliceCache(PreparedSliceCache.DefaultDirectory);
        string modelFile = Path.Combine(settings.Out, CardiacModel.FileName);
        SegmentationTransformer fitted = null!;
        console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("reading and preprocessing", maxValue: 1);
                var cardiac = new MLContext(settings.Seed).CardiacSegmentation(new CardiacRunContext
                {
                    CheckpointDirectory = settings.Out, Resume = settings.Resume, CancellationToken = cancellationToken, PreparedCache = cache,
                    Progress = new SyncProgress<TrainingProgress>(p =>
                    {
                        task.MaxValue = (double)p.Epochs * p.Steps;
                        task.Value = (double)p.Epoch * p.Steps + p.Step;
                        string dice = p.LastValidationDice is double d ? d.ToString("F3", CultureInfo.InvariantCulture) : "–";
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch + 1}/{p.Epochs}  loss {p.Loss:F3}  val Dice {dice}");
                    }),
                });
                IDataView trainRows = cardiac.Data.FromRecords([.. trainRecords, .. targetRecords]);
                var model = cardiac.FitPipeline(pipeline, trainRows, valRecords.Count > 0 ? cardiac.Data.FromRecords(valRecords) : null);
                fitted = model.OfType<SegmentationTransformer>().Single();
                try { cardiac.SaveModel(model, trainRows.Schema, modelFile); }
                finally { foreach (var stage in model.OfType<IDisposable>()) stage.Dispose(); }
            });
        SegmentationMetrics metrics = null!;
        console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("evaluating the saved model on held-out subjects", maxValue: Math.Max(1, testRecords.Count));
                var cardiac = new MLContext(settings.Seed).CardiacSegmentation(new CardiacRunContext { CancellationToken = cancellationToken, PreparedCache = cache });
                var loaded = cardiac.LoadModel(modelFile, out _);
                try
                {
                    metrics = cardiac.Evaluate(loaded.Transform(cardiac.Data.FromRecords(testRecords)), settings.Seed, new SyncProgress<int>(n => task.Value = n));
                }
                finally { foreach (var stage in loaded.OfType<IDisposable>()) stage.Dispose(); }
            });
        WriteSummary(settings, pipeline, trainRecords, valRecords, testRecords, fitted, metrics.Vendors, metrics.Cases);
        Render(metrics.Vendors, fitted);
        return 0;
    }

    private void Render(IReadOnlyList<VendorSummary> rows, SegmentationTransformer result)
    {
        var table = new Table().Title("Held-out subjects: 3D Dice on each image's grid (ED + ES)");
        foreach (string header in new[] { "vendor", "role", "n", "LV", "MYO", "RV", "HD95 mm", "EF err %" })
            table.AddColumn(new TableColumn(header).NoWrap());
        foreach (var r in rows)
        {
            double hd95 = new[] { r.Lv.Hd95Mm, r.Myo.Hd95Mm, r.Rv.Hd95Mm }.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
            string ef = r.Clinical.TryGetValue("LV EF (%)", out var a) ? F(a.MeanAbsoluteError, "F1") : "–";
            table.AddRow(r.Vendor, r.Role, r.Subjects.ToString(CultureInfo.InvariantCulture),
                D(r.Lv), D(r.Myo), D(r.Rv), F(hd95, "F1"), ef);
        }
        console.Write(table);
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"best epoch {result.BestEpoch + 1} of {result.History.Count}{(result.StoppedEarly ? " (stopped early)" : "")}; n = subjects; EF err = LV EF mean absolute error; 95 % bootstrap intervals in {SummaryFile}");
        if (result.PostProcessing is { } pp) console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"post-processing: {pp.Describe()}");

        static string D(StructureSummary s) => s.Dice.Mean.ToString("F3", CultureInfo.InvariantCulture);
        static string F(double v, string format) => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
    }

    private void WriteSummary(Settings s, SegmentationPipelineOptions options, IReadOnlyList<CaseRecord> train, IReadOnlyList<CaseRecord> val,
        IReadOnlyList<CaseRecord> test, SegmentationTransformer result, IReadOnlyList<VendorSummary> evaluation, IReadOnlyList<CaseResult> cases)
    {
        var summary = new
        {
            schemaVersion = 1,
            trainSubjects = train.Select(r => r.Subject).Distinct().ToArray(),
            validationSubjects = val.Select(r => r.Subject).Distinct().ToArray(),
            testSubjects = test.Select(r => r.Subject).Distinct().ToArray(),
            options,
            bestEpoch = result.BestEpoch,
            evaluation,
        };
        AtomicFile.WriteAllText(Path.Combine(s.Out, SummaryFile), JsonSerializer.Serialize(summary, Json));
        var csv = new System.Text.StringBuilder("subject,vendor,frame,structure,dice,hd_mm,hd95_mm,assd_mm,predicted_ml,reference_ml\n");
        string[] names = ["LV", "MYO", "RV"];
        foreach (var c in cases)
            for (int k = 0; k < 3; k++)
            {
                var m = c.Structures[k];
                csv.Append(CultureInfo.InvariantCulture, $"{c.Record.Subject},{c.Record.Vendor},{c.Record.Role},{names[k]},{m.Dice:R},{m.HausdorffMm:R},{m.Hd95Mm:R},{m.AssdMm:R},{m.PredictedMl:R},{m.TruthMl:R}\n");
            }
        AtomicFile.WriteAllText(Path.Combine(s.Out, CasesFile), csv.ToString());
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"model written to [bold]{Path.Combine(s.Out, CardiacModel.FileName)}[/] (also in {s.Out}: {SummaryFile}, {CasesFile}, {SegmentationTrainer.LogFile}, checkpoints)");
    }

    private static string[]? ParseList(string? list) =>
        string.IsNullOrWhiteSpace(list) ? null : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

}
