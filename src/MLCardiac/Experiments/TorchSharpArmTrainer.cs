using System.Text.Json;
using MLCardiac.Data;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.IO;
using MLCardiac.Models;
using MLCardiac.Training;

namespace MLCardiac.Experiments;

/// <summary>
/// <see cref="IArmTrainer"/> on the library's TorchSharp training loop: <see cref="SegmentationTrainer"/> with the
/// arm's augmentation family, a <see cref="ModelDescription"/> beside the best weights, and
/// <see cref="SegmentationModel"/> for inference (largest-component post-processing, no test-time augmentation).
/// </summary>
public sealed class TorchSharpArmTrainer : IArmTrainer
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The <see cref="SegmentationTrainerOptions"/> an arm trains with.</summary>
    public static SegmentationTrainerOptions Options(ArmTrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArmDefinition arm = request.Arm;
        return new SegmentationTrainerOptions
        {
            Network = new UNetOptions { BaseFilters = arm.Model.BaseFilters, Depth = arm.Model.Depth },
            Dann = arm.Model.IsDann ? new DannOptions { MaxLambda = arm.Model.MaxLambda } : null,
            SliceSpacingMm = request.Preprocessing.SpacingMm,
            Epochs = arm.Training.Epochs,
            IterationsPerEpoch = arm.Training.IterationsPerEpoch,
            BatchSize = arm.Training.BatchSize,
            LearningRate = arm.Training.LearningRate,
            EarlyStoppingPatience = arm.Training.Patience,
            Threads = arm.Training.Threads,
            Seed = request.Seed,
        };
    }

    /// <inheritdoc/>
    public ArmTrainingResult Train(ArmTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        SegmentationTrainerOptions options = Options(request);
        SliceAugmenter? augmenter = request.Arm.Augmentation == "none" ? null
            : AugmentationFamilies.Create(request.Arm.Augmentation).ToSliceAugmenter(request.Preprocessing.SpacingMm);
        IEnumerable<PreparedCase> trainCases = options.Dann is null ? request.Train : request.Train.Concat(request.Target);
        SliceDataset train = CasePreparation.ToSlices(trainCases, request.Domains);
        SliceDataset? validation = request.Validation.Count > 0 ? CasePreparation.ToSlices(request.Validation, request.Domains) : null;
        using TrainingResult result = new SegmentationTrainer(options, augmenter)
            .Fit(train, validation, request.ModelDirectory, resume: true, progress, cancellationToken);
        var description = new ModelDescription
        {
            Weights = SegmentationTrainer.BestWeightsFile,
            Network = options.Network,
            Preprocessing = request.Preprocessing,
            Domains = request.Domains,
            TrainVendors = request.Arm.TrainVendors,
            TargetVendors = options.Dann is null ? [] : request.Arm.TargetVendors,
        };
        AtomicFile.WriteAllText(Path.Combine(request.ModelDirectory, SegmentationModel.DescriptionFile), JsonSerializer.Serialize(description, Json));
        return new ArmTrainingResult(result.History, result.BestEpoch, result.StoppedEarly);
    }

    /// <inheritdoc/>
    public IArmSegmenter Open(string modelDirectory) => new Segmenter(SegmentationModel.Load(modelDirectory));

    private sealed class Segmenter(SegmentationModel model) : IArmSegmenter
    {
        public Volume Segment(Volume image, int frame) => model.Segment(image, frame);

        public void Dispose() => model.Dispose();
    }
}
