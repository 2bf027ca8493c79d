using System.Buffers.Binary;
using System.Text;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tokenization;

namespace AlbertGen.Fuzz.Tests;

/// <summary>
/// The fuzz targets: how each makes an input from a seeded <see cref="Random"/>, and the check each runs on it. The
/// documented exception types of each reader are the only ones a check may throw (<see cref="Fuzzer"/>).
/// </summary>
public static class FuzzTargets
{
    public static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    static readonly Lazy<byte[][]> SafeTensorsSeeds = new(() =>
        [File.ReadAllBytes(Fixture("tiny", "model.safetensors")), File.ReadAllBytes(Fixture("f16-weights", "model.safetensors"))]);

    static readonly Lazy<AlbertConfig[]> SeedConfigs = new(() =>
        [AlbertConfig.Load(Fixture("tiny")), AlbertConfig.Load(Fixture("f16-weights"))]);

    static readonly ThreadLocal<string> Scratch = new(() =>
    {
        string dir = Path.Combine(Path.GetTempPath(), "albertgen-fuzz-" + Environment.ProcessId + "-" + Environment.CurrentManagedThreadId);
        Directory.CreateDirectory(dir);
        return dir;
    });

    // ---- safetensors reader ------------------------------------------------------------------------------------

    public static readonly Type[] SafeTensorsErrors = [typeof(SafeTensorsException), typeof(AlbertWeightException)];

