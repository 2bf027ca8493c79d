using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AlbertGen.Tokenization;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen tokenize (--model DIR [--tokenizer-format json|spm] | --spm FILE | --vocab FILE)</c>: UTF-8 lines from stdin (with
/// <c>--pair</c>: two texts separated by a tab) → one JSON object per line
/// <c>{"ids":[…],"pieces":[…],"token_type_ids":[…],"offsets":[[s,e],…]}</c>. Invalid UTF-8 reads as U+FFFD.
/// Exit codes: 0 ok, 2 bad arguments or an unloadable model, 3 an I/O error (<see cref="CliErrors"/>).
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "model folder (tokenizer.json, spiece.model or vocab.txt, + tokenizer_config.json)" };
        var format = new Option<string?>("--tokenizer-format")
        {
            Description = "with --model: json (tokenizer.json, HF's fast tokenizer; the default when present) or spm (spiece.model, the slow one)",
        };
        format.AcceptOnlyFromAmong("json", "spm");
        var spm = new Option<string?>("--spm") { Description = "SentencePiece model file (spiece.model)" };
        var vocab = new Option<string?>("--vocab") { Description = "WordPiece vocabulary (vocab.txt, Chinese ALBERT)" };
        var pair = new Option<bool>("--pair") { Description = "each line is two texts separated by a tab" };
        var noSpecial = new Option<bool>("--no-special") { Description = "do not add [CLS]/[SEP] (works with any Unigram model, also one without them)" };
        var maxLength = new Option<int?>("--max-length") { Description = "truncate (longest first) to this many tokens" };
        var keepAccents = new Option<bool>("--keep-accents") { Description = "keep accents (keep_accents=True)" };
        var noLowerCase = new Option<bool>("--no-lower-case") { Description = "do not lower-case (do_lower_case=False)" };
        var noRemoveSpace = new Option<bool>("--no-remove-space") { Description = "do not collapse whitespace (remove_space=False)" };
        var cmd = new Command("tokenize", "Tokenize stdin lines as HF's AlbertTokenizer (or BertTokenizer for vocab.txt) and print JSON lines")
        {
            model, format, spm, vocab, pair, noSpecial, maxLength, keepAccents, noLowerCase, noRemoveSpace,
        };
        cmd.SetAction(r =>
        {
            var options = new AlbertTokenizerOptions
            {
                KeepAccents = r.GetValue(keepAccents) ? true : null,
                DoLowerCase = r.GetValue(noLowerCase) ? false : null,
                RemoveSpace = r.GetValue(noRemoveSpace) ? false : null,
                Format = r.GetValue(format) switch
                {
                    "json" => TokenizerFormat.TokenizerJson,
                    "spm" => TokenizerFormat.SentencePiece,
                    _ => null,
                },
            };
            return CliErrors.Guard(() => Run(r.GetValue(model), r.GetValue(spm), r.GetValue(vocab), options, r.GetValue(pair), !r.GetValue(noSpecial),
                r.GetValue(maxLength), Console.OpenStandardInput(), Console.OpenStandardOutput()));
        });
        return cmd;
    }

    internal static int Run(string? model, string? spm, string? vocab, AlbertTokenizerOptions options, bool pair, bool addSpecial,
        int? maxLength, Stream input, Stream output)
    {
        int sources = (model is null ? 0 : 1) + (spm is null ? 0 : 1) + (vocab is null ? 0 : 1);
        if (sources != 1)
            throw new ArgumentException("give exactly one of --model, --spm, --vocab");
        if (options.Format is not null && model is null)
            throw new ArgumentException("--tokenizer-format goes with --model");
        if (maxLength is < 0)
            throw new ArgumentException("--max-length must be >= 0");
        var tokenizer = model is not null ? AlbertTokenizer.FromModelDirectory(model, options)
            : spm is not null ? AlbertTokenizer.FromSentencePiece(spm, options)
            : AlbertTokenizer.FromVocab(vocab!, options);
        if (addSpecial)
        {
            // a Unigram model without [CLS]/[SEP] still tokenizes, with --no-special
            _ = tokenizer.ClsTokenId;
            _ = tokenizer.SepTokenId;
        }

        using var reader = new StreamReader(input, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false),
            detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        using var buffered = new BufferedStream(output, 1 << 16);
        using var writer = new Utf8JsonWriter(buffered, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        while (reader.ReadLine() is string line)
        {
            string text = line;
            string? second = null;
            if (pair)
            {
                int tab = line.IndexOf('\t');
                if (tab >= 0)
                {
                    text = line[..tab];
                    second = line[(tab + 1)..];
                }
                else
                {
                    second = "";
                }
            }
            var enc = tokenizer.Encode(text, second, addSpecial, maxLength);
            Write(writer, enc);
            writer.Flush();
            writer.Reset();
            buffered.WriteByte((byte)'\n');
        }
        buffered.Flush();
        return 0;
    }

    private static void Write(Utf8JsonWriter w, AlbertEncoding enc)
    {
        w.WriteStartObject();
        w.WriteStartArray("ids");
        foreach (int id in enc.Ids)
        {
            w.WriteNumberValue(id);
        }
        w.WriteEndArray();
        w.WriteStartArray("pieces");
        foreach (string p in enc.Pieces)
        {
            w.WriteStringValue(p);
        }
        w.WriteEndArray();
        w.WriteStartArray("token_type_ids");
        foreach (int t in enc.TokenTypeIds)
        {
            w.WriteNumberValue(t);
        }
        w.WriteEndArray();
        w.WriteStartArray("offsets");
        foreach (var (s, e) in enc.Offsets)
        {
            w.WriteStartArray();
            w.WriteNumberValue(s);
            w.WriteNumberValue(e);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
