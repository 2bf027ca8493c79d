using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AlbertGen.Cli.Serve.Json;
using AlbertGen.Model;
using AlbertGen.Tasks;
using AlbertGen.Tasks.Pipelines;
using Microsoft.AspNetCore.Http;

namespace AlbertGen.Cli.Serve;

/// <summary>
/// The routes (TEI's request and response shapes; docs/serve.md). Inference routes validate and tokenize on the request
/// thread (to count tokens and to reject bad input before it takes a queue slot), then wait for the batching worker.
/// </summary>
internal sealed class ServeHandlers(ServeModels models, InferenceQueue queue, ServeOptions options)
{
    static readonly string Version =
        typeof(ServeHandlers).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    // relaxed escaping: messages keep their quotes and the version its '+' (still valid JSON; responses are not HTML)
    static readonly ServeJsonContext Json = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static readonly string[] Routes =
        ["/health", "/info", "/metrics", "/embed", "/v1/embeddings", "/classify", "/predict", "/fill-mask", "/tokenize"];

    public Task Health(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return Task.CompletedTask;
    }

    public Task Info(HttpContext context)
    {
        var config = (models.Embeddings ?? models.Classifier)?.Backend.Config;
        var info = new InfoResponse(models.EmbeddingsId, models.ClassifierId, config?.MaxPositionEmbeddings ?? 0, options.MaxBatchTokens,
            options.MaxQueue, options.MaxInputs, options.MaxBodyBytes, models.Embeddings?.Backend.Config.HiddenSize ?? 0, Routes, Version);
        return WriteAsync(context, StatusCodes.Status200OK, info, Json.InfoResponse);
    }

