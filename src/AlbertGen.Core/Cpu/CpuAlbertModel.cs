using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Embedded;
using AlbertGen.Kernels;
using AlbertGen.Model;
using AlbertGen.Rules;

namespace AlbertGen.Cpu;

/// <summary>
/// The SIMD CPU engine: HF <c>AlbertModel</c> and the <c>AlbertFor*</c> heads in eval mode, in managed code.
/// <para>
/// Load memory-maps the checkpoint, checks every tensor against the config, and packs each shared layer's
/// matrices once into GEMM panels (one copy per group layer, however many layers share it). Forward runs, in
/// dataflow order: embeddings → <c>embedding_hidden_mapping_in</c> → num_hidden_layers × (the group layer of
/// <c>int(i / (num_hidden_layers / num_hidden_groups))</c>, inner_group_num sub-layers each) → pooler → head → loss.
/// </para>
/// <para>
/// Two layouts: <see cref="Forward"/> takes a padded batch (rows × seq, HF's outputs at every position, losses), and
/// <see cref="ForwardPacked"/> sequences packed without padding (D33): the same numbers at the real positions, with
/// no work spent on padding. The task pipelines use the packed one.
/// </para>
/// <para>
/// Thread safety: the weights are immutable; forwards are serialised on one lock because they share the
/// workspace and the worker pool (which already use every core).
/// </para>
/// </summary>
public sealed unsafe class CpuAlbertModel : IAlbertBackend
{
    readonly IDisposable _weights; // the checkpoint (mapped) or the packed model image the weights live in
    readonly ParallelRunner _runner;
    readonly CpuWorkspace _workspace;
    readonly object _gate = new();
    readonly GemmJob _gemm = new();
    readonly QuantizedGemmJob _int8Gemm = new();
    readonly LayerNormJob _layerNorm = new();
    readonly AttentionJob _attention = new();
    readonly EmbeddingJob _embedding = new();

    // embeddings (mapped, not copied)
    readonly ReadOnlyMemory<float> _wordEmbeddings;      // (V, E)
    readonly ReadOnlyMemory<float> _positionEmbeddings;  // (P, E)
    readonly ReadOnlyMemory<float> _tokenTypeEmbeddings; // (T, E)
    readonly PinnedVector _embeddingLayerNormWeight, _embeddingLayerNormBias; // (E)
    readonly PackedMatrix _mappingIn;                    // encoder.embedding_hidden_mapping_in  (H, E)
    readonly PinnedVector _mappingInBias;                // (H)
    readonly bool _mappingInIsIdentity;                  // E = H, weight I, bias 0 (a converted BERT, D31): skipped (D38)
    readonly CpuLayerWeights[][] _groups;                // [num_hidden_groups][inner_group_num]
    readonly LinearWeight? _pooler;                      // pooler  (H, H)
    readonly PinnedVector _poolerBias;
    // heads
    readonly PackedMatrix? _predictionsDense;            // predictions.dense  (E, H)
    readonly PinnedVector _predictionsDenseBias, _predictionsLayerNormWeight, _predictionsLayerNormBias;
    readonly PackedMatrix? _decoder;                     // predictions.decoder (tied to word embeddings)  (V, E)
    readonly PinnedVector _predictionsBias;              // predictions.bias  (V)
    readonly LinearWeight? _classifier;                  // sop_classifier.classifier | classifier | qa_outputs  (L, H)
    readonly PinnedVector _classifierBias;
    bool _disposed;

