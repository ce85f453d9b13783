using MLCardiac.Search;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// Builds a search from a <see cref="SearchManifest"/> — the one way <c>mlcardiac search</c> and <c>mlcardiac worker</c> set
/// up the objective and the experiment, so a worker on another machine rebuilds the search the registering command made
/// (same space, tuner, seed, epochs: same fingerprint) and runs its trials through the same objective code.
/// </summary>
internal sealed record SearchSetup(SearchDefinition Definition, SegmentationTrialObjective Objective, SearchExperiment Experiment,
    TunerKind Tuner, int Seed, SearchBudget Budget, int Concurrency)
{
    /// <summary>
    /// The search <paramref name="manifest"/> describes, stored as <paramref name="id"/> in <paramref name="store"/>, with a
    /// wall-time budget of <paramref name="wallTime"/> for this process (null: the pipeline's <c>search.budget.time</c> when
    /// <paramref name="pipelineTime"/>, else none).
    /// </summary>
    /// <exception cref="MLCardiacException">The pipeline or an option is unusable, or the budget limits nothing.</exception>
    public static SearchSetup Build(SearchManifest manifest, ITrialStore store, string id, TimeSpan? wallTime, bool pipelineTime, int? concurrency, int threads,
        IProgress<string> log, CancellationToken cancellationToken)
    {
        SearchDefinition definition = manifest.Definition().ResolveData(manifest.Data, cancellationToken);
        TunerKind tuner = manifest.Tuner is null ? definition.Tuner : TunerKinds.Parse(manifest.Tuner);
        TimeSpan? time = wallTime ?? (pipelineTime ? definition.Budget.WallTime : null);
        var budget = new SearchBudget(manifest.Trials ?? definition.Budget.MaxTrials, time);
        if (budget.MaxTrials is null && budget.WallTime is null)
            throw new MLCardiacException($"{store.Location}: search \"{id}\" has no trial budget (its pipeline sets only a time); give the worker --budget DURATION.");
        budget.Validate();
        int seed = manifest.Seed ?? definition.Seed;
        int workers = concurrency ?? definition.Concurrency;
        var objective = new SegmentationTrialObjective(definition, log);
        var experiment = new SearchExperiment(objective)
            .SetSearchSpace(definition.Space)
            .SetTuner(tuner, seed)
            .SetBudget(budget)
            .SetEpochs(definition.BaseOptions.Trainer.Epochs, definition.AshaMinEpochs, definition.AshaReductionFactor)
            .SetIncludeDefault(definition.IncludeDefault)
            .SetConcurrency(workers, threads)
            .SetStore(store, id)
            .SetSettings(manifest.ToJson());
        return new SearchSetup(definition, objective, experiment, tuner, seed, budget, workers);
    }
}
