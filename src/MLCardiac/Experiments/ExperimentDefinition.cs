using MLCardiac.Preprocessing;

namespace MLCardiac.Experiments;

/// <summary>
/// A declarative experiment (<c>pipelines/*.json</c>, read by <see cref="ExperimentLoader"/>): the data, the split,
/// the preprocessing, and the arms to train and compare, with the profile (quick | full) already applied.
/// Every key is documented in pipelines/README.md.
/// </summary>
public sealed record ExperimentDefinition
{
    /// <summary>The schema version this build reads (<c>schemaVersion</c>).</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Experiment id (<c>id</c>): the folder name under models/ and reports/.</summary>
    public required string Id { get; init; }
    /// <summary>What the experiment asks (<c>description</c>).</summary>
    public string Description { get; init; } = "";
    /// <summary>The file it was read from.</summary>
    public string SourceFile { get; init; } = "";
    /// <summary>The profile applied (<c>profiles.NAME</c>), or null.</summary>
    public string? Profile { get; init; }
    /// <summary>
    /// The data sources (<c>data</c>: one object, or an array of named sources), in the file's order; at least one.
    /// Serialised as the file writes it: <c>data</c>, an object for one source and an array for several.
    /// </summary>
    [System.Text.Json.Serialization.JsonPropertyName("data")]
    [System.Text.Json.Serialization.JsonConverter(typeof(DataSourcesJsonConverter))]
    public IReadOnlyList<DataSourceDefinition> Sources { get; init; } = [new()];
    /// <summary>The first (for most studies the only) data source.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DataSourceDefinition Data => Sources[0];
    /// <summary>Vendor split (<c>split</c>).</summary>
    public SplitDefinition Split { get; init; } = new();
    /// <summary>Preprocessing (<c>preprocessing</c>: <c>size</c> px, <c>spacingMm</c>).</summary>
    public PreprocessingOptions Preprocessing { get; init; } = new();
    /// <summary>Training seeds (<c>seeds</c>): each arm is trained once per seed.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [1];
    /// <summary>
    /// Cross-validation folds (<c>folds</c>; 1: none). With k ≥ 2 every arm × seed trains k models on subject-grouped folds
    /// of its training subjects (each fold validates once: every training case gets an out-of-fold prediction), chooses the
    /// post-processing on the out-of-fold predictions, and is evaluated as the ensemble of its k models (softmax averaged,
    /// one model file); each fold model is also tested alone, so the report sets the ensemble against a single model.
    /// </summary>
    public int Folds { get; init; } = 1;
    /// <summary>The network the arms inherit (<c>model</c>), and the default pipeline's of a search.</summary>
    public ModelDefinition Model { get; init; } = new();
    /// <summary>The training budget the arms inherit (<c>training</c>), and the default pipeline's of a search.</summary>
    public TrainingBudget Training { get; init; } = new();
    /// <summary>The augmentation the arms inherit (<c>augmentation</c>), and the default pipeline's of a search.</summary>
    public string Augmentation { get; init; } = "none";
    /// <summary>
    /// The <c>search</c> section as written (profile applied), or null: the space, tuner and budget of
    /// <c>mlcardiac search</c>, read by <c>Search.SearchDefinition.FromExperiment</c> (see pipelines/search-README.md).
    /// </summary>
    public System.Text.Json.JsonElement? Search { get; init; }
    /// <summary>The arms, resolved (<c>arms</c>; empty in a file that only declares a search).</summary>
    public IReadOnlyList<ArmDefinition> Arms { get; init; } = [];
    /// <summary>The vendor-classifier run (<c>vendorClassifier</c>), or null for none.</summary>
    public VendorClassifierDefinition? VendorClassifier { get; init; }
    /// <summary>Evaluations (<c>evaluations</c>): see <see cref="ExperimentLoader.EvaluationNames"/>.</summary>
    public IReadOnlyList<string> Evaluations { get; init; } = ExperimentLoader.EvaluationNames;
    /// <summary>Report figures (<c>figures</c>): see <see cref="ExperimentLoader.FigureNames"/>.</summary>
    public IReadOnlyList<string> Figures { get; init; } = ExperimentLoader.FigureNames;
    /// <summary>Bootstrap resamples for confidence intervals (<c>bootstrapResamples</c>).</summary>
    public int BootstrapResamples { get; init; } = 2000;
    /// <summary>
    /// Values the file leaves to the dataset's plan (<c>DATA/plans.json</c>, written by <c>mlcardiac plan</c>): of
    /// <see cref="ExperimentLoader.PlannableKeys"/>, those given nowhere in the file (root, arms or the profile applied).
    /// </summary>
    public IReadOnlyList<string> Unspecified { get; init; } = [];
    /// <summary>The plan file applied by the run (null: none), and the values it set.</summary>
    public string? PlanFile { get; init; }

