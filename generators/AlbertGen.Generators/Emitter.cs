using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using AlbertGen.Generators.Model;
using AlbertGen.Rules;
using Microsoft.CodeAnalysis.CSharp;

namespace AlbertGen.Generators;

/// <summary>
/// Writes the typed model class for a <see cref="ModelSpec"/>: shape constants, the layer → group table, the
/// config built from constants, the weight-name lists, a typed weight set over the mapped checkpoint, and typed
/// forwards that delegate to the CPU engine. The engine does the math; this code stays thin and readable.
/// </summary>
internal static class Emitter
{
    private const string Config = "global::AlbertGen.Config";
    private const string ModelNs = "global::AlbertGen.Model";
    private const string AlbertConfig = Config + ".AlbertConfig";
    private const string AlbertHead = Config + ".AlbertHead";
    private const string FloatTensor = ModelNs + ".FloatTensor";
    private const string AlbertBatch = ModelNs + ".AlbertBatch";
    private const string WeightSpec = ModelNs + ".WeightSpec";
    private const string ReadOnlyList = "global::System.Collections.Generic.IReadOnlyList";

    /// <summary>Member names of the generated class; a model class may not be named like one of its members.</summary>
    public static readonly HashSet<string> ReservedMemberNames = new()
    {
        "VocabSize", "EmbeddingSize", "HiddenSize", "NumHiddenLayers", "NumHiddenGroups", "InnerGroupNum",
        "NumAttentionHeads", "HeadSize", "IntermediateSize", "MaxPositionEmbeddings", "TypeVocabSize", "LayerNormEps",
        "HiddenAct", "Activation", "NumLabels", "PadTokenId", "TieWordEmbeddings", "DefaultHead", "Heads", "Id2Label",
        "LayerGroups", "GroupOfLayer", "ModelConfig", "WeightSpecs", "Load", "Config", "Head", "Weights", "WeightSet",
        "Forward", "Dispose", "Encode", "ModelOutput", "ForPreTraining", "PreTrainingOutput", "ForMaskedLM", "MaskedLMOutput",
        "ForSequenceClassification", "SequenceClassificationOutput", "ForTokenClassification", "TokenClassificationOutput",
        "ForQuestionAnswering", "QuestionAnsweringOutput", "ForMultipleChoice", "MultipleChoiceOutput", "SourceName", "WithEncoder",
        "EmbeddedResourceName", "LoadEmbedded", "Files", "WeightsInPlace",
    };

    private sealed record Field(string Name, string Source, string Doc, bool Optional);

    private sealed record HeadInfo(HeadRule Rule, string Method, string Output, Field[] Fields)
    {
        public string Head => Rule.Member;
        public string HfClass => Rule.HfClassName;
    }

    private static HeadInfo Info(string head, ModelSpec s)
    {
        string h = Inv(s.HiddenSize), v = Inv(s.VocabSize), l = Inv(s.NumLabels);
        var hidden = new Field("LastHiddenState", "LastHiddenState", "(batch, seq, " + h + "): the encoder's last hidden states.", false);
        var pooled = new Field("PoolerOutput", "PoolerOutput", "(batch, " + h + "): tanh(pooler(last_hidden_state[:, 0])).", false);
        var loss = new Field("Loss", "Loss", "Scalar loss; null unless the batch carried labels.", true);
        var rule = HeadTable.ByMember(head)!;
        return head switch
        {
            "Base" => new(rule, "Encode", "ModelOutput", new[] { hidden, pooled }),
            "PreTraining" => new(rule, "ForPreTraining", "PreTrainingOutput", new[]
            {
                new Field("PredictionLogits", "PredictionLogits", "(batch, seq, " + v + "): masked-LM scores over the vocabulary.", false),
                new Field("SopLogits", "SopLogits", "(batch, " + l + "): sentence-order prediction scores.", false),
                hidden, pooled, loss,
                new Field("MlmLoss", "MlmLoss", "Masked-LM part of the loss; null unless the batch carried labels.", true),
                new Field("SopLoss", "SopLoss", "Sentence-order part of the loss; null unless the batch carried labels.", true),
            }),
            "MaskedLM" => new(rule, "ForMaskedLM", "MaskedLMOutput", new[]
            {
                new Field("Logits", "Logits", "(batch, seq, " + v + "): scores over the vocabulary.", false), hidden, loss,
            }),
            "SequenceClassification" => new(rule, "ForSequenceClassification", "SequenceClassificationOutput", new[]
            {
                new Field("Logits", "Logits", "(batch, " + l + "): one score per label (see <see cref=\"Id2Label\"/>).", false), hidden, pooled, loss,
            }),
            "TokenClassification" => new(rule, "ForTokenClassification", "TokenClassificationOutput", new[]
            {
                new Field("Logits", "Logits", "(batch, seq, " + l + "): one score per token and label (see <see cref=\"Id2Label\"/>).", false), hidden, loss,
            }),
            "QuestionAnswering" => new(rule, "ForQuestionAnswering", "QuestionAnsweringOutput", new[]
            {
                new Field("StartLogits", "StartLogits", "(batch, seq): answer-start scores.", false),
                new Field("EndLogits", "EndLogits", "(batch, seq): answer-end scores.", false), hidden, loss,
            }),
            _ => new(rule, "ForMultipleChoice", "MultipleChoiceOutput", new[]
            {
                new Field("Logits", "Logits", "(batch, num_choices): one score per choice.", false),
                new Field("LastHiddenState", "LastHiddenState", "(batch × num_choices, seq, " + h + "): the encoder's last hidden states.", false),
                new Field("PoolerOutput", "PoolerOutput", "(batch × num_choices, " + h + "): tanh(pooler(last_hidden_state[:, 0])).", false),
                loss,
            }),
        };
    }