    CpuAlbertModel(AlbertConfig config, AlbertHead head, AlbertCheckpoint ckpt, int threads)
    {
        KernelWarmup.Start(config, threads); // the forward's kernels compile on an idle core while the weights are packed (D43)
        Config = config;
        Head = head;
        _weights = ckpt;
        int e = config.EmbeddingSize, h = config.HiddenSize, f = config.IntermediateSize, v = config.VocabSize;
        const string b = AlbertWeightNames.BasePrefix;
        _wordEmbeddings = ckpt.Get(b + "embeddings.word_embeddings.weight");
        _positionEmbeddings = ckpt.Get(b + "embeddings.position_embeddings.weight");
        _tokenTypeEmbeddings = ckpt.Get(b + "embeddings.token_type_embeddings.weight");
        _embeddingLayerNormWeight = Pinned(ckpt, b + "embeddings.LayerNorm.weight");
        _embeddingLayerNormBias = Pinned(ckpt, b + "embeddings.LayerNorm.bias");
        var mappingIn = ckpt.Get(b + "encoder.embedding_hidden_mapping_in.weight").Span;
        _mappingIn = PackedMatrix.FromLinearWeight(mappingIn, h, e);
        _mappingInBias = Pinned(ckpt, b + "encoder.embedding_hidden_mapping_in.bias");
        _mappingInIsIdentity = e == h && IsIdentity(mappingIn, h) && !_mappingInBias.Span.ContainsAnyExcept(0f);
        _groups = new CpuLayerWeights[config.NumHiddenGroups][];
        for (int g = 0; g < _groups.Length; g++)
        {
            _groups[g] = new CpuLayerWeights[config.InnerGroupNum];
            for (int j = 0; j < config.InnerGroupNum; j++)
            {
                _groups[g][j] = CpuLayerWeights.Load(ckpt, g, j, h, f);
                EvictPrefix(ckpt, AlbertWeightNames.LayerPrefix(g, j)); // packed: drop the mapped copy at once (peak RSS)
            }
        }
        if (ckpt.HasPooler)
        {
            _pooler = LinearWeight.Load(ckpt, b + "pooler.weight", h, h);
            _poolerBias = Pinned(ckpt, b + "pooler.bias");
        }
        if (head.Rule().HasPredictions)
        {
            _predictionsDense = PackedMatrix.FromLinearWeight(ckpt.Get("predictions.dense.weight").Span, e, h);
            _predictionsDenseBias = Pinned(ckpt, "predictions.dense.bias");
            _predictionsLayerNormWeight = Pinned(ckpt, "predictions.LayerNorm.weight");
            _predictionsLayerNormBias = Pinned(ckpt, "predictions.LayerNorm.bias");
            _decoder = PackedMatrix.FromLinearWeight(ckpt.Get("predictions.decoder.weight").Span, v, e);
            _predictionsBias = Pinned(ckpt, "predictions.bias");
        }
        var rule = head.Rule();
        if (rule.Classifier is { } classifier)
        {
            int outputs = rule.ClassifierOutputs == Dim.Labels ? config.NumLabels : 1;
            _classifier = LinearWeight.Load(ckpt, classifier + ".weight", outputs, h);
            _classifierBias = Pinned(ckpt, classifier + ".bias");
        }
        // everything but the embeddings was copied (packed) above: keep one resident copy, not two
        EvictPrefix(ckpt, "", except: b + "embeddings.");
        _runner = new ParallelRunner(threads);
        _workspace = new CpuWorkspace(config, threads);
        MaxTokens = TokenBudget(config, head);
    }

    /// <summary>Whether the (n × n) row-major matrix is exactly the identity.</summary>
    static bool IsIdentity(ReadOnlySpan<float> w, int n)
    {
        for (int r = 0; r < n; r++)
        {
            var row = w.Slice(r * n, n);
            if (row[r] != 1f || row[..r].ContainsAnyExcept(0f) || row[(r + 1)..].ContainsAnyExcept(0f)) return false;
        }
        return true;
    }

    /// <summary>Whether a square packed matrix (<see cref="PackedMatrix"/> panels) is exactly the identity.</summary>
    static bool IsIdentity(PackedMatrix m)
    {
        if (m.N != m.K) return false;
        var data = m.Data;
        for (int p = 0; p < m.Panels; p++)
            for (int kk = 0; kk < m.K; kk++)
                for (int j = 0; j < Gemm.NR; j++)
                {
                    int col = p * Gemm.NR + j;
                    float expected = col < m.N && col == kk ? 1f : 0f;
                    if (data[(p * m.K + kk) * Gemm.NR + j] != expected) return false;
                }
        return true;
    }

    static PinnedVector Pinned(AlbertCheckpoint ckpt, string name) => PinnedVector.Of(ckpt.GetPinnedCopy(name));

