using System.Text.Json.Nodes;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Torch.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Distillation;

/// <summary>
/// The student's starting point, computed from a BERT-shaped teacher (E = H): ALBERT's two reductions applied to
/// the teacher's own weights, so that the student starts as close to the teacher as the smaller shapes allow.
/// </summary>
/// <remarks>
/// <para><b>Factorised embedding.</b> The teacher normalises x = word + type + position in H space:
/// LN_H(x) = γ ⊙ C·x·√H/‖C·x‖ + β (C removes the mean). Take U (H × r, r = E − 1): the top right singular
/// vectors of the centred word-embedding matrix W·C, and B (E × r): orthonormal columns orthogonal to the all-ones
/// vector of E space. The student's tables are the teacher's projected by A = B·Uᵀ (word V × E, position, type),
/// so their sum A·x has mean 0 in E space and ALBERT's LayerNorm there only rescales it: LN_E(A·x) = A·x·√E/‖Uᵀ·C·x‖
/// (with weight 1, bias 0). The teacher's LayerNorm is then folded into the mapping:
/// embedding_hidden_mapping_in = M_t·diag(γ)·U·Bᵀ·√(H/E), bias M_t·β + b_t (M_t, b_t: the teacher's own mapping,
/// the identity for a converted BERT). Wherever C·x lies in span(U) the student's embedding output equals the
/// teacher's; with E = H, r = H − 1 spans all of C's range, so the full-rank student reproduces the teacher exactly.
/// One dimension of E is spent on keeping the LayerNorm exact (see docs/decisions.md D34).</para>
/// <para><b>Shared groups.</b> Student group g replaces the teacher layers i with int(i / (L / G)) = g (HF's own
/// layer → group rule, so [g·L/G, (g+1)·L/G)); it is initialised from them by <see cref="GroupInit"/>. The pooler is
/// copied when the teacher has one.</para>
/// </remarks>
public static class StudentInit
{
    /// <summary>The student's config: the teacher's with embedding_size E, num_hidden_groups G, architectures AlbertModel.</summary>
    public static AlbertConfig StudentConfig(AlbertConfig teacher, int embeddingSize, int groups)
    {
        CheckSizes(teacher, embeddingSize, groups);
        var json = JsonNode.Parse(teacher.ToJson())!.AsObject();
        json["embedding_size"] = embeddingSize;
        json["num_hidden_groups"] = groups;
        json["inner_group_num"] = 1;
        json["architectures"] = new JsonArray(JsonValue.Create(AlbertHead.Base.HfClassName()));
        return AlbertConfig.Parse(json.ToJsonString(), "student config.json");
    }

    /// <summary>Refuses a student shape the teacher cannot give, naming the option.</summary>
    public static void CheckSizes(AlbertConfig teacher, int embeddingSize, int groups)
    {
        int h = teacher.HiddenSize, l = teacher.NumHiddenLayers;
        if (embeddingSize < 2 || embeddingSize > h)
            throw new ArgumentException($"--embedding-size must be in [2, hidden_size = {h}], found {embeddingSize}");
        if (groups < 1 || groups > l)
            throw new ArgumentException($"--groups must be in [1, num_hidden_layers = {l}], found {groups}");
        if (l % groups != 0)
            throw new ArgumentException($"--groups {groups} does not divide num_hidden_layers = {l}: each group must replace the same number of teacher layers");
    }