    public static EmittedSource Emit(ModelSpec s)
    {
        var w = new SourceWriter();
        string cls = s.ClassName;
        var heads = s.Heads.Select(h => Info(h, s)).ToList();
        string defaultHead = s.Heads[0];

        w.Line("// <auto-generated/>");
        w.Line("// Generated by AlbertGen.Generators from " + s.SourceName + ". Edit the config, not this file: it is regenerated on every build.");
        w.Line("#nullable enable");
        w.Line();
        bool hasNamespace = s.Namespace.Length > 0;
        if (hasNamespace)
            w.Open("namespace " + s.Namespace);

        // ---- class header
        w.Line("/// <summary>");
        w.Line("/// ALBERT model typed from <c>" + Xml(s.SourceName) + "</c>: " + Inv(s.NumHiddenLayers) + " layers sharing "
            + Inv(s.NumHiddenGroups) + " group(s) of " + Inv(s.InnerGroupNum) + " layer(s); hidden " + Inv(s.HiddenSize) + ", "
            + Inv(s.NumAttentionHeads) + " heads of " + Inv(s.HeadSize) + ", embeddings " + Inv(s.EmbeddingSize) + ", vocabulary " + Inv(s.VocabSize) + ".");
        w.Line("/// Heads: " + string.Join(", ", heads.Select(h => "<c>" + h.HfClass + "</c> (<see cref=\"" + h.Method + "(" + AlbertBatch + ")\"/>)")) + ".");
        w.Line("/// </summary>");
        w.Line("/// <remarks>");
        w.Line("/// <see cref=\"Load(string)\"/> opens a <c>model.safetensors</c> (memory-mapped) or <c>pytorch_model.bin</c> with HF names and checks it against");
        w.Line("/// <see cref=\"WeightSpecs\"/>; the forwards run on <see cref=\"global::AlbertGen.Cpu.CpuAlbertModel\"/>. The instance is");
        w.Line("/// immutable and can be shared between threads (forwards are serialised by the engine).");
        w.Line("/// </remarks>");
        w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"AlbertGen.Generators\", \"" + ThisAssembly.Version + "\")]");
        w.Open("public sealed partial class " + cls + " : " + ModelNs + ".IAlbertBackend");

