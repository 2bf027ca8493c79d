using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Tokenization;
using AlbertGen.Tasks.Pretraining;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen eval --model DIR --corpus PATH...</c>: MLM accuracy and loss, sentence-order accuracy and loss of a
/// pretraining model on ALBERT instances made from a corpus (fixed seed), computed with the CPU engine.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "AlbertForPreTraining model folder (with its tokenizer unless --tokenizer)", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer folder (default: the model folder)" };
        var corpus = new Option<string[]>("--corpus") { Description = "text files or folders of *.txt", Required = true, AllowMultipleArgumentsPerToken = true };
        var batches = new Option<int>("--batches") { DefaultValueFactory = _ => 20 };
        var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => 16 };
        var maxSeq = new Option<int>("--max-seq-length") { DefaultValueFactory = _ => 128 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "one JSON object" };
        var cmd = new Command("eval", "MLM and sentence-order accuracy of a pretraining model on a corpus") { model, tokenizer, corpus, batches, batchSize, maxSeq, seed, json };
        cmd.SetAction(r => CliErrors.Guard(() =>
        {
            string dir = r.GetValue(model)!;
            if (r.GetValue(batches) < 1) throw new ArgumentException("--batches must be ≥ 1");
            var tok = AlbertTokenizer.FromModelDirectory(r.GetValue(tokenizer) ?? dir);
            using var engine = CpuAlbertModel.Load(dir, AlbertHead.PreTraining);
            if (tok.VocabSize != engine.Config.VocabSize)
                throw new ArgumentException($"the tokenizer has {tok.VocabSize} pieces, the model's vocab_size is {engine.Config.VocabSize}");
            var options = new PretrainingDataOptions { MaxSeqLength = r.GetValue(maxSeq), Seed = r.GetValue(seed) };
            var source = new CorpusBatchSource(tok, r.GetValue(corpus)!, options, r.GetValue(batchSize));
            var m = PretrainingEvaluator.Evaluate(engine, source, r.GetValue(batches));
            if (r.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteNumber("masked_tokens", m.MaskedTokens);
                    w.WriteNumber("mlm_loss", m.MlmLoss);
                    w.WriteNumber("mlm_accuracy", m.MlmAccuracy);
                    w.WriteNumber("pairs", m.Pairs);
                    w.WriteNumber("sop_loss", m.SopLoss);
                    w.WriteNumber("sop_accuracy", m.SopAccuracy);
                    w.WriteEndObject();
                }
                stdout.Write("\n"u8);
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"MLM: accuracy {m.MlmAccuracy:P2}, loss {m.MlmLoss:F4} over {m.MaskedTokens} masked tokens; SOP: accuracy {m.SopAccuracy:P2}, loss {m.SopLoss:F4} over {m.Pairs} pairs"));
            }
            return 0;
        }));
        return cmd;
    }
}
