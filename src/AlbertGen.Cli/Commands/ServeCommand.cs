using System.CommandLine;
using AlbertGen.Cli.Serve;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen serve [--model DIR] [--classifier DIR] [--host H] [--port P] …</c>: an HTTP server with TEI's routes
/// (/embed, /v1/embeddings, /classify, /fill-mask, /tokenize, /health, /info, /metrics) and dynamic batching
/// (src/AlbertGen.Cli/Serve, docs/serve.md).
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServeOptions();
        var model = new Option<string?>("--model") { Description = $"model folder for /embed, /v1/embeddings, /fill-mask, /tokenize (default: the embedded {EmbedCommand.DefaultModel} for embeddings and tokenize, {FillMaskCommand.DefaultModel} for fill-mask)" };
        var classifier = new Option<string?>("--classifier") { Description = $"sequence-classification folder for /classify (default: the embedded {ClassifyCommand.DefaultModel})" };
        var host = new Option<string>("--host") { Description = "address to listen on (0.0.0.0 or * for all)", DefaultValueFactory = _ => defaults.Host };
        var port = new Option<int>("--port") { Description = "TCP port (0: any free port; the URL is printed on stdout)", DefaultValueFactory = _ => defaults.Port };
        var maxBatchTokens = new Option<int>("--max-batch-tokens") { Description = "tokens one dynamic batch gathers from queued requests", DefaultValueFactory = _ => defaults.MaxBatchTokens };
        var maxQueue = new Option<int>("--max-queue") { Description = "requests waiting for the model; more get 429", DefaultValueFactory = _ => defaults.MaxQueue };
        var maxInputs = new Option<int>("--max-inputs") { Description = "texts per request; more get 413", DefaultValueFactory = _ => defaults.MaxInputs };
        var maxBodyBytes = new Option<long>("--max-body-bytes") { Description = "request body size; more get 413", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var cmd = new Command("serve", "HTTP server: embeddings (TEI and OpenAI routes), classification, fill-mask, tokenization, with dynamic batching")
        {
            model, classifier, host, port, maxBatchTokens, maxQueue, maxInputs, maxBodyBytes,
        };
        cmd.SetAction(r => CliErrors.Guard(() =>
        {
            var options = new ServeOptions
            {
                Model = r.GetValue(model),
                Classifier = r.GetValue(classifier),
                Host = r.GetValue(host)!,
                Port = r.GetValue(port),
                MaxBatchTokens = r.GetValue(maxBatchTokens),
                MaxQueue = r.GetValue(maxQueue),
                MaxInputs = r.GetValue(maxInputs),
                MaxBodyBytes = r.GetValue(maxBodyBytes),
            };
            Validate(options);
            return ServeServer.RunAsync(options).GetAwaiter().GetResult();
        }));
        return cmd;
    }

    static void Validate(ServeOptions o)
    {
        if (o.Port is < 0 or > 65535) throw new ArgumentException($"--port must be in [0, 65535], not {o.Port}");
        if (o.MaxBatchTokens < 1) throw new ArgumentException("--max-batch-tokens must be ≥ 1");
        if (o.MaxQueue < 1) throw new ArgumentException("--max-queue must be ≥ 1");
        if (o.MaxInputs < 1) throw new ArgumentException("--max-inputs must be ≥ 1");
        if (o.MaxBodyBytes < 1) throw new ArgumentException("--max-body-bytes must be ≥ 1");
        if (o.Host is not ("localhost" or "*" or "+") && !System.Net.IPAddress.TryParse(o.Host, out _))
            throw new ArgumentException($"--host must be an IP address, localhost or *, not '{o.Host}'");
    }
}
