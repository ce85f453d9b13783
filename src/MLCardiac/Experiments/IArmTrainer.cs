using MLCardiac.Training;

namespace MLCardiac.Experiments;

/// <summary>
/// The seam between the experiment runner and the training back end: trains one arm into a model folder and
/// opens a model folder for segmentation. <see cref="TorchSharpArmTrainer"/> implements it with the library's
/// <see cref="SegmentationTrainer"/>; an ML.NET estimator pipeline can implement it instead and be passed to
/// <see cref="ExperimentRunner"/> without other changes.
/// </summary>
public interface IArmTrainer
{
    /// <summary>
    /// Trains <see cref="ArmTrainingRequest.Arm"/> and writes a complete model folder to
    /// <see cref="ArmTrainingRequest.ModelDirectory"/>; resumes from a checkpoint left there by an interrupted run.
    /// </summary>
    ArmTrainingResult Train(ArmTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Opens a model folder written by <see cref="Train"/>.</summary>
    IArmSegmenter Open(string modelDirectory);
}