    public Task Metrics(HttpContext context)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        return context.Response.WriteAsync(queue.Metrics.Render(), context.RequestAborted);
    }

    /// <summary>
    /// POST /embed <c>{"inputs": "text" | [...], "normalize": bool}</c> → <c>[[float, …], …]</c>: pooling as the model
    /// folder's sentence-transformers modules say (else mean); <c>normalize</c> defaults to whether they normalise.
    /// </summary>
    public async Task Embed(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context);
        var texts = RequestBody.Texts(body, "inputs", options.MaxInputs);
        bool normalize = RequestBody.Bool(body, "normalize", models.EmbeddingSettings.Normalize);
        var pipelines = Available(models.Embeddings, models.EmbeddingsMissing);
        var request = new InferenceRequest(InferenceKind.Embed, texts, Tokens(pipelines, texts, requireMask: false), 0, context.RequestAborted);
        if (!await SubmitAsync(context, request)) return;
        var vectors = request.Embeddings;
        if (normalize) foreach (var v in vectors) TaskMath.NormalizeL2(v);
        await WriteAsync(context, StatusCodes.Status200OK, vectors, Json.SingleArrayArray);
    }

    /// <summary>POST /v1/embeddings <c>{"input": "text" | [...], "model": "…"}</c> → OpenAI's embeddings response.</summary>
    public async Task OpenAiEmbeddings(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context);
        var texts = RequestBody.Texts(body, "input", options.MaxInputs);
        RequestBody.String(body, "model");
        string? format = RequestBody.String(body, "encoding_format");
        if (format is not (null or "float"))
            throw ServeException.Validation($"'encoding_format' \"{format}\" is not supported; use \"float\"");
        var pipelines = Available(models.Embeddings, models.EmbeddingsMissing);
        int tokens = Tokens(pipelines, texts, requireMask: false);
        var request = new InferenceRequest(InferenceKind.Embed, texts, tokens, 0, context.RequestAborted);
        if (!await SubmitAsync(context, request)) return;
        var vectors = request.Embeddings;
        if (models.EmbeddingSettings.Normalize) foreach (var v in vectors) TaskMath.NormalizeL2(v);
        var data = new OpenAiEmbedding[vectors.Length];
        for (int i = 0; i < vectors.Length; i++) data[i] = new OpenAiEmbedding("embedding", vectors[i], i);
        var response = new OpenAiEmbeddingsResponse("list", data, models.EmbeddingsId, new OpenAiUsage(tokens, tokens));
        await WriteAsync(context, StatusCodes.Status200OK, response, Json.OpenAiEmbeddingsResponse);
    }

    /// <summary>POST /classify and /predict <c>{"inputs": ...}</c> → <c>[[{"label", "score"}, …], …]</c>, best first.</summary>
    public async Task Classify(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context);
        var texts = RequestBody.Texts(body, "inputs", options.MaxInputs);
        var pipelines = Available(models.Classifier, models.ClassifierMissing);
        var request = new InferenceRequest(InferenceKind.Classify, texts, Tokens(pipelines, texts, requireMask: false), 0, context.RequestAborted);
        if (!await SubmitAsync(context, request)) return;
        var result = request.Labels.Select(l => l.Select(s => new LabelScoreJson(s.Label, s.Score)).ToArray()).ToArray();
        await WriteAsync(context, StatusCodes.Status200OK, result, Json.LabelScoreJsonArrayArray);
    }

    /// <summary>POST /fill-mask <c>{"inputs": ..., "top_k": 5}</c> → per input, per [MASK], the candidates best first.</summary>
    public async Task FillMask(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context);
        var texts = RequestBody.Texts(body, "inputs", options.MaxInputs);
        int topK = RequestBody.Int(body, "top_k", 5, 1, 100);
        var pipelines = Available(models.FillMask, models.FillMaskMissing);
        var request = new InferenceRequest(InferenceKind.FillMask, texts, Tokens(pipelines, texts, requireMask: true), topK, context.RequestAborted);
        if (!await SubmitAsync(context, request)) return;
        var result = request.Candidates
            .Select(masks => masks.Select(m => m.Select(c => new FillMaskJson(c.Token, c.TokenId, c.Score, c.Sequence)).ToArray()).ToArray())
            .ToArray();
        await WriteAsync(context, StatusCodes.Status200OK, result, Json.FillMaskJsonArrayArrayArray);
    }

    /// <summary>POST /tokenize <c>{"inputs": ..., "add_special_tokens": true}</c> → ids, tokens, offsets per input (no queue: no model call).</summary>
    public async Task Tokenize(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context);
        var texts = RequestBody.Texts(body, "inputs", options.MaxInputs);
        bool special = RequestBody.Bool(body, "add_special_tokens", true);
        var pipelines = Available(models.Embeddings, models.EmbeddingsMissing);
        int max = pipelines.Backend.Config.MaxPositionEmbeddings;
        var result = texts.Select(t =>
        {
            var enc = pipelines.Tokenizer.Encode(t, addSpecialTokens: special, maxLength: max);
            return new TokenizeJson(enc.Ids, enc.Pieces, enc.Offsets.Select(o => new[] { o.Start, o.End }).ToArray());
        }).ToArray();
        await WriteAsync(context, StatusCodes.Status200OK, result, Json.TokenizeJsonArray);
    }

    /// <summary>Runs <paramref name="route"/>; a refused request gets its status and a JSON error, anything else a 500.</summary>
    public async Task Guard(HttpContext context, RequestDelegate route, string name)
    {
        try
        {
            await route(context);
        }
        catch (ServeException e)
        {
            queue.Metrics.Error(name, e.ErrorType);
            await WriteErrorAsync(context, e.Status, e.ErrorType, e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away; nobody reads an answer
            queue.Metrics.Error(name, "Cancelled");
            context.Response.StatusCode = 499;
        }
        catch (AlbertInputException e)
        {
            queue.Metrics.Error(name, "Validation");
            await WriteErrorAsync(context, StatusCodes.Status422UnprocessableEntity, "Validation", e.Message);
        }
        catch (Exception e)
        {
            queue.Metrics.Error(name, "Backend");
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "Backend", e.Message);
        }
    }

    static async Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        if (context.Response.HasStarted) return;
        await WriteAsync(context, status, new ErrorResponse(message, type), Json.ErrorResponse);
    }

    // true when the worker answered; the request's exception (if any) is rethrown to Guard
    async Task<bool> SubmitAsync(HttpContext context, InferenceRequest request)
    {
        if (!queue.TryEnqueue(request))
        {
            if (queue.Closed) throw new ServeException(StatusCodes.Status503ServiceUnavailable, "Unhealthy", "the server is shutting down");
            throw new ServeException(StatusCodes.Status429TooManyRequests, "Overloaded",
                $"the queue is full ({options.MaxQueue} requests waiting, --max-queue); retry later");
        }
        await request.Completion.Task.WaitAsync(context.RequestAborted);
        return true;
    }

    static TextPipelines Available(TextPipelines? pipelines, string? missing) =>
        pipelines ?? throw new ServeException(StatusCodes.Status501NotImplemented, "NotImplemented", missing ?? "no model for this route");

    // tokenized lengths (truncated as the pipelines truncate); fill-mask needs a [MASK] in every text
    static int Tokens(TextPipelines pipelines, string[] texts, bool requireMask)
    {
        int max = pipelines.Backend.Config.MaxPositionEmbeddings, mask = pipelines.Tokenizer.MaskTokenId, total = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            var enc = pipelines.Tokenizer.Encode(texts[i], maxLength: max);
            if (requireMask && Array.IndexOf(enc.Ids, mask) < 0)
                throw ServeException.Validation($"input {i} has no {pipelines.Tokenizer.MaskToken} token (after truncation to {max} tokens)");
            total += enc.Length;
        }
        return total;
    }

    static async Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }
}
