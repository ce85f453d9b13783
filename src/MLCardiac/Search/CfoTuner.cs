namespace MLCardiac.Search;

/// <summary>
/// Cost-frugal local search in the style of FLAML's CFO / FLOW2 (Wu, Wang, Huang, Wang: "Frugal Optimization for
/// Cost-related Hyperparameters", AAAI 2021). Works in the unit cube of the <see cref="SearchSpace"/>:
/// <list type="number">
/// <item>starts at the low-cost corner (<see cref="SearchSpace.LowCost"/>: fewest epochs and filters, others at
/// their defaults), so expensive regions are reached only when cheaper ones stop improving;</item>
/// <item>from the incumbent x, draws a random unit direction u and tries x + δu; if that is not better, tries
/// x − δu; a better point becomes the incumbent;</item>
/// <item>after <c>d</c> consecutive non-improving trials (d = dimensions) the step δ halves (the adaptive step
/// size; FLOW2 shrinks it by a comparable schedule);</item>
/// <item>a choice or boolean sits in equal-width bins of its coordinate, which small steps seldom leave: with
/// probability ½ a "+" move also sets one random choice/boolean parameter to another value (our addition: FLOW2's
/// moves alone get stuck on the first category; FLAML's BlendSearch adds global proposals for the same reason);</item>
/// <item>when δ falls below its floor (δ₀/16) the search has converged locally and restarts from a random point with
/// the cost-driving parameters back at their low-cost values.</item>
/// </list>
/// Designed from the paper and FLAML's documentation; no FLAML code is used. Trials stopped early by
/// <see cref="AshaScheduler"/> report their partial score and count as non-improving moves, which is how
/// "CFO proposes, ASHA stops" combines.
/// </summary>
public sealed class CfoTuner : ITuner
{
    private readonly SearchSpace _space;
    private readonly Random _random;
    private readonly int _dims;
    private readonly double _initialStep;
    private readonly double _minStep;
    private readonly int[] _discrete;
    private readonly Dictionary<int, Proposal> _pending = [];

    private double[]? _incumbent;
    private double _incumbentScore = double.NegativeInfinity;
    private double[] _start;
    private bool _startProposed;
    private int? _startTrial;
    private double _step;
    private double[]? _direction;
    private int? _plusTrial;
    private bool _tryMinus;
    private int _failures;

    private enum Move { Start, Plus, Minus, External }
    private sealed record Proposal(double[] Point, Move Move);

    /// <summary>Creates the tuner over <paramref name="space"/> seeded with <paramref name="seed"/>.</summary>
    public CfoTuner(SearchSpace space, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _space = space;
        _random = new Random(seed);
        _dims = Math.Max(1, space.Dimensions);
        _initialStep = 0.1 * Math.Sqrt(_dims);
        _minStep = _initialStep / 16;
        _discrete = Enumerable.Range(0, space.Dimensions).Where(i => space.Parameters[i].Kind is ParameterKind.Choice or ParameterKind.Bool).ToArray();
        _step = _initialStep;
        _start = space.ToUnit(space.LowCost());
    }

    /// <inheritdoc/>
    public string Name => "cfo";

    /// <summary>Restarts so far (local convergence followed by a jump to a new low-cost start).</summary>
    public int Restarts { get; private set; }

    /// <summary>Current step size δ in the unit cube.</summary>
    public double Step => _step;

    /// <inheritdoc/>
    public ParameterAssignment Propose(int trial)
    {
        if (!_startProposed)
        {
            _startProposed = true;
            _startTrial = trial;
            _pending[trial] = new Proposal(_start, Move.Start);
            // The first start is the low-cost configuration itself (exact values, not a round trip through the cube).
            return Restarts == 0 ? _space.LowCost() : _space.FromUnit(_start);
        }
        double[] center = _incumbent ?? _start;
        ParameterAssignment current = _space.FromUnit(center);
        // A move that lands on the same configuration (discrete parameters, small step) teaches nothing: redraw,
        // growing the step a little each time.
        for (int attempt = 0; ; attempt++)
        {
            Move move;
            if (_tryMinus && _direction is not null) { move = Move.Minus; _tryMinus = false; }
            else { _direction = RandomDirection(); move = Move.Plus; }
            double scale = _step * (1 + 0.5 * attempt);
            double sign = move == Move.Minus ? -1 : 1;
            var point = new double[center.Length];
            for (int i = 0; i < point.Length; i++) point[i] = Math.Clamp(center[i] + sign * scale * _direction[i], 0, 1);
            if (move == Move.Plus && _discrete.Length > 0 && _random.NextDouble() < 0.5)
            {
                int d = _discrete[_random.Next(_discrete.Length)];
                var p = _space.Parameters[d];
                int bins = p.Kind == ParameterKind.Bool ? 2 : p.Choices.Count;
                int now = Math.Min(bins - 1, (int)(point[d] * bins));
                int other = bins == 1 ? now : (now + 1 + _random.Next(bins - 1)) % bins;
                point[d] = (other + 0.5) / bins;
            }
            ParameterAssignment proposal = _space.FromUnit(point);
            if (!proposal.Equals(current) || attempt >= 20)
            {
                if (move == Move.Plus) _plusTrial = trial;
                _pending[trial] = new Proposal(point, move);
                return proposal;
            }
        }
    }

    /// <inheritdoc/>
    public void Report(TrialReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        double score = double.IsNaN(report.Score) ? double.NegativeInfinity : report.Score;
        if (!_pending.Remove(report.Trial, out Proposal? proposal))
            proposal = new Proposal(_space.ToUnit(report.Parameters), Move.External);

        if (proposal.Move == Move.Start && report.Trial == _startTrial && _incumbent is null)
        {
            (_incumbent, _incumbentScore) = (proposal.Point, score);
            return;
        }
        if (score > _incumbentScore)
        {
            (_incumbent, _incumbentScore) = (proposal.Point, score);
            _failures = 0;
            _tryMinus = false;
            return;
        }
        if (proposal.Move == Move.External) return;
        _failures++;
        if (proposal.Move == Move.Plus && report.Trial == _plusTrial) _tryMinus = true;
        if (_failures >= _dims)
        {
            _step /= 2;
            _failures = 0;
            if (_step < _minStep) Restart();
        }
    }

    private void Restart()
    {
        Restarts++;
        var point = new double[_dims];
        double[] low = _space.ToUnit(_space.LowCost());
        for (int i = 0; i < point.Length && i < _space.Dimensions; i++)
            point[i] = _space.Parameters[i].LowCost is not null ? low[i] : _random.NextDouble();
        _start = point;
        _startProposed = false;
        _incumbent = null;
        _incumbentScore = double.NegativeInfinity;
        _step = _initialStep;
        _tryMinus = false;
        _direction = null;
        _failures = 0;
    }

    private double[] RandomDirection()
    {
        var u = new double[_dims];
        double norm = 0;
        while (norm < 1e-12)
        {
            norm = 0;
            for (int i = 0; i < u.Length; i++)
            {
                // Box–Muller: a Gaussian vector normalised is uniform on the sphere.
                double a = 1.0 - _random.NextDouble(), b = _random.NextDouble();
                u[i] = Math.Sqrt(-2 * Math.Log(a)) * Math.Cos(2 * Math.PI * b);
                norm += u[i] * u[i];
            }
        }
        norm = Math.Sqrt(norm);
        for (int i = 0; i < u.Length; i++) u[i] /= norm;
        return u;
    }
}