        // ---- constants
        w.Line("// ---- shape constants, from " + s.SourceName);
        w.Line();
        Const(w, "int", "VocabSize", Inv(s.VocabSize), "<c>vocab_size</c>: rows of the word-embedding table.");
        Const(w, "int", "EmbeddingSize", Inv(s.EmbeddingSize), "<c>embedding_size</c>: width E of the factorised embeddings.");
        Const(w, "int", "HiddenSize", Inv(s.HiddenSize), "<c>hidden_size</c>: width H of the encoder.");
        Const(w, "int", "NumHiddenLayers", Inv(s.NumHiddenLayers), "<c>num_hidden_layers</c>: layers the encoder runs.");
        Const(w, "int", "NumHiddenGroups", Inv(s.NumHiddenGroups), "<c>num_hidden_groups</c>: distinct weight groups the layers share (see <see cref=\"LayerGroups\"/>).");
        Const(w, "int", "InnerGroupNum", Inv(s.InnerGroupNum), "<c>inner_group_num</c>: sub-layers in each group.");
        Const(w, "int", "NumAttentionHeads", Inv(s.NumAttentionHeads), "<c>num_attention_heads</c>.");
        Const(w, "int", "HeadSize", Inv(s.HeadSize), "<c>hidden_size / num_attention_heads</c>: width of one attention head.");
        Const(w, "int", "IntermediateSize", Inv(s.IntermediateSize), "<c>intermediate_size</c>: width of the feed-forward layer.");
        Const(w, "int", "MaxPositionEmbeddings", Inv(s.MaxPositionEmbeddings), "<c>max_position_embeddings</c>: longest sequence the model takes.");
        Const(w, "int", "TypeVocabSize", Inv(s.TypeVocabSize), "<c>type_vocab_size</c>: number of token types (segments).");
        Const(w, "float", "LayerNormEps", Float(s.LayerNormEps), "<c>layer_norm_eps</c>.");
        Const(w, "string", "HiddenAct", Str(s.HiddenAct), "<c>hidden_act</c> as the config spells it"
            + (s.IsGoogleFormat ? " (Google's <c>gelu</c> is the tanh form, <c>gelu_new</c>)." : "."));
        Const(w, Config + ".ActivationKind", "Activation", Config + ".ActivationKind." + s.ActivationKind, "The activation <see cref=\"HiddenAct\"/> names.");
        Const(w, "int", "NumLabels", Inv(s.NumLabels), "Number of labels (<c>id2label</c>, else <c>num_labels</c>).");
        Const(w, "int", "PadTokenId", Inv(s.PadTokenId), "<c>pad_token_id</c>.");
        Const(w, "bool", "TieWordEmbeddings", s.TieWordEmbeddings ? "true" : "false", "<c>tie_word_embeddings</c>: the masked-LM decoder reuses the word embeddings.");
        Const(w, "string", "SourceName", Str(s.SourceName), "The config file this class was generated from.");
        Const(w, AlbertHead, "DefaultHead", AlbertHead + "." + defaultHead, "The head <see cref=\"Load(string)\"/> loads: the first of the config's <c>architectures</c>"
            + (s.Architectures.Count == 0 ? " (none given: the bare <c>AlbertModel</c>)." : "."));

        // ---- tables
        w.Summary("Heads this class offers typed forwards for, from the config's <c>architectures</c>" + (s.Architectures.Count == 0 ? " (none given: all of them)." : "."));
        if (s.Heads.Count == 1)
        {
            w.Line("public static " + ReadOnlyList + "<" + AlbertHead + "> Heads { get; } = new " + AlbertHead + "[] { " + AlbertHead + "." + s.Heads[0] + " };");
        }
        else
        {
            w.Line("public static " + ReadOnlyList + "<" + AlbertHead + "> Heads { get; } = new " + AlbertHead + "[]");
            w.Line("{");
            w.Indent();
            foreach (var h in s.Heads)
                w.Line(AlbertHead + "." + h + ",");
            w.Outdent();
            w.Line("};");
        }
        w.Line();
        w.Summary("Label names by id (<c>id2label</c>).");
        w.Line("public static " + ReadOnlyList + "<string> Id2Label { get; } = new string[] { " + string.Join(", ", s.Id2Label.Select(Str)) + " };");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Weight group of each layer, HF's <c>int(i / (num_hidden_layers / num_hidden_groups))</c>, computed at build time:");
        w.Line("/// layer i runs the <see cref=\"InnerGroupNum\"/> sub-layers of <c>albert_layer_groups[LayerGroups[i]]</c>.");
        w.Line("/// </summary>");
        w.Line("public static global::System.ReadOnlySpan<int> LayerGroups => s_layerGroups;");
        w.Line();
        w.Summary("The weight group layer <paramref name=\"layer\"/> (0 ≤ layer &lt; <see cref=\"NumHiddenLayers\"/>) runs.");
        w.Line("public static int GroupOfLayer(int layer) => s_layerGroups[layer];");
        w.Line();
        w.Line("private static readonly int[] s_layerGroups = new int[] { " + string.Join(", ", s.LayerGroups.Select(Inv)) + " };");
        w.Line();