    /// <summary>The engine in place over a packed model image (D37): the sections <see cref="Export"/> wrote, nothing copied.</summary>
    CpuAlbertModel(AlbertConfig config, PackedModelImage image, int threads)
    {
        KernelWarmup.Start(config, threads);
        Config = config;
        Head = image.Head;
        _weights = image;
        int e = config.EmbeddingSize, h = config.HiddenSize, f = config.IntermediateSize, v = config.VocabSize;
        const string b = AlbertWeightNames.BasePrefix;
        _wordEmbeddings = image.Tensor(b + "embeddings.word_embeddings.weight", v, e);
        _positionEmbeddings = image.Tensor(b + "embeddings.position_embeddings.weight", config.MaxPositionEmbeddings, e);
        _tokenTypeEmbeddings = image.Tensor(b + "embeddings.token_type_embeddings.weight", config.TypeVocabSize, e);
        _embeddingLayerNormWeight = image.Vector(b + "embeddings.LayerNorm.weight", e);
        _embeddingLayerNormBias = image.Vector(b + "embeddings.LayerNorm.bias", e);
        _mappingIn = image.Matrix(b + "encoder.embedding_hidden_mapping_in.weight", h, e);
        _mappingInBias = image.Vector(b + "encoder.embedding_hidden_mapping_in.bias", h);
        _mappingInIsIdentity = e == h && IsIdentity(_mappingIn) && !_mappingInBias.Span.ContainsAnyExcept(0f);
        _groups = new CpuLayerWeights[config.NumHiddenGroups][];
        for (int g = 0; g < _groups.Length; g++)
        {
            _groups[g] = new CpuLayerWeights[config.InnerGroupNum];
            for (int j = 0; j < config.InnerGroupNum; j++)
                _groups[g][j] = CpuLayerWeights.Load(image, g, j, h, f);
        }
        if (image.Has(b + "pooler.weight"))
        {
            _pooler = image.Linear(b + "pooler.weight", h, h);
            _poolerBias = image.Vector(b + "pooler.bias", h);
        }
        else if (Head != AlbertHead.Base && Head.HasPooler())
        {
            throw new PackedModelException($"{image.Source}: section '{b}pooler.weight' is missing ({Head} needs the pooler)");
        }
        var rule = Head.Rule();
        if (rule.HasPredictions)
        {
            _predictionsDense = image.Matrix("predictions.dense.weight", e, h);
            _predictionsDenseBias = image.Vector("predictions.dense.bias", e);
            _predictionsLayerNormWeight = image.Vector("predictions.LayerNorm.weight", e);
            _predictionsLayerNormBias = image.Vector("predictions.LayerNorm.bias", e);
            _decoder = image.Matrix("predictions.decoder.weight", v, e);
            _predictionsBias = image.Vector("predictions.bias", v);
        }
        if (rule.Classifier is { } classifier)
        {
            int outputs = rule.ClassifierOutputs == Dim.Labels ? config.NumLabels : 1;
            _classifier = image.Linear(classifier + ".weight", outputs, h);
            _classifierBias = image.Vector(classifier + ".bias", outputs);
        }
        _runner = new ParallelRunner(threads);
        _workspace = new CpuWorkspace(config, threads);
        MaxTokens = TokenBudget(config, Head);
    }

    /// <summary>Writes the weights as this engine holds them (what the image constructor reads back).</summary>
    internal void Export(PackedModelWriter w)
    {
        var c = Config;
        int e = c.EmbeddingSize;
        const string b = AlbertWeightNames.BasePrefix;
        w.Tensor(b + "embeddings.word_embeddings.weight", _wordEmbeddings.Span, c.VocabSize, e);
        w.Tensor(b + "embeddings.position_embeddings.weight", _positionEmbeddings.Span, c.MaxPositionEmbeddings, e);
        w.Tensor(b + "embeddings.token_type_embeddings.weight", _tokenTypeEmbeddings.Span, c.TypeVocabSize, e);
        w.Vector(b + "embeddings.LayerNorm.weight", _embeddingLayerNormWeight.Span);
        w.Vector(b + "embeddings.LayerNorm.bias", _embeddingLayerNormBias.Span);
        w.Matrix(b + "encoder.embedding_hidden_mapping_in.weight", _mappingIn);
        w.Vector(b + "encoder.embedding_hidden_mapping_in.bias", _mappingInBias.Span);
        for (int g = 0; g < _groups.Length; g++)
            for (int j = 0; j < _groups[g].Length; j++)
                _groups[g][j].Export(w, g, j);
        if (_pooler is not null)
        {
            w.Linear(b + "pooler.weight", _pooler);
            w.Vector(b + "pooler.bias", _poolerBias.Span);
        }
        if (_predictionsDense is not null)
        {
            w.Matrix("predictions.dense.weight", _predictionsDense);
            w.Vector("predictions.dense.bias", _predictionsDenseBias.Span);
            w.Vector("predictions.LayerNorm.weight", _predictionsLayerNormWeight.Span);
            w.Vector("predictions.LayerNorm.bias", _predictionsLayerNormBias.Span);
            w.Matrix("predictions.decoder.weight", _decoder!);
            w.Vector("predictions.bias", _predictionsBias.Span);
        }
        if (_classifier is not null && Head.Rule().Classifier is { } classifier)
        {
            w.Linear(classifier + ".weight", _classifier);
            w.Vector(classifier + ".bias", _classifierBias.Span);
        }
    }