    /// <summary>
    /// This experiment with <paramref name="plan"/>'s values for the keys of <see cref="Unspecified"/>: preprocessing size
    /// and spacing, batch size, base filters and depth of every arm and of the experiment's own <c>model</c>/<c>training</c>
    /// (the default pipeline of a search).
    /// </summary>
    /// <exception cref="MLCardiacException">An arm's depth (or, without arms, the model's) does not divide the planned size.</exception>
    public ExperimentDefinition WithPlan(Planning.TrainingPlan plan, string planFile)
    {
        ArgumentNullException.ThrowIfNull(plan);
        bool U(string key) => Unspecified.Contains(key);
        var preprocessing = Preprocessing with
        {
            Size = U("preprocessing.size") ? plan.Size : Preprocessing.Size,
            SpacingMm = U("preprocessing.spacingMm") ? plan.SpacingMm : Preprocessing.SpacingMm,
        };
        // 3D arms take the plan's 3D values (plans written before 3D networks have none: the defaults stay).
        static bool Volumetric(ModelDefinition m) => m.Architecture != Models.NetworkKind.UNet2d;
        var arms = Arms.Select(a => a with
        {
            Model = a.Model with
            {
                BaseFilters = U("model.baseFilters") ? plan.BaseFilters : a.Model.BaseFilters,
                Depth = U("model.depth") ? plan.Depth : a.Model.Depth,
                InPlaneStages = Volumetric(a.Model) && U("model.inPlaneStages") && plan.PatchDepth > 0 ? plan.InPlaneStages : a.Model.InPlaneStages,
                PatchDepth = Volumetric(a.Model) && U("model.patchDepth") && plan.PatchDepth > 0 ? plan.PatchDepth : a.Model.PatchDepth,
            },
            Training = a.Training with
            {
                BatchSize = !U("training.batchSize") ? a.Training.BatchSize : Volumetric(a.Model) && plan.BatchSize3d > 0 ? plan.BatchSize3d : plan.BatchSize,
            },
        }).ToList();
        foreach (ArmDefinition arm in arms)
        {
            if (preprocessing.Size % (1 << arm.Model.Depth) != 0)
                throw new MLCardiacException($"{planFile}: arm \"{arm.Name}\" has depth {arm.Model.Depth}, which needs a slice size that is a multiple of {1 << arm.Model.Depth}; the plan gives preprocessing.size {preprocessing.Size}.");
            if (arm.Model.ToNetwork().Problem() is { } problem)
                throw new MLCardiacException($"{planFile}: arm \"{arm.Name}\" with the plan's values: {problem.Message}");
        }
        var model = Model with
        {
            BaseFilters = U("model.baseFilters") ? plan.BaseFilters : Model.BaseFilters,
            Depth = U("model.depth") ? plan.Depth : Model.Depth,
        };
        if (arms.Count == 0 && preprocessing.Size % (1 << model.Depth) != 0)
            throw new MLCardiacException($"{planFile}: $.model.depth {model.Depth} needs a slice size that is a multiple of {1 << model.Depth}; the plan gives preprocessing.size {preprocessing.Size}.");
        var training = Training with { BatchSize = U("training.batchSize") ? plan.BatchSize : Training.BatchSize };
        return this with { Preprocessing = preprocessing, Arms = arms, Model = model, Training = training, PlanFile = planFile };
    }
}