    /// <summary>
    /// Writes the initial student weights from the teacher. Returns the share of the centred word embeddings' squared
    /// norm (Σσ²) the kept rank E − 1 holds.
    /// </summary>
    public static double Initialize(AlbertForHead teacher, AlbertForHead student, GroupInit groupInit, bool copyPooler)
    {
        var tc = teacher.Config;
        var sc = student.Config;
        CheckSizes(tc, sc.EmbeddingSize, sc.NumHiddenGroups);
        var t = Parameters(teacher);
        var s = Parameters(student);
        const string P = AlbertWeightNames.BasePrefix;
        int h = tc.HiddenSize, e = sc.EmbeddingSize, r = e - 1;
        double kept;
        using (no_grad())
        using (NewDisposeScope())
        {
            // names under the encoder's prefix; LayerPrefix already carries it
            Tensor Full(string name) => t[name].detach().cpu().to_type(ScalarType.Float64);
            void SetFull(string name, Tensor value) => s[name].copy_(value.to_type(ScalarType.Float32).to(s[name].device));
            Tensor T(string name) => Full(P + name);
            void Set(string name, Tensor value) => SetFull(P + name, value);

            // ---- factorised embedding ----
            var word = T("embeddings.word_embeddings.weight");                              // (V, H)
            var centred = word - word.mean([1], keepdim: true);                             // W·C
            var (_, sv, vh) = linalg.svd(centred, fullMatrices: false);                    // vh (H, H)
            var u = vh[..r].t();                                                            // (H, r)
            var sq = sv.square();
            kept = sq[..r].sum().item<double>() / Math.Max(sq.sum().item<double>(), double.Epsilon);
            var b = OnesComplement(e);                                                      // (E, r)
            var ub = u.matmul(b.t());                                                       // (H, E) = U·Bᵀ = Aᵀ
            foreach (var table in (ReadOnlySpan<string>)["word_embeddings", "position_embeddings", "token_type_embeddings"])
                Set($"embeddings.{table}.weight", T($"embeddings.{table}.weight").matmul(ub));
            s[P + "embeddings.LayerNorm.weight"].fill_(1.0);
            s[P + "embeddings.LayerNorm.bias"].zero_();
            var gamma = T("embeddings.LayerNorm.weight");
            var beta = T("embeddings.LayerNorm.bias");
            var mt = T("encoder.embedding_hidden_mapping_in.weight");                       // (H, H)
            var bt = T("encoder.embedding_hidden_mapping_in.bias");
            Set("encoder.embedding_hidden_mapping_in.weight", mt.matmul(gamma.unsqueeze(1) * ub) * Math.Sqrt((double)h / e));
            Set("encoder.embedding_hidden_mapping_in.bias", mt.matmul(beta) + bt);

            // ---- shared groups ----
            int layers = tc.NumHiddenLayers;
            for (int g = 0; g < sc.NumHiddenGroups; g++)
            {
                var covered = Enumerable.Range(0, layers).Where(i => sc.GroupOfLayer(i) == g).ToArray();
                int[] chosen = groupInit switch
                {
                    GroupInit.First => [covered[0]],
                    GroupInit.Middle => [covered[covered.Length / 2]],
                    GroupInit.Last => [covered[^1]],
                    _ => covered,
                };
                string studentPrefix = AlbertWeightNames.LayerPrefix(g, 0);
                foreach (var name in s.Keys.Where(k => k.StartsWith(studentPrefix, StringComparison.Ordinal)).ToList())
                {
                    string rest = name[studentPrefix.Length..];
                    var sum = chosen.Select(i => Full(AlbertWeightNames.LayerPrefix(tc.GroupOfLayer(i), 0) + rest)).Aggregate((x, y) => x + y);
                    SetFull(name, sum / chosen.Length);
                }
            }
            if (copyPooler && s.ContainsKey(P + "pooler.weight"))
            {
                Set("pooler.weight", T("pooler.weight"));
                Set("pooler.bias", T("pooler.bias"));
            }
        }
        return kept;
    }

    /// <summary>(E, E − 1), orthonormal columns orthogonal to the all-ones vector (the second to last columns of a QR of [1 | I]).</summary>
    static Tensor OnesComplement(int e)
    {
        var m = cat([ones(e, 1, dtype: ScalarType.Float64), eye(e, dtype: ScalarType.Float64)[.., ..(e - 1)]], 1); // (E, E)
        var (q, _) = linalg.qr(m);
        return q[.., 1..];
    }

    static Dictionary<string, Parameter> Parameters(AlbertForHead model) =>
        model.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter, StringComparer.Ordinal);
}