    /// <summary>The most output elements (float32) one forward may return: 2²⁸, 1 GiB (docs/decisions.md D23).</summary>
    public const long MaxOutputElements = 1L << 28;

    /// <summary>
    /// The most tokens (sequences × sequence length) one forward takes for this config and head (D23): every output
    /// (last_hidden_state, pooler_output, logits; prediction logits are tokens × vocab_size) within
    /// <see cref="MaxOutputElements"/>, and every workspace buffer within .NET's array limit. A larger batch is an
    /// <see cref="AlbertInputException"/> naming both numbers; split it.
    /// </summary>
    public long MaxTokens { get; }

    static long TokenBudget(AlbertConfig c, AlbertHead head)
    {
        var rule = head.Rule();
        long h = c.HiddenSize;
        // per token, bounding the per-sequence outputs (pooler, sequence logits) by one per token too
        long outputs = h + (head.HasPooler() ? h + c.NumLabels : 0) + (rule.HasPredictions ? c.VocabSize : 0) + c.NumLabels + 2;
        long widest = Math.Max(Math.Max(3 * h, c.IntermediateSize), c.EmbeddingSize);
        return Math.Min(MaxOutputElements / outputs, Array.MaxLength / widest);
    }

    static void EvictPrefix(AlbertCheckpoint ckpt, string prefix, string? except = null)
    {
        foreach (var spec in ckpt.Specs)
        {
            if (spec.Name.StartsWith(prefix, StringComparison.Ordinal) && (except is null || !spec.Name.StartsWith(except, StringComparison.Ordinal)))
                ckpt.Evict(spec.Name);
        }
    }

    public AlbertConfig Config { get; }
    public AlbertHead Head { get; }
    /// <summary>Threads a forward uses (the caller's included).</summary>
    public int Threads => _runner.Threads;

    /// <summary>
    /// Loads <c>config.json</c> (or <c>albert_config.json</c>) and the weights from a model folder: <c>model.safetensors</c>,
    /// else <c>pytorch_model.bin</c> (<see cref="CheckpointFiles.Find"/>). The head defaults to the config's <c>architectures</c>.
    /// </summary>
    public static CpuAlbertModel Load(string modelDirectory, AlbertHead? head = null, int threads = 0)
    {
        if (!Directory.Exists(modelDirectory))
            throw new DirectoryNotFoundException($"model folder not found: {modelDirectory}");
        var config = AlbertConfig.Load(modelDirectory);
        return Load(config, CheckpointFiles.Find(modelDirectory), head ?? config.DefaultHead, threads);
    }

