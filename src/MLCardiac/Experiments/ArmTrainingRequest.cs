using MLCardiac.Data;
using MLCardiac.Preprocessing;

namespace MLCardiac.Experiments;

/// <summary>Everything one arm's training needs: its definition, its seed and its prepared data.</summary>
/// <param name="Arm">The resolved arm.</param>
/// <param name="Seed">Training seed.</param>
/// <param name="Preprocessing">Preprocessing the cases were prepared with (saved with the model).</param>
/// <param name="Domains">Every vendor of the dataset, in domain-index order.</param>
/// <param name="Train">Labeled training cases of the arm's training vendors.</param>
/// <param name="Validation">Labeled validation cases (may be empty).</param>
/// <param name="Target">Unlabeled target-vendor cases (DANN only; may be empty).</param>
/// <param name="ModelDirectory">Folder the model (and its checkpoints) go to.</param>
public sealed record ArmTrainingRequest(
    ArmDefinition Arm, int Seed, PreprocessingOptions Preprocessing, IReadOnlyList<string> Domains,
    IReadOnlyList<PreparedCase> Train, IReadOnlyList<PreparedCase> Validation, IReadOnlyList<PreparedCase> Target, string ModelDirectory);
