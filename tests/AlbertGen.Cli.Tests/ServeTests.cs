using System.Net;
using System.Text;
using System.Text.Json;

namespace AlbertGen.Cli.Tests;

/// <summary>
/// <c>albertgen serve</c> over HTTP on loopback: the routes answer what the verbs print, malformed requests get 4xx
/// with a JSON error and leave the server healthy, overload answers 429 at once, SIGTERM loses no accepted request.
/// </summary>
public class ServeTests(ServeFixture fixture) : IClassFixture<ServeFixture>
{
    static readonly string[] Sentences =
    [
        "it 's a charming and often affecting journey .",
        "unflinchingly bleak and desperate",
        "allows us to hope that nolan is poised to embark a major career as a commercial yet inventive filmmaker .",
        "the acting , costumes , music , cinematography and sound are all astounding given the production 's austere locales .",
        "it 's slow -- very , very slow .",
        "a gripping, funny film",
    ];

    HttpClient Client => fixture.Server.Client;

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    static async Task<JsonElement> PostJson(HttpClient client, string route, string body)
    {
        using var response = await client.PostAsync(route, Json(body));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{route}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static string Inputs(string field, IEnumerable<string> texts) => JsonSerializer.Serialize(new Dictionary<string, string[]> { [field] = texts.ToArray() });

    static float[] Floats(JsonElement array) => array.EnumerateArray().Select(x => x.GetSingle()).ToArray();

    static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"[{i}] {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public async Task Embed_and_openai_embeddings_equal_the_embed_verb()
    {
        var cli = Cli.Run(["embed", .. Sentences]);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        var expected = cli.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => Floats(JsonDocument.Parse(l).RootElement.GetProperty("embedding"))).ToArray();

        var tei = (await PostJson(Client, "/embed", Inputs("inputs", Sentences))).EnumerateArray().Select(Floats).ToArray();
        var openAi = await PostJson(Client, "/v1/embeddings", Inputs("input", Sentences));
        Assert.Equal("list", openAi.GetProperty("object").GetString());
        Assert.Equal("albert-default-embed", openAi.GetProperty("model").GetString());
        var usage = openAi.GetProperty("usage");
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > Sentences.Length * 2);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
        var data = openAi.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(Sentences.Length, tei.Length);
        Assert.Equal(Sentences.Length, data.Length);
        for (int i = 0; i < Sentences.Length; i++)
        {
            AssertClose(expected[i], tei[i]);
            Assert.Equal("embedding", data[i].GetProperty("object").GetString());
            Assert.Equal(i, data[i].GetProperty("index").GetInt32());
            AssertClose(expected[i], Floats(data[i].GetProperty("embedding")));
        }

