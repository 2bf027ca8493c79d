using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// HF <c>AlbertEmbeddings</c>: word + position + token-type rows, then LayerNorm at embedding size; row chunks per task.
/// Positions are t mod seq in a padded batch, or given per token (a packed batch: each sequence starts at 0).
/// </summary>
internal sealed unsafe class EmbeddingJob : IParallelJob
{
    ReadOnlyMemory<float> _word, _position, _tokenType;
    PinnedVector _lnWeight, _lnBias;
    float _eps;
    int[] _ids = [];
    int[]? _types, _positions;
    int _seq, _e, _tokens, _chunk;
    float* _dst;

    public void Run(ParallelRunner runner, ReadOnlyMemory<float> word, ReadOnlyMemory<float> position, ReadOnlyMemory<float> tokenType,
        PinnedVector lnWeight, PinnedVector lnBias, float eps, int[] ids, int[]? types, int[]? positions, int seq, int e, float* dst)
    {
        _word = word; _position = position; _tokenType = tokenType; _lnWeight = lnWeight; _lnBias = lnBias; _eps = eps;
        _ids = ids; _types = types; _positions = positions; _seq = seq; _e = e; _tokens = ids.Length; _dst = dst;
        int tasks = _tokens < 64 ? 1 : Math.Min(_tokens, 4 * runner.Threads);
        _chunk = (_tokens + tasks - 1) / tasks;
        runner.For((_tokens + _chunk - 1) / _chunk, this);
    }

    public void Execute(int index, int worker)
    {
        int t0 = index * _chunk, t1 = Math.Min(_tokens, t0 + _chunk);
        var word = _word.Span;
        var pos = _position.Span;
        var type = _tokenType.Span;
        int e = _e;
        for (int t = t0; t < t1; t++)
        {
            var row = new Span<float>(_dst + (long)t * e, e);
            // HF: inputs_embeds + token_type_embeddings, then + position_embeddings
            System.Numerics.Tensors.TensorPrimitives.Add(word.Slice(_ids[t] * e, e), type.Slice((_types is null ? 0 : _types[t]) * e, e), row);
            int position = _positions is null ? t % _seq : _positions[t];
            System.Numerics.Tensors.TensorPrimitives.Add(row, pos.Slice(position * e, e), row);
            NormKernels.LayerNorm(row, row, _lnWeight.Span, _lnBias.Span, _eps);
        }
    }
}
