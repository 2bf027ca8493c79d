using AlbertGen.SafeTensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Training;

/// <summary>Which optimiser <c>pretrain --optimizer</c> runs.</summary>
public enum OptimizerKind { Lamb, AdamW, Sgd }

/// <summary>Hyper-parameters; the defaults are ALBERT's (google-research/albert optimization.py).</summary>
public sealed record AlbertOptimizerOptions
{
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-6;
    public double WeightDecay { get; init; } = 0.01;
}

/// <summary>
/// An optimiser over named parameters (HF names, each tensor once — see <see cref="TorchWeights.UniqueParameters"/>).
/// Names decide ALBERT's exclusions: parameters whose name contains <c>LayerNorm</c>, <c>layer_norm</c> or <c>bias</c>
/// get no weight decay (and, for LAMB, no trust ratio) — ALBERT's <c>exclude_from_weight_decay</c> list, searched in the name.
/// State (moments, step count) can be saved and restored for resuming.
/// </summary>
public abstract class AlbertOptimizer : IDisposable
{
    protected AlbertOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        Parameters = parameters.ToList();
        var dup = Parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new ArgumentException($"parameter '{dup.Key}' is given twice");
    }

    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    /// <summary>Steps taken so far.</summary>
    public long StepCount { get; protected set; }

    /// <summary>ALBERT's <c>exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"]</c> (also the layer-adaptation exclusions).</summary>
    public static bool IsExcludedFromDecay(string name) =>
        name.Contains("LayerNorm", StringComparison.Ordinal) || name.Contains("layer_norm", StringComparison.Ordinal)
        || name.Contains("bias", StringComparison.Ordinal);

    /// <summary>Applies one update with learning rate <paramref name="lr"/> from the parameters' current gradients (a parameter without one is skipped).</summary>
    public void Step(double lr)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        StepCount++;
        foreach (var (name, p) in Parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            Update(name, p, g, lr);
        }
    }

    protected abstract void Update(string name, Parameter p, Tensor grad, double lr);

    public void ZeroGrad()
    {
        foreach (var (_, p) in Parameters)
        {
            var g = p.grad;
            if (g is not null)
            {
                using var noGrad = no_grad();
                g.zero_();
            }
        }
    }

    /// <summary>Named state tensors (host copies), for a checkpoint.</summary>
    public virtual IEnumerable<(string Name, Tensor State)> State() => [];

    /// <summary>Restores state written by <see cref="SaveState"/>.</summary>
    protected virtual void LoadStateTensor(string name, Tensor value) { }

    public void SaveState(string path)
    {
        var tensors = new List<SafeTensorsWriter.Tensor>();
        foreach (var (name, t) in State())
        {
            var host = TorchAlbertOutput.ToHost(t)!;
            tensors.Add(new(name, host.Shape, host.Data));
        }
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string>
        {
            ["optimizer"] = GetType().Name,
            ["step"] = StepCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public void LoadState(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        if (file.Metadata.TryGetValue("optimizer", out var kind) && kind != GetType().Name)
            throw new InvalidDataException($"{path}: optimizer state of {kind}, this run uses {GetType().Name}");
        StepCount = file.Metadata.TryGetValue("step", out var s) ? long.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0;
        foreach (var e in file.Tensors)
        {
            using var t = tensor(file.ReadFloat32Array(e.Name), Array.ConvertAll(e.Shape, x => (long)x));
            LoadStateTensor(e.Name, t);
        }
    }

    public static AlbertOptimizer Create(OptimizerKind kind, IEnumerable<(string Name, Parameter Parameter)> parameters, AlbertOptimizerOptions? options = null) => kind switch
    {
        OptimizerKind.Lamb => new LambOptimizer(parameters, options ?? new()),
        OptimizerKind.AdamW => new AdamWOptimizer(parameters, options ?? new()),
        OptimizerKind.Sgd => new SgdOptimizer(parameters),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static OptimizerKind ParseKind(string name) => name.ToLowerInvariant() switch
    {
        "lamb" => OptimizerKind.Lamb,
        "adamw" => OptimizerKind.AdamW,
        "sgd" => OptimizerKind.Sgd,
        _ => throw new ArgumentException($"unknown optimizer '{name}' (known: lamb, adamw, sgd)"),
    };

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>First and second moments per parameter, shared by LAMB and AdamW.</summary>
public abstract class MomentOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, AlbertOptimizerOptions options) : AlbertOptimizer(parameters)
{
    readonly Dictionary<string, (Tensor M, Tensor V)> _moments = new(StringComparer.Ordinal);

    public AlbertOptimizerOptions Options { get; } = options;

    protected (Tensor M, Tensor V) Moments(string name, Parameter p)
    {
        if (!_moments.TryGetValue(name, out var mv))
        {
            mv = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
            _moments[name] = mv;
        }
        return mv;
    }

    /// <summary>m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g².</summary>
    protected (Tensor M, Tensor V) UpdateMoments(string name, Parameter p, Tensor g)
    {
        var (m, v) = Moments(name, p);
        m.mul_(Options.Beta1).add_(g, alpha: 1 - Options.Beta1);
        v.mul_(Options.Beta2).addcmul_(g, g, value: 1 - Options.Beta2);
        return (m, v);
    }

    public override IEnumerable<(string Name, Tensor State)> State()
    {
        foreach (var (name, (m, v)) in _moments)
        {
            yield return ("m." + name, m);
            yield return ("v." + name, v);
        }
    }

    protected override void LoadStateTensor(string name, Tensor value)
    {
        bool isM = name.StartsWith("m.", StringComparison.Ordinal);
        if (!isM && !name.StartsWith("v.", StringComparison.Ordinal))
            throw new InvalidDataException($"unexpected optimizer state tensor '{name}'");
        string param = name[2..];
        var p = Parameters.FirstOrDefault(x => x.Name == param).Parameter
            ?? throw new InvalidDataException($"optimizer state for unknown parameter '{param}'");
        var (m, v) = Moments(param, p);
        using var noGrad = no_grad();
        (isM ? m : v).copy_(value);
    }

    public override void Dispose()
    {
        foreach (var (m, v) in _moments.Values)
        {
            m.Dispose();
            v.Dispose();
        }
        _moments.Clear();
        base.Dispose();
    }
}

/// <summary>
/// LAMB as ALBERT trains with it (google-research/albert lamb_optimizer.py): Adam moments without bias correction,
/// update = m / (√v + ε) (+ wd·w where decayed), trust ratio ‖w‖ / ‖update‖ (1 when either norm is 0, or for
/// excluded parameters), w ← w − ratio·lr·update.
/// </summary>
public sealed class LambOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, AlbertOptimizerOptions options) : MomentOptimizer(parameters, options)
{
    protected override void Update(string name, Parameter p, Tensor g, double lr)
    {
        var (m, v) = UpdateMoments(name, p, g);
        var update = m / (v.sqrt() + Options.Epsilon);
        bool excluded = IsExcludedFromDecay(name);
        if (!excluded && Options.WeightDecay != 0)
            update = update + Options.WeightDecay * p;
        double ratio = 1.0;
        if (!excluded)
        {
            double w = p.norm().item<float>(), u = update.norm().item<float>();
            ratio = w > 0 && u > 0 ? w / u : 1.0;
        }
        p.add_(update, alpha: -(ratio * lr));
    }
}

/// <summary>AdamW (torch.optim.AdamW semantics: bias-corrected moments, decoupled decay w ← w·(1 − lr·wd)); no decay for LayerNorm and bias parameters.</summary>
public sealed class AdamWOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, AlbertOptimizerOptions options) : MomentOptimizer(parameters, options)
{
    protected override void Update(string name, Parameter p, Tensor g, double lr)
    {
        if (!IsExcludedFromDecay(name) && Options.WeightDecay != 0)
            p.mul_(1 - lr * Options.WeightDecay);
        var (m, v) = UpdateMoments(name, p, g);
        double c1 = 1 - Math.Pow(Options.Beta1, StepCount), c2 = 1 - Math.Pow(Options.Beta2, StepCount);
        var denom = (v / c2).sqrt() + Options.Epsilon;
        p.add_((m / c1) / denom, alpha: -lr);
    }
}