        // ---- config
        w.Summary("The runtime config, built from the constants above (no JSON is read at run time).");
        w.Line("public static " + AlbertConfig + " ModelConfig { get; } = CreateConfig();");
        w.Line();
        w.Open("private static " + AlbertConfig + " CreateConfig()");
        w.Line("var config = new " + AlbertConfig);
        w.Line("{");
        w.Indent();
        w.Line("SourceName = SourceName,");
        w.Line("VocabSize = VocabSize,");
        w.Line("EmbeddingSize = EmbeddingSize,");
        w.Line("HiddenSize = HiddenSize,");
        w.Line("NumHiddenLayers = NumHiddenLayers,");
        w.Line("NumHiddenGroups = NumHiddenGroups,");
        w.Line("NumAttentionHeads = NumAttentionHeads,");
        w.Line("IntermediateSize = IntermediateSize,");
        w.Line("InnerGroupNum = InnerGroupNum,");
        w.Line("HiddenAct = HiddenAct,");
        w.Line("HiddenDropoutProb = " + Float(s.HiddenDropoutProb) + ",");
        w.Line("AttentionProbsDropoutProb = " + Float(s.AttentionProbsDropoutProb) + ",");
        w.Line("MaxPositionEmbeddings = MaxPositionEmbeddings,");
        w.Line("TypeVocabSize = TypeVocabSize,");
        w.Line("InitializerRange = " + Float(s.InitializerRange) + ",");
        w.Line("LayerNormEps = LayerNormEps,");
        w.Line("ClassifierDropoutProb = " + Float(s.ClassifierDropoutProb) + ",");
        w.Line("PositionEmbeddingType = " + Str(s.PositionEmbeddingType) + ",");
        w.Line("PadTokenId = PadTokenId,");
        w.Line("BosTokenId = " + Inv(s.BosTokenId) + ",");
        w.Line("EosTokenId = " + Inv(s.EosTokenId) + ",");
        w.Line("TieWordEmbeddings = TieWordEmbeddings,");
        w.Line("Architectures = new string[] { " + string.Join(", ", s.Architectures.Select(Str)) + " },");
        w.Line("ProblemType = " + (s.ProblemType is null ? "null" : Str(s.ProblemType)) + ",");
        w.Line("Id2Label = Id2Label,");
        w.Line("IsGoogleFormat = " + (s.IsGoogleFormat ? "true" : "false") + ",");
        w.Outdent();
        w.Line("};");
        w.Line("config.Validate();");
        w.Line("return config;");
        w.Close();
        w.Line();

