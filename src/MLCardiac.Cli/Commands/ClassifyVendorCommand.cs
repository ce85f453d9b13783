using System.ComponentModel;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Data;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac classify-vendor --data DIR --out models/vendor [--type resnet|densenet|inception]</c>: trains the vendor classifier on some
/// subjects of each vendor, calibrates its "unfamiliar scanner" threshold on others, and reports volume-level
/// accuracy, the confusion matrix and — with <c>--unseen-vendors</c> — how often scans of vendors it never saw
/// are flagged unfamiliar.
/// </summary>
internal sealed class ClassifyVendorCommand(IAnsiConsole console) : Command<ClassifyVendorCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac classify-vendor</c>.</summary>
    internal sealed class Settings : TrainingSettings
    {

        [CommandOption("--unseen-vendors <LIST>")]
        [Description("Vendors kept out of training, used to measure the unfamiliar-scanner warning.")]
        public string? UnseenVendors { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder for the classifier.")]
        public string Out { get; init; } = "models/vendor-classifier";

        [CommandOption("--epochs <N>")]
        [Description("Epochs. Default: 6.")]
        public int Epochs { get; init; } = 6;


        [CommandOption("--type <TYPE>")]
        [Description("Network: resnet, densenet or inception. Default: resnet.")]
        public string Type { get; init; } = "resnet";

        [CommandOption("--width <N>")]
        [Description("Network width: ResNet base width, DenseNet growth rate, Inception base width. Default: the type's (16, 8, 16).")]
        public int? Width { get; init; }


        [CommandOption("--false-alarm-rate <F>")]
        [Description("Share of held-out familiar volumes allowed to be flagged when calibrating. Default: 0.05.")]
        public double FalseAlarmRate { get; init; } = 0.05;

    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!ClassifierNetworkOptions.TryParseKind(settings.Type, out ClassifierKind type))
            throw new MLCardiacException($"--type: \"{settings.Type}\" is not one of {string.Join(", ", ClassifierNetworkOptions.KindNames)}.");
        if (settings.Width is < 1 or > 512) throw new MLCardiacException($"--width: {settings.Width} is not in 1..512.");
        DatasetIndex index = DatasetLayouts.Load(settings.Data);
        if (index.Records.Count == 0) throw new MLCardiacException($"{settings.Data}: no usable subject.");
        string[] unseen = string.IsNullOrWhiteSpace(settings.UnseenVendors) ? [] : settings.UnseenVendors.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string v in unseen)
            if (!index.Vendors.Contains(v)) throw new MLCardiacException($"Vendor \"{v}\" is not in {settings.Data} (it has {string.Join(", ", index.Vendors)}).");
        var (unseenRecords, known) = SubjectSplit.ByVendor(index.Records.Where(r => r.Role == FrameRole.ED), unseen);
        string[] vendors = known.Select(r => r.Vendor).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (vendors.Length < 2) throw new MLCardiacException("The classifier needs at least two known vendors.");
        var (trainAndCal, test) = SubjectSplit.BySubject(known, 0.25, settings.Seed);
        var options = new VendorClassifierOptions
        {
            Network = ClassifierNetworkOptions.ForKind(type, settings.Width),
            Epochs = settings.Epochs,
            IterationsPerEpoch = settings.Iterations,
            FalseAlarmRate = settings.FalseAlarmRate,
            CalibrationFraction = 0.3,
            Seed = settings.Seed,
        };
        Directory.CreateDirectory(settings.Out);
        string modelFile = Path.Combine(settings.Out, CardiacModel.FileName);
        var preprocessing = new PreprocessingOptions { Size = settings.Size ?? PreprocessingOptions.DefaultSize };
        TransformerChain<ITransformer> model = null!;
        CardiacSegmentationCatalog cardiac = null!;
        console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("reading, preprocessing, training the vendor classifier", maxValue: 1);
                cardiac = new MLContext(settings.Seed).CardiacSegmentation(new CardiacRunContext
                {
                    CancellationToken = cancellationToken, PreparedCache = new PreparedSliceCache(PreparedSliceCache.DefaultDirectory),
                    Progress = new SyncProgress<TrainingProgress>(p =>
                    {
                        task.MaxValue = (double)p.Epochs * p.Steps;
                        task.Value = (double)p.Epoch * p.Steps + p.Step;
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch + 1}/{p.Epochs}  loss {p.Loss:F3}");
                    }),
                });
                IDataView trainRows = cardiac.Data.FromRecords(trainAndCal);
                var pipeline = cardiac.Transforms.LoadNifti().Append(cardiac.Transforms.Preprocess(preprocessing)).Append(cardiac.Trainers.VendorClassifier(options));
                var fitted = pipeline.Fit(trainRows);
                model = new TransformerChain<ITransformer>([.. fitted]);
                cardiac.SaveModel(model, trainRows.Schema, modelFile);
            });
        try
        {
            var classifier = model.OfType<VendorClassifierTransformer>().Single();
            var prepare = new TransformerChain<ITransformer>([.. model.TakeWhile(t => t is not VendorClassifierTransformer)]);
            VendorClassifierEvaluation onTest = classifier.Evaluate(prepare.Transform(cardiac.Data.FromRecords(test)), cancellationToken);
            var confusion = new Table().Title("held-out volumes: true vendor (rows) × predicted (columns)").AddColumn("");
            foreach (string v in vendors) confusion.AddColumn(v);
            for (int i = 0; i < vendors.Length; i++)
                confusion.AddRow([vendors[i], .. onTest.Confusion[i].Select(c => c.ToString(CultureInfo.InvariantCulture))]);
            console.Write(confusion);
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"volume accuracy [bold]{onTest.VolumeAccuracy:P1}[/] ({test.Count} volumes; chance {1.0 / vendors.Length:P0}), slice accuracy {onTest.SliceAccuracy:P1}");
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"unfamiliar-scanner threshold {classifier.Classifier.Threshold:F3}: flags {onTest.FlaggedUnfamiliar:P1} of held-out volumes of known vendors");
            if (unseenRecords.Count > 0)
            {
                var flagged = classifier.PredictVolumes(prepare.Transform(cardiac.Data.FromRecords(unseenRecords)), cancellationToken);
                console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                    $"flags [bold]{flagged.Count(v => v.Unfamiliar) / (double)flagged.Count:P1}[/] of {flagged.Count} volumes of unseen {string.Join(", ", unseen)}");
            }
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"{ClassifierNetworkOptions.Title(type)} classifier written to [bold]{modelFile}[/]");
        }
        finally
        {
            foreach (var stage in model.OfType<IDisposable>()) stage.Dispose();
        }
        return 0;
    }
}
