using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Pipelines;

public sealed partial class TextPipelines : IDisposable
{
    bool _ownsBackend;

    /// <summary>
    /// Pipelines over an HF model folder on the CPU engine: its tokenizer (<c>spiece.model</c> or <c>vocab.txt</c>) and
    /// its weights, with the head <paramref name="head"/> (default: <c>architectures</c> in config.json). The pipelines
    /// own the engine: dispose them when done.
    /// </summary>
    public static TextPipelines Open(string modelDirectory, AlbertHead? head = null)
    {
        var tokenizer = AlbertTokenizer.FromModelDirectory(modelDirectory);
        var model = CpuAlbertModel.Load(modelDirectory, head);
        if (tokenizer.VocabSize != model.Config.VocabSize)
        {
            model.Dispose();
            throw new InvalidDataException($"{modelDirectory}: the tokenizer has {tokenizer.VocabSize} pieces but config.json says vocab_size {model.Config.VocabSize}");
        }
        return new TextPipelines(model, tokenizer) { _ownsBackend = true };
    }

    /// <summary>
    /// Pipelines for sentence embeddings over an HF model folder: the bare encoder (<c>AlbertModel</c>) when the checkpoint
    /// has a pooler, otherwise the checkpoint's own head (e.g. <c>AlbertForMaskedLM</c> has none); only
    /// <c>last_hidden_state</c> is used.
    /// </summary>
    public static TextPipelines OpenForEmbeddings(string modelDirectory)
    {
        var config = AlbertConfig.Load(modelDirectory);
        bool hasPooler;
        using (var file = Checkpoints.CheckpointFiles.Open(Checkpoints.CheckpointFiles.Find(modelDirectory)))
            hasPooler = file.Contains(AlbertGen.Model.AlbertWeightNames.BasePrefix + "pooler.weight") || file.Contains("pooler.weight");
        return Open(modelDirectory, hasPooler ? AlbertHead.Base : config.DefaultHead);
    }

    /// <summary>
    /// Pipelines for fill-mask over an HF model folder: its <c>AlbertForPreTraining</c> head when config.json names that
    /// class, else <c>AlbertForMaskedLM</c> (the heads with masked-LM logits).
    /// </summary>
    public static TextPipelines OpenForFillMask(string modelDirectory) =>
        Open(modelDirectory, AlbertConfig.Load(modelDirectory).DefaultHead is AlbertHead.PreTraining ? AlbertHead.PreTraining : AlbertHead.MaskedLM);

    /// <summary>Disposes the backend when these pipelines opened it (<see cref="Open"/>); a backend passed in stays the caller's.</summary>
    public void Dispose()
    {
        if (_ownsBackend && Backend is IDisposable d) d.Dispose();
    }
}