/// <summary>Plain SGD: w ← w − lr·g (no momentum, no decay).</summary>
public sealed class SgdOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters) : AlbertOptimizer(parameters)
{
    protected override void Update(string name, Parameter p, Tensor g, double lr) => p.add_(g, alpha: -lr);
}

/// <summary>Global-norm gradient clipping (TF's <c>clip_by_global_norm</c>, as ALBERT: g ← g · max_norm / max(‖g‖, max_norm)).</summary>
public static class GradientClipping
{
    /// <summary>Returns the global norm before clipping; <paramref name="maxNorm"/> ≤ 0 disables clipping.</summary>
    public static double ClipByGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        double sq = 0;
        foreach (var g in grads)
            sq += g.to_type(ScalarType.Float64).square().sum().item<double>();
        double norm = Math.Sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm)
        {
            double scale = maxNorm / norm;
            foreach (var g in grads) g.mul_(scale);
        }
        return norm;
    }
}

/// <summary>
/// Linear warmup then linear decay to 0 (HF <c>get_linear_schedule_with_warmup</c>): lr·s/warmup for s &lt; warmup,
/// then lr·(total − s)/(total − warmup). With warmup 0 the full rate applies at step 0.
/// </summary>
public sealed record LinearSchedule(double BaseLearningRate, int WarmupSteps, int TotalSteps)
{
    public double At(long step)
    {
        if (step < WarmupSteps)
            return BaseLearningRate * step / Math.Max(1, WarmupSteps);
        return BaseLearningRate * Math.Max(0.0, (double)(TotalSteps - step) / Math.Max(1, TotalSteps - WarmupSteps));
    }
}
