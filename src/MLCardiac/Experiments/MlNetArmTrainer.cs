using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Augmentation;
using MLCardiac.Imaging;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Training;

namespace MLCardiac.Experiments;

/// <summary>
/// <see cref="IArmTrainer"/> through the ML.NET catalog (src/MLCardiac/ML): each arm is the pipeline
/// <c>LoadNifti → Preprocess → Augment → UNet | Dann</c>, fitted on the arm's case rows and saved with
/// <see cref="CardiacSegmentationCatalog.SaveModel"/> as <see cref="ModelFile"/> in the model folder; <see cref="Open"/>
/// loads that file with <see cref="CardiacSegmentationCatalog.LoadModel"/> and segments through it.
/// </summary>
/// <remarks>
/// The pipeline reads and preprocesses the case files itself, one row (subject × frame) at a time, so its intensity
/// normalisation is measured on the frame (src/MLCardiac/ML/README.md), not over the cine as the runner's prepared cases
/// and <see cref="TorchSharpArmTrainer"/> do; the segmenter <see cref="Open"/> returns feeds the pipeline the evaluated
/// frame alone, so evaluation preprocesses exactly as training did. Training checkpoints and the training log go to the
/// model folder (<see cref="UNetTrainerOptions.CheckpointDirectory"/>), so an interrupted arm resumes from its last
/// finished epoch. The augmentation families of the ablation (spatial, intensity, artefacts) are not presets of the
/// <c>Augment</c> verb: such an arm has no <c>Augment</c> stage and passes the family to the trainer
/// (<see cref="UNetTrainerOptions.Augmenter"/>); its model file then records no augmentation preset.
/// </remarks>
public sealed class MlNetArmTrainer : IArmTrainer
{
    /// <summary>The fitted pipeline in a model folder.</summary>
    public const string ModelFile = "model.zip";

    /// <inheritdoc/>
    public ArmTrainingResult Train(ArmTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArmDefinition arm = request.Arm;
        var cardiac = new MLContext(seed: request.Seed).CardiacSegmentation();
        var rows = request.Train.Select(c => c.Record);
        if (arm.Model.IsDann) rows = rows.Concat(request.Target.Select(c => c.Record));
        IDataView train = cardiac.Data.FromRecords(rows);

        var input = cardiac.Transforms.LoadNifti().Append(cardiac.Transforms.Preprocess(request.Preprocessing));
        SliceAugmenter? family = null;
        IEstimator<ITransformer> features = input;
        if (arm.Augmentation is "none" or "standard" or "heavy")
            features = input.Append(cardiac.Transforms.Augment(Enum.Parse<AugmentationPreset>(arm.Augmentation, ignoreCase: true)));
        else
            family = AugmentationFamilies.Create(arm.Augmentation).ToSliceAugmenter(request.Preprocessing.SpacingMm);

        // LoadNifti and Preprocess learn nothing: fitted on the validation rows they preprocess them as the training rows are.
        IDataView? validation = null;
        if (request.Validation.Count > 0)
        {
            IDataView rowsOfValidation = cardiac.Data.FromRecords(request.Validation.Select(c => c.Record));
            validation = input.Fit(rowsOfValidation).Transform(rowsOfValidation);
        }
        TrainingBudget b = arm.Training;
        UNetTrainerOptions options = arm.Model.IsDann
            ? new DannTrainerOptions
            {
                TargetVendors = arm.TargetVendors, MaxLambda = arm.Model.MaxLambda,
                Network = Network(arm), Epochs = b.Epochs, IterationsPerEpoch = b.IterationsPerEpoch, BatchSize = b.BatchSize, LearningRate = b.LearningRate,
                EarlyStoppingPatience = b.Patience, Threads = b.Threads, Seed = request.Seed, TrainVendors = arm.TrainVendors,
                Validation = validation, CheckpointDirectory = request.ModelDirectory, Augmenter = family, Progress = progress, CancellationToken = cancellationToken,
            }
            : new UNetTrainerOptions
            {
                Network = Network(arm), Epochs = b.Epochs, IterationsPerEpoch = b.IterationsPerEpoch, BatchSize = b.BatchSize, LearningRate = b.LearningRate,
                EarlyStoppingPatience = b.Patience, Threads = b.Threads, Seed = request.Seed, TrainVendors = arm.TrainVendors,
                Validation = validation, CheckpointDirectory = request.ModelDirectory, Augmenter = family, Progress = progress, CancellationToken = cancellationToken,
            };
        var pipeline = features.Append(arm.Model.IsDann ? cardiac.Trainers.Dann((DannTrainerOptions)options) : cardiac.Trainers.UNet(options));
        TransformerChain<SegmentationTransformer> model = pipeline.Fit(train);
        try
        {
            cardiac.SaveModel(model, train.Schema, Path.Combine(request.ModelDirectory, ModelFile));
            SegmentationTransformer fitted = model.LastTransformer;
            return new ArmTrainingResult(fitted.History, fitted.BestEpoch, fitted.StoppedEarly);
        }
        finally
        {
            model.LastTransformer.Dispose();
        }
    }

    private static UNetOptions Network(ArmDefinition arm) => new() { BaseFilters = arm.Model.BaseFilters, Depth = arm.Model.Depth };

    /// <inheritdoc/>
    public IArmSegmenter Open(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        var ml = new MLContext();
        var cardiac = ml.CardiacSegmentation();
        TransformerChain<ITransformer> model = cardiac.LoadModel(Path.Combine(modelDirectory, ModelFile), out _);
        return new Segmenter(model, ml.Model.CreatePredictionEngine<VolumeInput, SegmentationOutput>(cardiac.WithoutLoader(model), new PredictionEngineOptions { OwnsTransformer = false }));
    }

    private sealed class Segmenter(TransformerChain<ITransformer> model, PredictionEngine<VolumeInput, SegmentationOutput> engine) : IArmSegmenter
    {
        public Volume Segment(Volume image, int frame)
        {
            ArgumentNullException.ThrowIfNull(image);
            Spacing s = image.SpacingMm;
            // The frame alone, as NiftiLoaderTransformer hands it on: intensity statistics are measured on this frame.
            byte[] labels = engine.Predict(new VolumeInput
            {
                Image = image.Frame(frame).ToArray(),
                ImageShape = [image.SizeX, image.SizeY, image.SizeZ],
                SpacingMm = [(float)s.X, (float)s.Y, (float)s.Z],
            }).PredictedLabel;
            return new Volume([.. labels.Select(v => (float)v)], [image.SizeX, image.SizeY, image.SizeZ], image.SpacingMm, image.VoxelToWorld, 0, NiftiDataType.UInt8);
        }

        public void Dispose()
        {
            engine.Dispose();
            foreach (var stage in model.OfType<IDisposable>()) stage.Dispose();
        }
    }
}