        // one text as a string; normalize: unit length
        var single = (await PostJson(Client, "/embed", $$"""{"inputs": {{JsonSerializer.Serialize(Sentences[0])}}, "normalize": true}""")).EnumerateArray().Single();
        var unit = Floats(single);
        Assert.Equal(1.0, Math.Sqrt(unit.Sum(x => (double)x * x)), 4);
    }

    [Fact]
    public async Task Classify_and_predict_equal_the_classify_verb()
    {
        var cli = Cli.Run(["classify", "--json", .. Sentences]);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        var expected = cli.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        foreach (var route in new[] { "/classify", "/predict" })
        {
            var results = (await PostJson(Client, route, Inputs("inputs", Sentences))).EnumerateArray().ToArray();
            Assert.Equal(Sentences.Length, results.Length);
            for (int i = 0; i < results.Length; i++)
            {
                var labels = results[i].EnumerateArray().ToArray();
                Assert.Equal(expected[i].GetProperty("label").GetString(), labels[0].GetProperty("label").GetString());
                foreach (var l in labels)
                {
                    float want = expected[i].GetProperty("scores").GetProperty(l.GetProperty("label").GetString()!).GetSingle();
                    Assert.Equal(want, l.GetProperty("score").GetSingle(), 1e-6f);
                }
            }
        }
    }

    [Fact]
    public async Task Fill_mask_tokenize_info_health_and_metrics_answer()
    {
        var masks = await PostJson(Client, "/fill-mask", """{"inputs": ["The [MASK] was bright."], "top_k": 3}""");
        var candidates = masks[0][0].EnumerateArray().ToArray();
        Assert.Equal(3, candidates.Length);
        Assert.DoesNotContain("[MASK]", candidates[0].GetProperty("sequence").GetString());

        var tokens = (await PostJson(Client, "/tokenize", """{"inputs": "the sea"}""")).EnumerateArray().Single();
        Assert.Equal(["[CLS]", "the", "sea", "[SEP]"], tokens.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal(4, tokens.GetProperty("ids").GetArrayLength());
        Assert.Equal(4, tokens.GetProperty("offsets").GetArrayLength());

        var info = JsonDocument.Parse(await Client.GetStringAsync("/info")).RootElement;
        Assert.Equal(512, info.GetProperty("max_input_length").GetInt32());
        Assert.Equal(2048, info.GetProperty("max_batch_tokens").GetInt32());
        Assert.Equal("albert-default-sst2", info.GetProperty("classifier_id").GetString());

        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health")).StatusCode);
        string metrics = await Client.GetStringAsync("/metrics");
        Assert.Contains("albertgen_requests_total{route=\"/fill-mask\",status=\"200\"}", metrics);
        Assert.Contains("albertgen_request_duration_seconds_bucket{route=\"/tokenize\",le=\"+Inf\"}", metrics);
        Assert.Contains("albertgen_batch_size_count", metrics);
        Assert.Contains("albertgen_queue_depth", metrics);
    }

    /// <summary>Bad JSON, wrong types, empty and oversized inputs: 200 of them, each a 4xx with a JSON error.</summary>
    [Fact]
    public async Task Two_hundred_malformed_requests_get_4xx_and_the_server_stays_healthy()
    {
        string huge = new('a', ServeFixture.MaxBodyBytes + 10);
        string many = Inputs("inputs", Enumerable.Repeat("x", ServeFixture.MaxInputs + 1));
        string[] bodies =
        [
            "", "{", "not json", "[1, 2]", "\"text\"", "null", "{\"inputs\": }", "{\"inputs\": \"a\"", "{\"inputs\": \"a\"}}", "\u00ff\u00fe",
            "{}", "{\"text\": \"a\"}", "{\"inputs\": 5}", "{\"inputs\": true}", "{\"inputs\": {\"a\": 1}}", "{\"inputs\": [1, 2]}",
            "{\"inputs\": [\"a\", null]}", "{\"inputs\": [[\"a\"]]}", "{\"inputs\": []}", "{\"inputs\": \"\"}", "{\"inputs\": [\"a\", \"  \"]}",
            "{\"inputs\": \"" + huge + "\"}", many,
        ];
        string[] routes = ["/embed", "/v1/embeddings", "/classify", "/fill-mask", "/tokenize"];
        var requests = routes.SelectMany(r => bodies.Select(b => (Route: r, Body: r == "/v1/embeddings" ? b.Replace("\"inputs\"", "\"input\"") : b)))
            .Concat([
                ("/embed", "{\"inputs\": \"a\", \"normalize\": \"yes\"}"),
                ("/fill-mask", "{\"inputs\": \"a [MASK]\", \"top_k\": 0}"),
                ("/fill-mask", "{\"inputs\": \"a [MASK]\", \"top_k\": 1.5}"),
                ("/fill-mask", "{\"inputs\": \"no mask here\"}"),
                ("/v1/embeddings", "{\"input\": \"a\", \"encoding_format\": \"base64\"}"),
                ("/tokenize", "{\"inputs\": \"a\", \"add_special_tokens\": 1}"),
            ]).ToArray();
        int sent = 0;
        for (int i = 0; sent < 200; i++)
        {
            var (route, body) = requests[(i * 7) % requests.Length];
            using var response = await Client.PostAsync(route, Json(body));
            int status = (int)response.StatusCode;
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(status is >= 400 and < 500, $"{route} {Shorten(body)}: {status} {text}");
            var error = JsonDocument.Parse(text).RootElement;
            Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));
            Assert.False(string.IsNullOrEmpty(error.GetProperty("error_type").GetString()));
            sent++;
        }
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health")).StatusCode);
        await PostJson(Client, "/embed", """{"inputs": "still alive"}""");
    }

    static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    [Fact]
    public async Task Two_hundred_fifty_six_concurrent_requests_get_only_200_429_or_503()
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = fixture.Server.Url, Timeout = TimeSpan.FromSeconds(120) };
        var tasks = Enumerable.Range(0, 256).Select(async i =>
        {
            string route = (i % 3) switch { 0 => "/embed", 1 => "/classify", _ => "/v1/embeddings" };
            string field = route == "/v1/embeddings" ? "input" : "inputs";
            using var response = await client.PostAsync(route, Json(Inputs(field, [Sentences[i % Sentences.Length], Sentences[(i + 1) % Sentences.Length]])));
            return (int)response.StatusCode;
        }).ToArray();
        var statuses = await Task.WhenAll(tasks);
        Assert.All(statuses, s => Assert.Contains(s, new[] { 200, 429, 503 }));
        Assert.Contains(200, statuses);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health")).StatusCode);
    }

    /// <summary>Requests the server has accepted (all of them in flight) when SIGTERM comes each get their 200; exit code 0.</summary>
    [Fact]
    public async Task Sigterm_under_load_answers_every_accepted_request_and_exits_0()
    {
        using var server = new ServerProcess("--max-batch-tokens", "256");
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(120) };
        const int N = 24;
        string body = Inputs("inputs", Enumerable.Repeat(string.Join(' ', Sentences), 4));
        var tasks = Enumerable.Range(0, N).Select(async _ =>
        {
            using var response = await client.PostAsync("/embed", Json(body));
            return (int)response.StatusCode;
        }).ToArray();
        // wait until the server holds all N (accepted, not yet answered), then SIGTERM
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            string metrics = await client.GetStringAsync("/metrics");
            var line = metrics.Split('\n').Single(l => l.StartsWith("albertgen_requests_in_flight ", StringComparison.Ordinal));
            long inFlight = long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            long done = tasks.Count(t => t.IsCompleted);
            if (inFlight + done >= N && inFlight > 0) break;
            Assert.True(DateTime.UtcNow < deadline, $"only {inFlight} in flight, {done} done");
            await Task.Delay(20);
        }
        server.Terminate();
        var statuses = await Task.WhenAll(tasks);
        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(60)));
    }
}