        // ---- weight lists
        w.Line("/// <summary>");
        w.Line("/// The exact HF tensors (name, shape) a checkpoint for <paramref name=\"head\"/> must hold, in dataflow order.");
        w.Line("/// Encoder tensors carry the <c>albert.</c> prefix (bare <c>AlbertModel</c> checkpoints without it load too).");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">This config's <c>architectures</c> do not include <paramref name=\"head\"/>.</exception>");
        w.Open("public static " + ReadOnlyList + "<" + WeightSpec + "> WeightSpecs(" + AlbertHead + " head) => head switch");
        foreach (var h in heads)
            w.Line(AlbertHead + "." + h.Head + " => s_weights" + h.Head + ",");
        w.Line("_ => throw UnsupportedHead(head),");
        w.Close("};");
        w.Line();
        // the encoder's tensors (embeddings, stored layers) once; each head adds its own after them
        var values = s.Rules;
        var encoder = WeightTable.Encoder(values);
        if (heads.Count == 1)
        {
            var list = encoder.Concat(WeightTable.HeadTensors(values, heads[0].Rule)).ToList();
            w.Line("// " + heads[0].HfClass + ": " + Inv(list.Count) + " tensors, " + Parameters(list) + " parameters");
            w.Open("private static readonly " + WeightSpec + "[] s_weights" + heads[0].Head + " = new " + WeightSpec + "[]");
            foreach (var t in list)
                WeightLine(w, t);
            w.Close("};");
            w.Line();
        }
        else
        {
            w.Line("// the embeddings and stored layers every head needs: " + Inv(encoder.Count) + " tensors, " + Parameters(encoder) + " parameters");
            w.Open("private static readonly " + WeightSpec + "[] s_encoderWeights = new " + WeightSpec + "[]");
            foreach (var t in encoder)
                WeightLine(w, t);
            w.Close("};");
            w.Line();
            foreach (var h in heads)
            {
                var list = WeightTable.HeadTensors(values, h.Rule);
                w.Line("// " + h.HfClass + ": the encoder and " + Inv(list.Count) + " more tensors, " + Parameters(encoder.Concat(list)) + " parameters");
                w.Open("private static readonly " + WeightSpec + "[] s_weights" + h.Head + " = WithEncoder(new " + WeightSpec + "[]");
                foreach (var t in list)
                    WeightLine(w, t);
                w.Close("});");
                w.Line();
            }
            w.Open("private static " + WeightSpec + "[] WithEncoder(" + WeightSpec + "[] head)");
            w.Line("var all = new " + WeightSpec + "[s_encoderWeights.Length + head.Length];");
            w.Line("s_encoderWeights.CopyTo(all, 0);");
            w.Line("head.CopyTo(all, s_encoderWeights.Length);");
            w.Line("return all;");
            w.Close();
            w.Line();
        }

        // ---- instance
        w.Line("private readonly global::AlbertGen.Cpu.CpuAlbertModel _engine;");
        w.Line();
        if (s.EmbedWeights)
        {
            w.Open("private " + cls + "(global::AlbertGen.Cpu.CpuAlbertModel engine, " + ModelNs + ".AlbertCheckpoint? checkpoint, global::AlbertGen.Embedded.PackedModelImage? image)");
            w.Line("_engine = engine;");
            w.Line("Weights = new WeightSet(checkpoint);");
            w.Line("Files = image is null ? new global::System.Collections.Generic.Dictionary<string, global::System.ReadOnlyMemory<byte>>() : image.Files;");
            w.Line("WeightsInPlace = image is { IsInPlace: true };");
            w.Close();
            w.Line();
            w.Line("private " + cls + "(global::AlbertGen.Cpu.CpuAlbertModel engine, " + ModelNs + ".AlbertCheckpoint checkpoint) : this(engine, checkpoint, null) { }");
            w.Line();
            w.Summary("True when the engine runs on the embedded weights where they lie in the loaded executable (no copy); false when loaded from a path, or when the resource was not 64-byte aligned and was copied once.");
            w.Line("public bool WeightsInPlace { get; }");
            w.Line();
            w.Summary("The model folder's files embedded with the weights (tokenizer files, <c>config.json</c>) by file name, for <c>AlbertTokenizer.FromModelFiles</c>; empty for a model loaded from a path.");
            w.Line("public " + ReadOnlyList.Replace("IReadOnlyList", "IReadOnlyDictionary") + "<string, global::System.ReadOnlyMemory<byte>> Files { get; }");
            w.Line();
        }
        else
        {
            w.Open("private " + cls + "(global::AlbertGen.Cpu.CpuAlbertModel engine, " + ModelNs + ".AlbertCheckpoint checkpoint)");
            w.Line("_engine = engine;");
            w.Line("Weights = new WeightSet(checkpoint);");
            w.Close();
            w.Line();
        }
        w.Summary("<see cref=\"ModelConfig\"/>.");
        w.Line("public " + AlbertConfig + " Config => ModelConfig;");
        w.Line();
        w.Summary("The head this instance was loaded for; only its typed forward can be called.");
        w.Line("public " + AlbertHead + " Head => _engine.Head;");
        w.Line();
        w.Summary("The checkpoint's tensors, typed by HF name (memory-mapped; valid until this model is disposed).");
        w.Line("public WeightSet Weights { get; }");
        w.Line();

        // ---- Load
        if (s.EmbedWeights)
            EmitEmbeddedLoad(w, s);
        w.Summary("Loads the weights for <see cref=\"DefaultHead\"/>: see <see cref=\"Load(string, " + AlbertHead + ", int)\"/>.");
        w.Line("public static " + cls + " Load(string path) => Load(path, DefaultHead);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Opens a checkpoint with HF tensor names and checks it against <see cref=\"WeightSpecs\"/>: every missing tensor,");
        w.Line("/// wrong shape or unsupported dtype is listed in one <see cref=\"" + ModelNs + ".AlbertWeightException\"/>.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"path\">A model folder (its <c>model.safetensors</c>, else its <c>pytorch_model.bin</c>) or a weights file.</param>");
        w.Line("/// <param name=\"head\">One of <see cref=\"Heads\"/>.</param>");
        w.Line("/// <param name=\"threads\">Worker threads including the caller; 0 = one per processor.</param>");
        w.Open("public static " + cls + " Load(string path, " + AlbertHead + " head, int threads = 0)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(path);");
        w.Line("var expected = WeightSpecs(head);");
        w.Line("string file = global::System.IO.Directory.Exists(path) ? global::AlbertGen.Checkpoints.CheckpointFiles.Find(path) : path;");
        w.Line("// one mapping: the engine packs from it and owns it; Weights reads from it");
        w.Line("var checkpoint = " + ModelNs + ".AlbertCheckpoint.Open(ModelConfig, file, head);");
        w.Open("try");
        w.Line("CheckSameWeightList(checkpoint.Specs, expected);");
        w.Line("return new " + cls + "(global::AlbertGen.Cpu.CpuAlbertModel.Load(checkpoint, threads), checkpoint);");
        w.Close();
        w.Open("catch");
        w.Line("checkpoint.Dispose();");
        w.Line("throw;");
        w.Close();
        w.Close();
        w.Line();

        // ---- typed forwards
        foreach (var h in heads)
        {
            w.Line("/// <summary>");
            w.Line("/// HF <c>" + h.HfClass + "</c> forward (eval mode; losses when <paramref name=\"batch\"/> carries labels).");
            w.Line("/// </summary>");
            w.Line("/// <exception cref=\"global::System.InvalidOperationException\">This instance was loaded for another head.</exception>");
            w.Line("/// <exception cref=\"" + ModelNs + ".AlbertInputException\">Ids outside the vocabulary, sequences longer than <see cref=\"MaxPositionEmbeddings\"/>...</exception>");
            w.Open("public " + h.Output + " " + h.Method + "(" + AlbertBatch + " batch)");
            w.Line("RequireHead(" + AlbertHead + "." + h.Head + ", nameof(" + h.Method + "));");
            w.Line("return new " + h.Output + "(_engine.Forward(batch));");
            w.Close();
            w.Line();
            if (h.Head != "MultipleChoice")
            {
                w.Summary("<see cref=\"" + h.Method + "(" + AlbertBatch + ")\"/> for one sequence of token ids.");
                w.Line("public " + h.Output + " " + h.Method + "(int[] inputIds, int[]? attentionMask = null, int[]? tokenTypeIds = null) =>");
                w.Line("    " + h.Method + "(new " + AlbertBatch + "(1, inputIds.Length, inputIds, attentionMask, tokenTypeIds));");
                w.Line();
            }
        }

        // ---- IAlbertBackend
        w.Summary("The untyped forward of <see cref=\"" + ModelNs + ".IAlbertBackend\"/>: all outputs of <see cref=\"Head\"/>.");
        w.Line("public " + ModelNs + ".AlbertOutput Forward(" + AlbertBatch + " batch) => _engine.Forward(batch);");
        w.Line();
        w.Summary("The padding-free forward of <see cref=\"" + ModelNs + ".IAlbertBackend\"/>: sequences packed without padding, per-token outputs packed.");
        w.Line("public " + ModelNs + ".AlbertOutput ForwardPacked(" + ModelNs + ".AlbertPackedBatch batch) => _engine.ForwardPacked(batch);");
        w.Line();
        w.Summary("Releases the engine and the memory mapping.");
        w.Line("public void Dispose() => _engine.Dispose();");
        w.Line();

        // ---- helpers
        w.Open("private void RequireHead(" + AlbertHead + " head, string method)");
        w.Open("if (_engine.Head != head)");
        w.Line("throw new global::System.InvalidOperationException($\"" + cls + " was loaded for {_engine.Head}; load it with AlbertHead.{head} to call {method}.\");");
        w.Close();
        w.Close();
        w.Line();
        w.Line("private static global::System.ArgumentException UnsupportedHead(" + AlbertHead + " head) =>");
        w.Line("    new($\"" + cls + " ({SourceName}) offers the heads {string.Join(\", \", Heads)}, not {head}.\", nameof(head));");
        w.Line();
        w.Line("/// <summary>The generator and the runtime library must agree on the tensor list (they differ only if their versions do).</summary>");
        w.Open("private static void CheckSameWeightList(" + ReadOnlyList + "<" + WeightSpec + "> runtime, " + ReadOnlyList + "<" + WeightSpec + "> generated)");
        w.Line("bool same = runtime.Count == generated.Count;");
        w.Line("for (int i = 0; same && i < runtime.Count; i++)");
        w.Line("    same = runtime[i].Name == generated[i].Name && global::System.MemoryExtensions.SequenceEqual<int>(runtime[i].Shape, generated[i].Shape);");
        w.Line("if (!same)");
        w.Line("    throw new global::System.InvalidOperationException($\"" + cls + " was generated for a different tensor list than this AlbertGen.Core expects ({generated.Count} vs {runtime.Count} tensors); rebuild with matching AlbertGen versions.\");");
        w.Close();
        w.Line();

        // ---- output types
        foreach (var h in heads)
            EmitOutput(w, h);

        EmitWeightSet(w, s, heads);

        w.Close(); // class
        if (hasNamespace)
            w.Close();

        string hint = (hasNamespace ? s.Namespace + "." : "") + cls + ".g.cs";
        return new EmittedSource(hint, w.ToString());
    }

    /// <summary>The embedded-weights loaders (D37): the build packed the model folder into a manifest resource of this assembly.</summary>
    private static void EmitEmbeddedLoad(SourceWriter w, ModelSpec s)
    {
        string cls = s.ClassName;
        w.Summary("Name of the manifest resource holding the packed weights (the build adds it for <c>AlbertGenEmbedWeights=\"true\"</c>).");
        w.Line("public const string EmbeddedResourceName = " + Str(EmbeddedResourceName(s)) + ";");
        w.Line();
        w.Summary("The weights embedded in this executable at build time: see <see cref=\"LoadEmbedded(int)\"/>.");
        w.Line("public static " + cls + " Load() => LoadEmbedded();");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Runs on the weights the build embedded in this assembly, already packed in the engine's layout for");
        w.Line("/// <see cref=\"DefaultHead\"/>: nothing beside the executable is read, and no weight is copied or re-packed when the");
        w.Line("/// resource lies 64-byte aligned in the loaded image. <see cref=\"Files\"/> holds the embedded tokenizer files;");
        w.Line("/// <see cref=\"Weights\"/> is not available (the HF tensors are not embedded, only their packed form).");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"threads\">Worker threads including the caller; 0 = one per processor.</param>");
        w.Line("/// <exception cref=\"global::AlbertGen.Embedded.PackedModelException\">The resource is missing, damaged or was packed for another config.</exception>");
        w.Open("public static " + cls + " LoadEmbedded(int threads = 0)");
        w.Line("var image = global::AlbertGen.Embedded.PackedModelImage.OpenResource(typeof(" + cls + ").Assembly, EmbeddedResourceName);");
        w.Open("try");
        w.Line("return new " + cls + "(global::AlbertGen.Cpu.CpuAlbertModel.Load(image, ModelConfig, threads), null, image);");
        w.Close();
        w.Open("catch");
        w.Line("image.Dispose();");
        w.Line("throw;");
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>The manifest resource name of a model's packed weights; <c>build/AlbertGen.Embed.targets</c> computes the same.</summary>
    public static string EmbeddedResourceName(ModelSpec s) =>
        "AlbertGen.Embedded." + (s.Namespace.Length > 0 ? s.Namespace + "." : "") + s.ClassName + ".albertpack";

    private static void EmitOutput(SourceWriter w, HeadInfo h)
    {
        w.Summary("Outputs of <see cref=\"" + h.Method + "(" + AlbertBatch + ")\"/>, named as HF's <c>" + h.HfClass + "</c> returns them.");
        w.Open("public sealed class " + h.Output);
        w.Open("internal " + h.Output + "(" + ModelNs + ".AlbertOutput output)");
        w.Line("Raw = output;");
        foreach (var f in h.Fields)
            w.Line(f.Name + " = output." + f.Source + (f.Optional ? ";" : " ?? throw Missing(\"" + Snake(f.Source) + "\");"));
        w.Close();
        w.Line();
        foreach (var f in h.Fields)
        {
            w.Summary(f.Doc);
            w.Line("public " + FloatTensor + (f.Optional ? "?" : "") + " " + f.Name + " { get; }");
            w.Line();
        }
        w.Summary("All outputs, untyped.");
        w.Line("public " + ModelNs + ".AlbertOutput Raw { get; }");
        if (h.Head == "SequenceClassification")
        {
            w.Line();
            w.Summary("The label with the highest score for batch row <paramref name=\"row\"/>.");
            w.Open("public string PredictedLabel(int row)");
            w.Line("int best = 0;");
            w.Line("for (int i = 1; i < NumLabels; i++)");
            w.Line("    if (Logits.Data[row * NumLabels + i] > Logits.Data[row * NumLabels + best]) best = i;");
            w.Line("return Id2Label[best];");
            w.Close();
        }
        w.Line();
        w.Line("private static global::System.InvalidOperationException Missing(string name) =>");
        w.Line("    new($\"the engine returned no {name} for " + h.HfClass + "\");");
        w.Close();
        w.Line();
    }

    private static void EmitWeightSet(SourceWriter w, ModelSpec s, List<HeadInfo> heads)
    {
        var values = s.Rules;
        // union over the offered heads, in first-seen order; a name may have a different shape per head (classifier.weight)
        var order = new List<string>();
        var shapes = new Dictionary<string, List<(string Shape, string Head)>>();
        foreach (var h in heads)
        {
            foreach (var t in WeightTable.For(values, h.Rule))
            {
                if (!shapes.TryGetValue(t.Name, out var list))
                {
                    shapes[t.Name] = list = new List<(string, string)>();
                    order.Add(t.Name);
                }
                string shape = "(" + string.Join(", ", t.Shape.Select(Inv)) + ") = (" + t.Dims + ")";
                list.Add((shape, h.HfClass));
            }
        }

        w.Line("/// <summary>");
        w.Line("/// The checkpoint's tensors, one property per HF name, served from the memory-mapped file (F32 without a copy;");
        w.Line("/// F16/BF16 converted on each access). Row-major, <c>nn.Linear</c> weights as (out, in).");
        w.Line("/// </summary>");
        w.Open("public sealed class WeightSet");
        string checkpoint = "_checkpoint";
        if (s.EmbedWeights)
        {
            w.Line("private readonly " + ModelNs + ".AlbertCheckpoint? _checkpoint;");
            w.Line();
            w.Line("internal WeightSet(" + ModelNs + ".AlbertCheckpoint? checkpoint) => _checkpoint = checkpoint;");
            w.Line();
            w.Line("private " + ModelNs + ".AlbertCheckpoint Checkpoint => _checkpoint ?? throw new global::System.InvalidOperationException(");
            w.Line("    \"the embedded weights are packed for the engine, not stored as HF tensors; load the model from its folder to read them\");");
            w.Line();
            checkpoint = "Checkpoint";
        }
        else
        {
            w.Line("private readonly " + ModelNs + ".AlbertCheckpoint _checkpoint;");
            w.Line();
            w.Line("internal WeightSet(" + ModelNs + ".AlbertCheckpoint checkpoint) => _checkpoint = checkpoint;");
            w.Line();
        }
        int all = heads.Count;
        foreach (var name in order)
        {
            var list = shapes[name];
            var distinct = list.Select(x => x.Shape).Distinct().ToList();
            string doc;
            if (distinct.Count == 1)
            {
                doc = "<c>" + name + "</c>: " + distinct[0];
                if (list.Count < all)
                    doc += "; only in " + string.Join(", ", list.Select(x => "<c>" + x.Head + "</c>")) + " checkpoints";
                doc += ".";
            }
            else
            {
                doc = "<c>" + name + "</c>: " + string.Join("; ", distinct.Select(d => d + " for " + string.Join(", ", list.Where(x => x.Shape == d).Select(x => "<c>" + x.Head + "</c>")))) + ".";
            }
            w.Summary(doc);
            w.Line("public global::System.ReadOnlyMemory<float> " + PropertyName(name) + " => " + checkpoint + ".Get(" + Str(name) + ");");
            w.Line();
        }
        w.Summary("A tensor by HF name (one of <see cref=\"WeightSpecs\"/> for the loaded head).");
        w.Line("public global::System.ReadOnlyMemory<float> this[string name] => " + checkpoint + ".Get(name);");
        w.Close();
    }

    /// <summary>HF key in PascalCase: <c>albert.embeddings.LayerNorm.weight</c> → <c>AlbertEmbeddingsLayerNormWeight</c>.</summary>
    public static string PropertyName(string key)
    {
        var sb = new StringBuilder();
        foreach (var part in key.Split('.', '_'))
        {
            if (part.Length == 0)
                continue;
            sb.Append(char.ToUpperInvariant(part[0])).Append(part, 1, part.Length - 1);
        }
        return sb.ToString();
    }

    private static void WeightLine(SourceWriter w, WeightEntry t) =>
        w.Line("new(" + Str(t.Name) + ", new int[] { " + string.Join(", ", t.Shape.Select(Inv)) + " }), // (" + t.Dims + ")");

    private static string Parameters(IEnumerable<WeightEntry> tensors) =>
        tensors.Sum(x => x.Shape.Aggregate(1L, (a, b) => a * b)).ToString("N0", CultureInfo.InvariantCulture);

    private static void Const(SourceWriter w, string type, string name, string value, string doc)
    {
        w.Summary(doc);
        w.Line("public const " + type + " " + name + " = " + value + ";");
        w.Line();
    }

    private static string Snake(string pascal)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
                sb.Append('_');
            sb.Append(char.ToLowerInvariant(pascal[i]));
        }
        return sb.ToString();
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Str(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>A float literal that reads back as exactly <paramref name="value"/> (shortest round-trip form, invariant culture).</summary>
    internal static string Float(float value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (float.Parse(text, CultureInfo.InvariantCulture) != value)
            text = value.ToString("G9", CultureInfo.InvariantCulture);
        return text + "f";
    }

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

/// <summary>Version stamped into <c>[GeneratedCode]</c>.</summary>
internal static class ThisAssembly
{
    public const string Version = "0.1.0";
}