    /// <summary>A valid file mutated: header length field, header tokens (length kept consistent or not), bytes, truncation.</summary>
    public static byte[] SafeTensorsInput(Random rng)
    {
        int which = rng.Next(2);
        var seed = SafeTensorsSeeds.Value[which];
        int headerLen = (int)BinaryPrimitives.ReadUInt64LittleEndian(seed);
        byte[] header = seed.AsSpan(8, headerLen).ToArray();
        byte[] data = seed.AsSpan(8 + headerLen).ToArray();
        byte[] body;
        switch (rng.Next(6))
        {
            case 0: // the length field a little off (the 1–7-byte-short case hid in the header's space padding)
            {
                var b = (byte[])seed.Clone();
                long delta = rng.Next(3) == 0 ? rng.Next(-4096, 4096) : rng.Next(-16, 17);
                BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)Math.Max(0, headerLen + delta));
                body = b;
                break;
            }
            case 1: // header tokens edited, length field fixed up: the JSON checks themselves
            case 2:
            {
                byte[] h = Mutations.MutateJsonTokens(rng, header);
                body = Concat(Length(h.Length), h, data);
                break;
            }
            case 3: // header bytes edited, length fixed up
            {
                byte[] h = Mutations.MutateBytes(rng, header);
                body = Concat(Length(h.Length), h, data);
                break;
            }
            case 4: // any bytes, mostly in the first part
                body = Mutations.MutateBytes(rng, seed, 0, rng.Next(2) == 0 ? 8 + headerLen : seed.Length);
                break;
            default: // truncated or extended
            {
                int n = rng.Next(seed.Length + 64);
                body = new byte[n];
                seed.AsSpan(0, Math.Min(n, seed.Length)).CopyTo(body);
                break;
            }
        }
        return Mutations.Pack([(byte)which], body);
    }

    public static void SafeTensorsCheck(byte[] input)
    {
        var parts = Mutations.Unpack(input, 2);
        int which = parts[0] is [var w, ..] ? w % 2 : 0;
        string path = Path.Combine(Scratch.Value!, "model.safetensors");
        File.WriteAllBytes(path, parts[1] ?? []);
        using (var file = SafeTensorsFile.Open(path))
        {
            foreach (var t in file.Tensors)
            {
                _ = file.GetBytes(t).Length;
                if (t.DType is SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 && t.ElementCount < 1 << 20)
                    _ = file.ReadFloat32Array(t.Name);
            }
        }
        var config = SeedConfigs.Value[which];
        using var ckpt = AlbertCheckpoint.Open(config, path, config.DefaultHead);
        foreach (var spec in ckpt.Specs)
            _ = ckpt.Get(spec.Name).Length;
    }

    // ---- config.json ---------------------------------------------------------------------------------------------

    public static readonly Type[] ConfigErrors = [typeof(AlbertConfigException)];

    static readonly string[] ConfigKeys =
    [
        "vocab_size", "embedding_size", "hidden_size", "num_hidden_layers", "num_hidden_groups", "num_attention_heads", "intermediate_size",
        "inner_group_num", "hidden_act", "max_position_embeddings", "type_vocab_size", "layer_norm_eps", "id2label", "num_labels",
        "architectures", "problem_type", "position_embedding_type", "model_type", "tie_word_embeddings", "pad_token_id", "label2id",
    ];

    public static byte[] ConfigInput(Random rng)
    {
        byte[] seed = File.ReadAllBytes(Fixture(rng.Next(2) == 0 ? "tiny" : "f16-weights", "config.json"));
        int edits = rng.Next(1, 4);
        for (int k = 0; k < edits; k++)
        {
            seed = rng.Next(10) switch
            {
                < 4 => Mutations.InsertKey(rng, seed, ConfigKeys),
                < 8 => Mutations.MutateJsonTokens(rng, seed),
                _ => Mutations.MutateBytes(rng, seed),
            };
        }
        return seed;
    }

    public static void ConfigCheck(byte[] input)
    {
        var config = AlbertConfig.Parse(input, "fuzz/config.json");
        foreach (var head in AlbertHeads.All)
        {
            try
            {
                config.ValidateFor(head);
            }
            catch (AlbertConfigException)
            {
                continue;
            }
            _ = AlbertWeightNames.For(config, head).Count;
        }
        // what we write we read back
        _ = AlbertConfig.Parse(config.ToJson(), "fuzz/roundtrip.json");
    }

    // ---- inputs.json (AlbertBatch) and a forward on the tiny model ---------------------------------------------------

    public static readonly Type[] InputErrors = [typeof(AlbertInputException)];

    static readonly Lazy<CpuAlbertModel> TinyModel = new(() => CpuAlbertModel.Load(Fixture("tiny"), threads: 1));

    static readonly string[] InputKeys = ["input_ids", "attention_mask", "token_type_ids", "labels", "sentence_order_label", "start_positions", "end_positions"];

    public static byte[] InputsInput(Random rng)
    {
        int batch = rng.Next(1, 4), seq = rng.Next(1, rng.Next(3) == 0 ? 80 : 12), choices = rng.Next(4) == 0 ? rng.Next(1, 3) : 0;
        var sb = new StringBuilder("{");
        void Array(string key, int lo, int hi, bool vector = false, bool floats = false)
        {
            if (sb.Length > 1) sb.Append(", ");
            sb.Append('"').Append(key).Append("\": ");
            if (vector)
            {
                sb.Append('[');
                for (int b = 0; b < batch; b++) sb.Append(b > 0 ? "," : "").Append(rng.Next(lo, hi));
                sb.Append(']');
                return;
            }
            sb.Append('[');
            for (int b = 0; b < batch; b++)
            {
                if (b > 0) sb.Append(',');
                int inner = choices > 0 ? choices : 1;
                if (choices > 0) sb.Append('[');
                for (int c = 0; c < inner; c++)
                {
                    if (c > 0) sb.Append(',');
                    sb.Append('[');
                    int len = rng.Next(12) == 0 ? seq + rng.Next(-1, 2) : seq; // now and then ragged
                    for (int s = 0; s < len; s++)
                    {
                        if (s > 0) sb.Append(',');
                        if (floats && rng.Next(3) == 0) sb.Append(Mutations.Inv(rng.Next(-5, 5))).Append(".5");
                        else sb.Append(rng.Next(lo, hi));
                    }
                    sb.Append(']');
                }
                if (choices > 0) sb.Append(']');
            }
            sb.Append(']');
        }
        Array("input_ids", rng.Next(8) == 0 ? -2 : 0, rng.Next(8) == 0 ? 120 : 99);
        if (rng.Next(2) == 0) Array("attention_mask", 0, rng.Next(8) == 0 ? 3 : 2);
        if (rng.Next(2) == 0) Array("token_type_ids", 0, rng.Next(8) == 0 ? 3 : 2);
        if (rng.Next(3) == 0) Array("labels", -100, 99, floats: rng.Next(6) == 0);
        if (rng.Next(3) == 0) Array("sentence_order_label", 0, rng.Next(6) == 0 ? 4 : 2, vector: true);
        if (rng.Next(6) == 0) Array("start_positions", -1, seq + 1, vector: true);
        if (rng.Next(6) == 0) Array("end_positions", -1, seq + 1, vector: true);
        sb.Append('}');
        byte[] json = Encoding.UTF8.GetBytes(sb.ToString());
        return rng.Next(10) switch
        {
            < 5 => json,
            < 7 => Mutations.InsertKey(rng, json, InputKeys),
            < 9 => Mutations.MutateJsonTokens(rng, json),
            _ => Mutations.MutateBytes(rng, json),
        };
    }

    public static void InputsCheck(byte[] input)
    {
        var batch = AlbertBatch.Parse(input, "fuzz/inputs.json");
        var model = TinyModel.Value;
        foreach (var head in AlbertHeads.All)
        {
            try
            {
                batch.Validate(model.Config, head);
            }
            catch (AlbertInputException)
            {
            }
        }
        lock (model)
        {
            _ = model.Forward(batch);
            // the padding-free forward (D33) on the same input, when its mask is right padding
            if (AlbertPackedBatch.TryFromPadded(batch, out var packed, out _))
                _ = model.ForwardPacked(packed!);
        }
    }

    // ---- tokenizer folder: spiece.model, tokenizer_config.json, special_tokens_map.json --------------------------------

    public static readonly Type[] TokenizerErrors = [typeof(TokenizerException)];

    static readonly Lazy<byte[][]> SpmSeeds = new(() =>
        [File.ReadAllBytes(Fixture("albert-default", "spiece.model")), File.ReadAllBytes(Fixture("tokenizer", "bf2000.model"))]);

    static readonly string[] TokenizerKeys =
    [
        "do_lower_case", "remove_space", "keep_accents", "strip_accents", "tokenize_chinese_chars", "clean_up_tokenization_spaces",
        "unk_token", "sep_token", "pad_token", "cls_token", "mask_token",
    ];

    public static byte[] TokenizerFolderInput(Random rng)
    {
        byte[]? spm = SpmSeeds.Value[rng.Next(2)];
        if (rng.Next(3) == 0)
        {
            spm = rng.Next(5) switch
            {
                0 => spm.AsSpan(0, rng.Next(spm.Length)).ToArray(),    // truncated
                1 => rng.Next(2) == 0 ? [] : Encoding.UTF8.GetBytes("{\"not\": \"a proto\"}"),
                _ => Mutations.MutateBytes(rng, spm, 0, rng.Next(2) == 0 ? 4096 : spm.Length),
            };
        }
        byte[]? config = Encoding.UTF8.GetBytes("{\"do_lower_case\": true, \"remove_space\": true, \"keep_accents\": false, \"mask_token\": {\"content\": \"[MASK]\", \"lstrip\": true}}");
        byte[]? map = Encoding.UTF8.GetBytes("{\"bos_token\": \"[CLS]\", \"eos_token\": \"[SEP]\", \"unk_token\": \"<unk>\", \"sep_token\": \"[SEP]\", \"pad_token\": \"<pad>\", \"cls_token\": \"[CLS]\", \"mask_token\": \"[MASK]\"}");
        for (int k = rng.Next(0, 3); k > 0; k--)
        {
            if (rng.Next(2) == 0) config = rng.Next(3) == 0 ? Mutations.InsertKey(rng, config, TokenizerKeys) : Mutations.MutateJsonTokens(rng, config);
            else map = rng.Next(3) == 0 ? Mutations.InsertKey(rng, map, TokenizerKeys) : Mutations.MutateJsonTokens(rng, map);
        }
        if (rng.Next(8) == 0) config = Mutations.MutateBytes(rng, config);
        if (rng.Next(10) == 0) config = null;
        if (rng.Next(10) == 0) map = null;
        return Mutations.Pack(spm, config, map);
    }

    public static void TokenizerFolderCheck(byte[] input)
    {
        var parts = Mutations.Unpack(input, 3);
        string dir = Path.Combine(Scratch.Value!, "tokenizer");
        Directory.CreateDirectory(dir);
        string[] names = ["spiece.model", "tokenizer_config.json", "special_tokens_map.json"];
        for (int i = 0; i < names.Length; i++)
        {
            string path = Path.Combine(dir, names[i]);
            if (parts[i] is { } bytes) File.WriteAllBytes(path, bytes);
            else File.Delete(path);
        }
        var tokenizer = AlbertTokenizer.FromModelDirectory(dir);
        foreach (var text in (string[])["The [MASK] was bright.", "  Héllo,\tworld!  ", "naïve café 北京 😀", ""])
        {
            var enc = tokenizer.Encode(text, "second text", maxLength: 16);
            _ = tokenizer.Decode(enc.Ids, skipSpecialTokens: true);
        }
        _ = tokenizer.MaskTokenId;
    }

    // ---- the tokenizer on arbitrary text -------------------------------------------------------------------------

    public static readonly Type[] TextErrors = [];

    static readonly Lazy<AlbertTokenizer[]> Tokenizers = new(() =>
        [AlbertTokenizer.FromModelDirectory(Fixture("albert-default")), AlbertTokenizer.FromSentencePiece(Fixture("tokenizer", "bf2000.model"))]);

    static readonly (int Lo, int Hi)[] Ranges =
    [
        (0x20, 0x7F), (0x20, 0x7F), (0x20, 0x7F), (0x00, 0x20), (0x7F, 0xA0), (0xA0, 0x250), (0x300, 0x370), (0x370, 0x530), (0x590, 0x700),
        (0x900, 0x980), (0xE00, 0xE80), (0x1100, 0x1200), (0x2000, 0x2070), (0x2E80, 0x3100), (0x3000, 0x3040), (0x4E00, 0x9FFF),
        (0xAC00, 0xD7A4), (0xE000, 0xF900), (0xF900, 0xFB00), (0xFE00, 0xFE10), (0xFEFF, 0xFF00), (0xFF00, 0xFFF0), (0xFFF0, 0x10000),
        (0x1F300, 0x1FAFF), (0x20000, 0x2A6E0), (0xE0000, 0xE0080), (0x10000, 0x110000),
    ];

    static readonly string[] Fragments = ["[MASK]", "[CLS]", "[SEP]", "<unk>", "<pad>", "▁", "\u200d", "\r\n", "  ", "\t", "[MASK", "MASK]", "\u0301", "\ufffd"];

    /// <summary>Random valid Unicode text (no lone surrogates): mixed scripts, control characters, special tokens, long runs.</summary>
    public static string RandomText(Random rng)
    {
        var sb = new StringBuilder();
        int pieces = rng.Next(0, 24);
        for (int p = 0; p < pieces; p++)
        {
            switch (rng.Next(10))
            {
                case 0:
                    sb.Append(Fragments[rng.Next(Fragments.Length)]);
                    break;
                case 1: // a long run of one character
                {
                    string c = char.ConvertFromUtf32(Scalar(rng));
                    int n = rng.Next(1, rng.Next(10) == 0 ? 5000 : 64);
                    for (int i = 0; i < n; i++) sb.Append(c);
                    break;
                }
                default:
                {
                    int n = rng.Next(1, 12);
                    for (int i = 0; i < n; i++) sb.Append(char.ConvertFromUtf32(Scalar(rng)));
                    if (rng.Next(2) == 0) sb.Append(' ');
                    break;
                }
            }
        }
        return sb.ToString();
    }

    static int Scalar(Random rng)
    {
        var (lo, hi) = Ranges[rng.Next(Ranges.Length)];
        int c = rng.Next(lo, hi);
        return c is >= 0xD800 and <= 0xDFFF ? 0xFFFD : c;
    }

    public static byte[] TextInput(Random rng)
    {
        string text = RandomText(rng);
        string? pair = rng.Next(3) == 0 ? RandomText(rng) : null;
        int maxLength = rng.Next(3) == 0 ? rng.Next(0, 40) : -1;
        return Mutations.Pack([(byte)rng.Next(2), (byte)(maxLength + 1)], Encoding.UTF8.GetBytes(text), pair is null ? null : Encoding.UTF8.GetBytes(pair));
    }

    public static void TextCheck(byte[] input)
    {
        var parts = Mutations.Unpack(input, 3);
        var options = parts[0] ?? [0, 0];
        var tokenizer = Tokenizers.Value[options.Length > 0 ? options[0] % 2 : 0];
        int? maxLength = options.Length > 1 && options[1] > 0 ? options[1] - 1 : null;
        string text = Encoding.UTF8.GetString(parts[1] ?? []);
        string? pair = parts[2] is { } p ? Encoding.UTF8.GetString(p) : null;
        var enc = tokenizer.Encode(text, pair, maxLength: maxLength);
        if (enc.Ids.Length != enc.Offsets.Length || enc.Ids.Length != enc.TokenTypeIds.Length)
            throw new InvalidOperationException("ids, offsets and token types differ in length");
        foreach (var (s, e) in enc.Offsets)
        {
            if (s < 0 || e < s || e > Math.Max(text.Length, pair?.Length ?? 0))
                throw new InvalidOperationException($"offset ({s}, {e}) outside the text");
        }
        foreach (int id in enc.Ids)
        {
            if ((uint)id >= (uint)tokenizer.VocabSize)
                throw new InvalidOperationException($"id {id} outside the vocabulary");
        }
        _ = tokenizer.Decode(enc.Ids);
        _ = tokenizer.Decode(enc.Ids, skipSpecialTokens: true);
        foreach (var span in tokenizer.TokenizeToSpans(text))
        {
            if (span.Start < 0 || span.End < span.Start || span.End > text.Length)
                throw new InvalidOperationException($"span ({span.Start}, {span.End}) outside the text");
        }
    }

    static byte[] Length(int n)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)n);
        return b;
    }

    static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
