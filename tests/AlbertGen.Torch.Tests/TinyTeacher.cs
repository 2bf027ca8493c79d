using System.Globalization;
using System.Text;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Torch;
using static TorchSharp.torch;

namespace AlbertGen.Tests;

/// <summary>
/// A small random BERT-shaped teacher (an ALBERT with embedding_size = hidden_size, one group per layer), made in the
/// test: HF init, then LayerNorm weights/biases, biases and the embedding mapping perturbed so that folding them into
/// the student is exercised; the pipeline-mlm fixture's spiece.model (1000 pieces) as its tokenizer, and
/// sentence-transformers files beside it. Plus a small synthetic corpus.
/// </summary>
public static class TinyTeacher
{
    public const int Hidden = 32, Layers = 4, Vocab = 1000;

    public static string Make(string dir, long seed = 7, int layers = Layers)
    {
        var config = AlbertConfig.Parse($$"""
            {"architectures": ["AlbertModel"], "model_type": "albert", "vocab_size": {{Vocab}}, "embedding_size": {{Hidden}},
             "hidden_size": {{Hidden}}, "num_hidden_layers": {{layers}}, "num_hidden_groups": {{layers}}, "inner_group_num": 1,
             "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
             "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 64, "type_vocab_size": 2,
             "initializer_range": 0.2, "layer_norm_eps": 1e-12, "pad_token_id": 0}
            """);
        using var backend = TorchAlbertBackend.Create(config, AlbertHead.Base, seed, "cpu");
        using var gen = new Generator((ulong)seed + 1);
        using (no_grad())
        {
            foreach (var (name, p) in TorchWeights.UniqueParameters(backend.Model))
            {
                using var noise = normal(0.0, 1.0, p.shape, generator: gen);
                if (TorchWeights.IsLayerNorm(name))
                    p.add_(noise * (name.EndsWith(".weight", StringComparison.Ordinal) ? 0.3 : 0.1));
                else if (name.EndsWith("bias", StringComparison.Ordinal))
                    p.add_(noise * 0.05);
                else if (name.Contains("embedding_hidden_mapping_in", StringComparison.Ordinal))
                    p.copy_(eye(Hidden) + noise * 0.05); // near the identity a converted BERT has
            }
        }
        backend.SavePretrained(dir);
        File.Copy(Path.Combine(Fixtures.Dir("pipeline-mlm"), "spiece.model"), Path.Combine(dir, "spiece.model"));
        File.WriteAllText(Path.Combine(dir, "modules.json"), """[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]""");
        Directory.CreateDirectory(Path.Combine(dir, "1_Pooling"));
        File.WriteAllText(Path.Combine(dir, "1_Pooling", "config.json"), $$"""{"word_embedding_dimension": {{Hidden}}, "pooling_mode_mean_tokens": true}""");
        return dir;
    }

    static readonly string[] Words =
        ["the", "sea", "was", "calm", "and", "night", "dark", "a", "ship", "sailed", "over", "quiet", "water", "when", "old",
         "captain", "looked", "at", "stars", "they", "were", "bright", "cold", "wind", "came", "from", "north", "she", "said",
         "nothing", "but", "smiled", "house", "on", "hill", "stood", "empty", "for", "many", "years"];

    /// <summary>A text file of <paramref name="sentences"/> synthetic sentences (4 per line), deterministic in the seed.</summary>
    public static string Corpus(string path, int sentences = 400, int seed = 3)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        for (int i = 0; i < sentences; i++)
        {
            int n = 4 + rng.Next(10);
            var words = Enumerable.Range(0, n).Select(_ => Words[rng.Next(Words.Length)]).ToArray();
            words[0] = char.ToUpper(words[0][0], CultureInfo.InvariantCulture) + words[0][1..];
            sb.Append(string.Join(' ', words)).Append(". ");
            if (i % 4 == 3) sb.Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
