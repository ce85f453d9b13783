namespace MLCardiac.Training;

/// <summary>The optimiser a trainer uses.</summary>
public enum OptimizerKind
{
    /// <summary>AdamW (Loshchilov &amp; Hutter 2019) with decoupled weight decay.</summary>
    AdamW,
    /// <summary>SGD with Nesterov momentum 0.99, as nnU-Net trains.</summary>
    SgdNesterov,
}
