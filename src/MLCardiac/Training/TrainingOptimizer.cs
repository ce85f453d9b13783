using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) and SGD with Nesterov momentum, written on TorchSharp tensors, with
/// parameter groups that scale a shared learning rate, and a state that saves to and loads from a stream.
/// </summary>
/// <remarks>
/// Why not TorchSharp's own optimisers: in TorchSharp 0.107 their update steps pass doubles where libtorch wants
/// a <c>Scalar</c>; the implicit conversions create Scalar objects that nothing keeps alive, so the garbage
/// collector may finalise (free) one while libtorch is still reading it. Under allocation pressure that surfaced
/// as an intermittent "toFloat: Expected false to be true" error in training (dotnet/TorchSharp #1434, #1496).
/// Here every Scalar is created explicitly and disposed after the call that uses it, which keeps it alive.
/// The update rules are PyTorch's (torch.optim.AdamW with amsgrad off; torch.optim.SGD with nesterov).
/// </remarks>
public sealed class TrainingOptimizer : IDisposable
{
    private readonly OptimizerKind _kind;
    private readonly List<(Parameter[] Parameters, double Multiplier)> _groups;
    private readonly Dictionary<Parameter, (Tensor First, Tensor? Second)> _state = new(ReferenceEqualityComparer.Instance);
    private readonly double _weightDecay, _beta1, _beta2, _eps, _momentum;
    private long _step;

    /// <summary>Creates an optimiser over <paramref name="groups"/> (parameters and their learning-rate multiplier).</summary>
    public TrainingOptimizer(OptimizerKind kind, IEnumerable<(IEnumerable<Parameter> Parameters, double Multiplier)> groups, double learningRate,
        double weightDecay = 0, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double momentum = 0.99)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _kind = kind;
        _groups = groups.Select(g => (g.Parameters.ToArray(), g.Multiplier)).ToList();
        LearningRate = learningRate;
        (_weightDecay, _beta1, _beta2, _eps, _momentum) = (weightDecay, beta1, beta2, eps, momentum);
    }

    /// <summary>Creates an optimiser over one group of parameters.</summary>
    public TrainingOptimizer(OptimizerKind kind, IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0)
        : this(kind, [(parameters, 1.0)], learningRate, weightDecay)
    {
    }

    /// <summary>The base learning rate; each group uses it times its multiplier.</summary>
    public double LearningRate { get; set; }

    /// <summary>Steps skipped because a gradient was not finite (see <see cref="Step"/>).</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (parameters, _) in _groups)
            foreach (Parameter p in parameters)
                p.grad?.zero_();
    }

    /// <summary>Applies one update with the current gradients; skips it (counting <see cref="SkippedSteps"/>) when any gradient is not finite.</summary>
    public void Step()
    {
        using var noGrad = torch.no_grad();
        // A step whose gradients are not all finite (an overflow or a NaN somewhere in the batch) is skipped, as PyTorch's
        // GradScaler does, rather than written into every weight and moment: one bad batch would otherwise end the training.
        using (var check = torch.NewDisposeScope())
        {
            Tensor? finite = null;
            foreach (var (parameters, _) in _groups)
                foreach (Parameter p in parameters)
                    if (p.grad is Tensor g) finite = finite is null ? g.isfinite().all() : finite.logical_and(g.isfinite().all());
            if (finite is not null && !finite.item<bool>())
            {
                SkippedSteps++;
                return;
            }
        }
        _step++;
        foreach (var (parameters, multiplier) in _groups)
        {
            double lr = LearningRate * multiplier;
            foreach (Parameter p in parameters)
            {
                Tensor? grad = p.grad;
                if (grad is null) continue;
                using var scope = torch.NewDisposeScope();
                if (_kind == OptimizerKind.AdamW) AdamW(p, grad, lr);
                else Sgd(p, grad, lr);
            }
        }
    }

    private void AdamW(Parameter p, Tensor grad, double lr)
    {
        if (!_state.TryGetValue(p, out var s))
            _state[p] = s = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
        double bias1 = 1 - Math.Pow(_beta1, _step), bias2 = 1 - Math.Pow(_beta2, _step);
        using Scalar decay = (1 - lr * _weightDecay).ToScalar(), beta1 = _beta1.ToScalar(), oneMinusBeta1 = (1 - _beta1).ToScalar(),
            beta2 = _beta2.ToScalar(), oneMinusBeta2 = (1 - _beta2).ToScalar(), sqrtBias2 = Math.Sqrt(bias2).ToScalar(),
            eps = _eps.ToScalar(), stepSize = (-lr / bias1).ToScalar();
        p.mul_(decay);
        s.First.mul_(beta1).add_(grad, oneMinusBeta1);
        s.Second!.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
        Tensor denominator = s.Second.sqrt().div_(sqrtBias2).add_(eps);
        p.addcdiv_(s.First, denominator, stepSize);
    }

    private void Sgd(Parameter p, Tensor grad, double lr)
    {
        using Scalar decay = _weightDecay.ToScalar(), momentum = _momentum.ToScalar(), one = 1.0.ToScalar(), minusLr = (-lr).ToScalar();
        Tensor g = _weightDecay != 0 ? grad.add(p, decay) : grad;
        if (!_state.TryGetValue(p, out var s))
            _state[p] = s = (g.clone().DetachFromDisposeScope(), null);
        else
            s.First.mul_(momentum).add_(g, one);
        Tensor update = g.add(s.First, momentum); // Nesterov: g + momentum·buffer
        p.add_(update, minusLr);
    }

    /// <summary>Writes the step count and every state tensor (for checkpoints).</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_kind.ToString());
        writer.Write(_step);
        foreach (var (parameters, _) in _groups)
        {
            foreach (Parameter p in parameters)
            {
                bool has = _state.TryGetValue(p, out var s);
                writer.Write(has);
                if (!has) continue;
                WriteTensor(writer, s.First);
                writer.Write(s.Second is not null);
                if (s.Second is not null) WriteTensor(writer, s.Second);
            }
        }
    }

    /// <summary>Reads a state written by <see cref="Save"/> for the same parameters; throws <see cref="InvalidDataException"/> when it does not fit.</summary>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string kind = reader.ReadString();
        if (kind != _kind.ToString()) throw new InvalidDataException($"optimiser state of {kind}, not {_kind}");
        _step = reader.ReadInt64();
        foreach (var (parameters, _) in _groups)
        {
            foreach (Parameter p in parameters)
            {
                if (!reader.ReadBoolean()) continue;
                Tensor first = ReadTensor(reader, p);
                Tensor? second = reader.ReadBoolean() ? ReadTensor(reader, p) : null;
                _state[p] = (first, second);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (first, second) in _state.Values)
        {
            first.Dispose();
            second?.Dispose();
        }
        _state.Clear();
    }

    private static void WriteTensor(BinaryWriter writer, Tensor t)
    {
        float[] values = t.detach().cpu().contiguous().data<float>().ToArray();
        writer.Write(values.Length);
        foreach (float v in values) writer.Write(v);
    }

    private static Tensor ReadTensor(BinaryReader reader, Parameter like)
    {
        int n = reader.ReadInt32();
        if (n != like.numel()) throw new InvalidDataException($"optimiser state of {n} values for a parameter of {like.numel()}");
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = reader.ReadSingle();
        return tensor(values, like.shape).to(like.device).DetachFromDisposeScope();
    }
}