    /// <summary>Loads weights for <paramref name="config"/> and <paramref name="head"/> from a <c>.safetensors</c> or <c>pytorch_model.bin</c> file (HF names).</summary>
    /// <param name="threads">worker threads including the caller; 0 = one per processor.</param>
    public static CpuAlbertModel Load(AlbertConfig config, string weightsPath, AlbertHead head, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (threads < 0)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be ≥ 0 (0 = one per processor)");
        // before the checkpoint is opened and checked: the warm-up overlaps all of the load (D43)
        KernelWarmup.Start(config, threads == 0 ? Environment.ProcessorCount : threads);
        var ckpt = AlbertCheckpoint.Open(config, weightsPath, head);
        try
        {
            return Load(ckpt, threads);
        }
        catch
        {
            ckpt.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The engine over a packed model image (D37: weights already in the engine's layout, e.g. embedded in the executable
    /// by a build with <c>AlbertGenEmbedWeights="true"</c>), used in place: nothing is copied or re-packed. The image must
    /// have been packed for a config equal to <paramref name="config"/>; on success the model owns the image and disposes
    /// it with itself, on failure the caller still owns it.
    /// </summary>
    /// <exception cref="PackedModelException">The image was packed for another config, or a section is missing or of the wrong size.</exception>
    public static CpuAlbertModel Load(PackedModelImage image, AlbertConfig config, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(config);
        if (threads < 0)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be ≥ 0 (0 = one per processor)");
        image.CheckConfig(config);
        config.ValidateFor(image.Head);
        return new CpuAlbertModel(config, image, threads == 0 ? Environment.ProcessorCount : threads);
    }

    /// <summary>
    /// Builds the engine over an open checkpoint (its config and head). On success the model owns the checkpoint and
    /// disposes it with itself; the checkpoint's tensors stay readable until then (packed ones are evicted from the
    /// resident set and read back from the page cache if touched). On failure the caller still owns it.
    /// </summary>
    public static CpuAlbertModel Load(AlbertCheckpoint checkpoint, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (threads < 0)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be ≥ 0 (0 = one per processor)");
        return new CpuAlbertModel(checkpoint.Config, checkpoint.Head, checkpoint, threads == 0 ? Environment.ProcessorCount : threads);
    }

    public AlbertOutput Forward(AlbertBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        batch.Validate(Config, Head);
        long tokens = (long)batch.Rows * batch.SequenceLength;
        if (tokens > MaxTokens)
            throw new AlbertInputException($"the batch has {batch.Rows} × {batch.SequenceLength} = {tokens} tokens, more than this model's budget of {MaxTokens} tokens per forward (outputs within {MaxOutputElements} float32 elements); split it into smaller batches");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ForwardLocked(batch);
        }
    }

    /// <summary>
    /// The padding-free forward (D33): the sequences' real tokens packed together through embeddings, every GEMM,
    /// LayerNorm and activation (<c>[tokens, H]</c>), attention per sequence over its own tokens. Per-token outputs are
    /// packed (<c>[tokens, …]</c>), per-sequence ones one row per sequence; no losses. Equals <see cref="Forward"/> on
    /// the right-padded batch at every real position (≤ 1e-5 relative); the token budget (<see cref="MaxTokens"/>)
    /// counts the packed tokens.
    /// </summary>
    public AlbertOutput ForwardPacked(AlbertPackedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        batch.Validate(Config, Head);
        if (batch.Tokens > MaxTokens)
            throw new AlbertInputException($"the packed batch has {batch.Tokens} tokens in {batch.Sequences} sequences, more than this model's budget of {MaxTokens} tokens per forward (outputs within {MaxOutputElements} float32 elements); split it into smaller batches");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ForwardPackedLocked(batch);
        }
    }

    AlbertOutput ForwardLocked(AlbertBatch batch)
    {
        int rows = batch.Rows, seq = batch.SequenceLength, tokens = rows * seq;
        var ws = _workspace;
        ws.Ensure(tokens, rows, seq);
        // each row is seq token rows; attention reads keys up to the last attended one, masked ones excluded
        for (int r = 0; r < rows; r++)
        {
            int last = -1;
            for (int p = seq - 1; p >= 0; p--)
            {
                if (batch.AttentionMaskAt(r, p) != 0) { last = p; break; }
            }
            ws.SequenceStart[r] = r * seq;
            ws.QueryCount[r] = seq;
            ws.AnyValid[r] = last >= 0;
            ws.KeyLength[r] = last >= 0 ? last + 1 : seq;
        }
        Encode(rows, batch.InputIds, batch.TokenTypeIds, positions: null, seq, batch.AttentionMask);
        var output = Heads(rows, tokens, [rows, seq], batch.NumChoices);
        AddLosses(output, batch);
        return output;
    }

    AlbertOutput ForwardPackedLocked(AlbertPackedBatch batch)
    {
        int sequences = batch.Sequences, tokens = batch.Tokens;
        var ws = _workspace;
        ws.Ensure(tokens, sequences, batch.MaxLength);
        var positions = ws.Positions;
        for (int s = 0; s < sequences; s++)
        {
            int start = batch.Start(s), length = batch.Length(s);
            ws.SequenceStart[s] = start;
            ws.QueryCount[s] = length;
            ws.KeyLength[s] = length;
            ws.AnyValid[s] = true;
            for (int p = 0; p < length; p++) positions[start + p] = p;
        }
        Encode(sequences, batch.InputIds, batch.TokenTypeIds, positions, seq: 0, mask: null);
        return Heads(sequences, tokens, [tokens], batch.NumChoices);
    }

    /// <summary>
    /// The pooler and the head over the encoder's output in the workspace: <paramref name="sequences"/> sequences whose
    /// first tokens are at <see cref="CpuWorkspace.SequenceStart"/>, <paramref name="tokens"/> token rows laid out as
    /// <paramref name="tokenShape"/> ([rows, seq] padded, [tokens] packed) in the per-token outputs.
    /// </summary>
    AlbertOutput Heads(int sequences, int tokens, int[] tokenShape, int numChoices)
    {
        var c = Config;
        int h = c.HiddenSize;
        var ws = _workspace;
        var output = new AlbertOutput
        {
            LastHiddenState = new FloatTensor([.. tokenShape, h], ws.Hidden.AsSpan(0, tokens * h).ToArray()),
        };
        float* hidden = CpuWorkspace.Ptr(ws.Hidden);
        if (_pooler is not null)
        {
            // pooler: tanh(dense(h[:, 0])), the first token of each sequence
            float* first = CpuWorkspace.Ptr(ws.Context);
            for (int s = 0; s < sequences; s++)
                new ReadOnlySpan<float>(hidden + (long)ws.SequenceStart[s] * h, h).CopyTo(new Span<float>(first + (long)s * h, h));
            var pooled = new float[sequences * h];
            fixed (float* pp = pooled)
                Linear(first, h, sequences, _pooler, pp, h, _poolerBias.Pointer, activation: ActivationKind.Tanh);
            output.PoolerOutput = new FloatTensor([sequences, h], pooled);
        }
        switch (Head)
        {
            case AlbertHead.PreTraining:
                output.PredictionLogits = PredictionScores(tokens, tokenShape);
                output.SopLogits = Classify(output.PoolerOutput!.Data, sequences);
                break;
            case AlbertHead.MaskedLM:
                output.Logits = PredictionScores(tokens, tokenShape);
                break;
            case AlbertHead.SequenceClassification:
                output.Logits = Classify(output.PoolerOutput!.Data, sequences);
                break;
            case AlbertHead.TokenClassification:
                output.Logits = new FloatTensor([.. tokenShape, c.NumLabels], Classify(ws.Hidden, tokens).Data);
                break;
            case AlbertHead.QuestionAnswering:
            {
                var logits = Classify(ws.Hidden, tokens).Data; // (tokens, 2)
                var start = new float[tokens];
                var end = new float[tokens];
                for (int t = 0; t < tokens; t++)
                {
                    start[t] = logits[2 * t];
                    end[t] = logits[2 * t + 1];
                }
                output.StartLogits = new FloatTensor(tokenShape, start);
                output.EndLogits = new FloatTensor((int[])tokenShape.Clone(), end);
                break;
            }
            case AlbertHead.MultipleChoice:
                output.Logits = new FloatTensor([sequences / numChoices, numChoices], Classify(output.PoolerOutput!.Data, sequences).Data);
                break;
        }
        return output;
    }

    /// <summary>HF's losses when the (padded) batch carries labels.</summary>
    void AddLosses(AlbertOutput output, AlbertBatch batch)
    {
        var c = Config;
        int rows = batch.Rows, tokens = rows * batch.SequenceLength;
        bool labels = batch.Labels is not null || batch.FloatLabels is not null;
        switch (Head)
        {
            case AlbertHead.PreTraining when labels && batch.SentenceOrderLabel is not null:
            {
                float mlm = AlbertLosses.CrossEntropy(output.PredictionLogits!.Data, tokens, c.VocabSize, IntLabels(batch, "labels"), "labels");
                float so = AlbertLosses.CrossEntropy(output.SopLogits!.Data, rows, c.NumLabels, batch.SentenceOrderLabel, "sentence_order_label");
                output.MlmLoss = FloatTensor.Scalar(mlm);
                output.SopLoss = FloatTensor.Scalar(so);
                output.Loss = FloatTensor.Scalar(mlm + so);
                break;
            }
            case AlbertHead.MaskedLM when labels:
                output.Loss = FloatTensor.Scalar(AlbertLosses.CrossEntropy(output.Logits!.Data, tokens, c.VocabSize, IntLabels(batch, "labels"), "labels"));
                break;
            case AlbertHead.SequenceClassification when labels:
                output.Loss = FloatTensor.Scalar(SequenceClassificationLoss(output.Logits!, batch));
                break;
            case AlbertHead.TokenClassification when labels:
                output.Loss = FloatTensor.Scalar(AlbertLosses.CrossEntropy(output.Logits!.Data, tokens, c.NumLabels, IntLabels(batch, "labels"), "labels"));
                break;
            case AlbertHead.QuestionAnswering when batch.StartPositions is not null && batch.EndPositions is not null:
                output.Loss = FloatTensor.Scalar(AlbertLosses.QuestionAnswering(output.StartLogits!.Data, output.EndLogits!.Data, rows, batch.SequenceLength,
                    batch.StartPositions, batch.EndPositions));
                break;
            case AlbertHead.MultipleChoice when labels:
                output.Loss = FloatTensor.Scalar(AlbertLosses.CrossEntropy(output.Logits!.Data, batch.BatchSize, batch.NumChoices, IntLabels(batch, "labels"), "labels"));
                break;
        }
    }

    /// <summary>
    /// Embeddings and the shared-layer encoder over the token rows the workspace's per-sequence arrays describe; leaves
    /// last_hidden_state in the workspace's Hidden buffer. Every GEMM, LayerNorm and activation runs over all token rows
    /// at once; attention runs per (sequence, head).
    /// </summary>
    /// <param name="positions">position id per token (packed), or null for t mod <paramref name="seq"/> (padded).</param>
    /// <param name="mask">a padded batch's attention_mask (null: all ones, and always null when packed).</param>
    void Encode(int sequences, int[] inputIds, int[]? tokenTypeIds, int[]? positions, int seq, int[]? mask)
    {
        var c = Config;
        var ws = _workspace;
        int tokens = inputIds.Length;
        int e = c.EmbeddingSize, h = c.HiddenSize, f = c.IntermediateSize;
        float eps = c.LayerNormEps;

        float* emb = CpuWorkspace.Ptr(ws.Embeddings);
        float* x = CpuWorkspace.Ptr(ws.Hidden);
        float* qkv = CpuWorkspace.Ptr(ws.Qkv);
        float* ctx = CpuWorkspace.Ptr(ws.Context);
        float* sum = CpuWorkspace.Ptr(ws.Sum);
        float* att = CpuWorkspace.Ptr(ws.Attended);
        float* mid = CpuWorkspace.Ptr(ws.Intermediate);

        // a converted BERT's embedding_hidden_mapping_in is the identity (D31): the embeddings are the hidden states (D38)
        _embedding.Run(_runner, _wordEmbeddings, _positionEmbeddings, _tokenTypeEmbeddings, _embeddingLayerNormWeight, _embeddingLayerNormBias,
            eps, inputIds, tokenTypeIds, positions, seq, e, _mappingInIsIdentity ? x : emb);
        if (!_mappingInIsIdentity)
            _gemm.Run(_runner, emb, e, tokens, _mappingIn, x, h, _mappingInBias.Pointer);

        for (int layer = 0; layer < c.NumHiddenLayers; layer++)
        {
            foreach (var w in _groups[c.GroupOfLayer(layer)])
            {
                {
                    float* qkvBias = w.QueryKeyValueBias.Pointer, denseBias = w.DenseBias.Pointer;
                    float* attLnW = w.AttentionLayerNormWeight.Pointer, attLnB = w.AttentionLayerNormBias.Pointer;
                    float* ffnBias = w.FfnBias.Pointer, ffnOutBias = w.FfnOutputBias.Pointer;
                    float* fullLnW = w.FullLayerNormWeight.Pointer, fullLnB = w.FullLayerNormBias.Pointer;
                    // AlbertAttention: LayerNorm(x + dense(softmax(QKᵀ/√d + mask)·V))
                    Linear(x, h, tokens, w.QueryKeyValue, qkv, 3 * h, qkvBias);
                    _attention.Run(_runner, ws, qkv, ctx, sequences, h, c.NumAttentionHeads, mask);
                    Linear(ctx, h, tokens, w.Dense, sum, h, denseBias, residual: x, ldr: h);
                    _layerNorm.Run(_runner, sum, att, tokens, h, attLnW, attLnB, eps);
                    // FFN: full_layer_layer_norm(attended + ffn_output(act(ffn(attended))))
                    Linear(att, h, tokens, w.Ffn, mid, f, ffnBias, activation: c.Activation);
                    Linear(mid, f, tokens, w.FfnOutput, sum, h, ffnOutBias, residual: att, ldr: h);
                    _layerNorm.Run(_runner, sum, x, tokens, h, fullLnW, fullLnB, eps);
                }
            }
        }
    }

    /// <summary>AlbertMLMHead: decoder(LayerNorm(act(dense(h)))) + predictions.bias → (token shape…, vocab).</summary>
    FloatTensor PredictionScores(int tokens, int[] tokenShape)
    {
        var c = Config;
        var ws = _workspace;
        int e = c.EmbeddingSize, h = c.HiddenSize, v = c.VocabSize;
        float* hidden = CpuWorkspace.Ptr(ws.Hidden);
        float* mid = CpuWorkspace.Ptr(ws.Intermediate);
        var logits = new float[(long)tokens * v];
        fixed (float* outp = logits)
        {
            float* db = _predictionsDenseBias.Pointer, lw = _predictionsLayerNormWeight.Pointer;
            float* lb = _predictionsLayerNormBias.Pointer, pb = _predictionsBias.Pointer;
            _gemm.Run(_runner, hidden, h, tokens, _predictionsDense!, mid, e, db, activation: c.Activation);
            _layerNorm.Run(_runner, mid, mid, tokens, e, lw, lb, c.LayerNormEps);
            _gemm.Run(_runner, mid, e, tokens, _decoder!, outp, v, pb);
        }
        return new FloatTensor([.. tokenShape, v], logits);
    }

    /// <summary>The head's classifier (H → outputs) over <paramref name="count"/> rows of <paramref name="input"/>.</summary>
    FloatTensor Classify(float[] input, int count)
    {
        var w = _classifier!;
        var logits = new float[count * w.N];
        fixed (float* a = input)
        fixed (float* o = logits)
            Linear(a, w.K, count, w, o, w.N, _classifierBias.Pointer);
        return new FloatTensor([count, w.N], logits);
    }

    /// <summary>C = act(A · Wᵀ + bias [+ residual]) on the pool: the float32 GEMM or, for an int8 weight, the int8 one.</summary>
    void Linear(float* a, int lda, int m, LinearWeight w, float* c, int ldc, float* bias, float* residual = null, int ldr = 0,
        ActivationKind activation = ActivationKind.Linear)
    {
        if (w.Int8 is { } q) _int8Gemm.Run(_runner, a, lda, m, q, c, ldc, bias, residual, ldr, activation);
        else _gemm.Run(_runner, a, lda, m, w.Float!, c, ldc, bias, residual, ldr, activation);
    }

    float SequenceClassificationLoss(FloatTensor logits, AlbertBatch batch)
    {
        var c = Config;
        int n = batch.Rows, labels = c.NumLabels;
        switch (HeadSelection.SequenceClassificationProblem(c, integerLabels: batch.Labels is not null))
        {
            case ProblemType.Regression:
                return AlbertLosses.MeanSquaredError(logits.Data, FloatLabels(batch), "labels");
            case ProblemType.SingleLabelClassification:
                return AlbertLosses.CrossEntropy(logits.Data, n, labels, IntLabels(batch, "labels"), "labels");
            default:
                return AlbertLosses.BinaryCrossEntropyWithLogits(logits.Data, FloatLabels(batch), "labels");
        }
    }

    static int[] IntLabels(AlbertBatch batch, string name)
    {
        if (batch.Labels is not null) return batch.Labels;
        throw new AlbertInputException($"'{name}' must hold integer class indices for this head (found non-integer values)");
    }

    static float[] FloatLabels(AlbertBatch batch) =>
        batch.FloatLabels ?? Array.ConvertAll(batch.Labels!, x => (float)x);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _runner.Dispose();
            _weights.Dispose();
        }
    }
}
