using System.Collections.Concurrent;
using MLCardiac.Search;

namespace MLCardiac.Tests.Search;

/// <summary>
/// A cheap objective with a known optimum and a cost model, over mixed parameters: Branin in (x, y), a width whose
/// best value is 4 (cost grows with it), a choice whose best value is "b", a flag with a conditional λ (best:
/// flag on, λ = 0.3), and an epochs budget along a learning curve. Metric (maximised) = q · (1 − ½e^(−epoch/4)) with
/// q = 1 / (1 + 0.1·L), L ≥ 0 the summed losses (0 at the optimum); cost = epochs × width. Deterministic noise per
/// (configuration, epoch), so the same configuration always gives the same result.
/// </summary>
internal sealed class SyntheticObjective : ITrialObjective
{
    public const int MaxEpochs = 27;

    public static SearchSpace Space { get; } = new([
        new SearchParameter { Name = "x", Kind = ParameterKind.Real, Min = -5, Max = 10 },
        new SearchParameter { Name = "y", Kind = ParameterKind.Real, Min = 0, Max = 15 },
        new SearchParameter { Name = "width", Kind = ParameterKind.Integer, Min = 1, Max = 8, LowCost = 1 },
        new SearchParameter { Name = "act", Kind = ParameterKind.Choice, Choices = ["a", "b", "c"] },
        new SearchParameter { Name = "flag", Kind = ParameterKind.Bool },
        new SearchParameter { Name = "lam", Kind = ParameterKind.Real, Min = 0, Max = 1, Condition = new ParameterCondition("flag", [true]) },
        new SearchParameter { Name = "epochs", Kind = ParameterKind.Integer, Min = 1, Max = MaxEpochs, LowCost = 1, Default = 9 },
    ]);

    /// <summary>The best reachable metric (L = 0, all epochs, no noise).</summary>
    public static double Optimum => Curve(1, MaxEpochs);

    public ConcurrentBag<int> Calls { get; } = [];
    public ConcurrentDictionary<int, int> CallsPerTrial { get; } = new();
    public Action<TrialContext>? BeforeEpoch { get; init; }

    public string MetricName => "score";
    public bool Maximize => true;

    public static double Loss(ParameterAssignment p)
    {
        double x = p.GetDouble("x", 0), y = p.GetDouble("y", 0);
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        double branin = Math.Pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * Math.Cos(x) + 10;
        double width = p.GetInt("width", 1);
        double bonus = p.GetBool("flag", false) ? 1 - 4 * Math.Pow(p.GetDouble("lam", 0) - 0.3, 2) : 0;
        return (branin - 0.397887) + 0.25 * (width - 4) * (width - 4) + (p.GetString("act", "a") == "b" ? 0 : 2) + (1 - bonus);
    }

    private static double Curve(double q, int epoch) => q * (1 - 0.5 * Math.Exp(-epoch / 4.0));

    public TrialEvaluation Evaluate(TrialContext context, CancellationToken cancellationToken)
    {
        Calls.Add(context.Trial);
        CallsPerTrial.AddOrUpdate(context.Trial, 1, (_, n) => n + 1);
        double q = 1 / (1 + 0.1 * Loss(context.Parameters));
        int width = context.Parameters.GetInt("width", 1);
        int seed = StringComparer.Ordinal.GetHashCode(context.Parameters.ToJson()) & 0x7fffffff;
        double value = 0, cost = 0;
        for (int e = 1; e <= context.Epochs; e++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BeforeEpoch?.Invoke(context);
            cancellationToken.ThrowIfCancellationRequested();
            cost += width;
            double noise = 0.002 * (new Random(seed ^ (e * 7919)).NextDouble() - 0.5);
            value = Curve(q, e) + noise;
            if (!context.Report(e, value)) return new TrialEvaluation(value, cost);
        }
        return new TrialEvaluation(value, cost);
    }
}
