using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlbertGen.Cli.Serve;

/// <summary>
/// <c>albertgen serve</c>: Kestrel through <c>WebApplication.CreateSlimBuilder</c> (NativeAOT-clean; routes mapped as
/// plain <see cref="RequestDelegate"/>s, JSON by <see cref="Json.ServeJsonContext"/>). Models load before the socket
/// opens, so /health answers 200 as soon as anything answers. SIGTERM/Ctrl+C: the generic host stops accepting and
/// waits for the accepted requests (the worker keeps running until they are answered), then the queue drains and the
/// process exits 0.
/// </summary>
internal static class ServeServer
{
    public static async Task<int> RunAsync(ServeOptions options)
    {
        using var models = ServeModels.Load(options);
        var queue = new InferenceQueue(models, options);
        var handlers = new ServeHandlers(models, queue, options);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout carries only the URL line
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            switch (options.Host)
            {
                case "localhost": k.ListenLocalhost(options.Port); break;
                case "*" or "+": k.ListenAnyIP(options.Port); break;
                default: k.Listen(IPAddress.Parse(options.Host), options.Port); break;
            }
        });
        var app = builder.Build();

        // metrics for every request: route (known routes only, to bound the label set), status, latency
        var known = new HashSet<string>(ServeHandlers.Routes, StringComparer.Ordinal);
        app.Use(async (context, next) =>
        {
            string path = context.Request.Path.Value ?? "";
            string route = known.Contains(path) ? path : "other";
            bool inference = context.Request.Method == HttpMethods.Post && route != "other";
            if (inference) queue.Metrics.Started();
            long start = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                queue.Metrics.Finished(route, context.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalSeconds, inference);
            }
        });
        void Get(string route, RequestDelegate handler) => app.MapGet(route, context => handlers.Guard(context, handler, route));
        void Post(string route, RequestDelegate handler) => app.MapPost(route, context => handlers.Guard(context, handler, route));
        Get("/health", handlers.Health);
        Get("/info", handlers.Info);
        Get("/metrics", handlers.Metrics);
        Post("/embed", handlers.Embed);
        Post("/v1/embeddings", handlers.OpenAiEmbeddings);
        Post("/classify", handlers.Classify);
        Post("/predict", handlers.Classify);
        Post("/fill-mask", handlers.FillMask);
        Post("/tokenize", handlers.Tokenize);

        queue.Start();
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        Console.Out.WriteLine($"albertgen serve: listening on {addresses?.FirstOrDefault() ?? $"http://{options.Host}:{options.Port}"}");
        Console.Out.Flush();
        await app.WaitForShutdownAsync();
        await queue.DrainAsync();
        await app.DisposeAsync();
        return 0;
    }
}
