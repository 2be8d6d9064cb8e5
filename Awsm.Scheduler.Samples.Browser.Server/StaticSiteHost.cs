using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Samples.Browser.Server;

/// <summary>Serves a published wwwroot on 127.0.0.1 with the MIME types a .NET WebAssembly app needs.</summary>
public sealed class StaticSiteHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StaticSiteHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>Gets the site's address, ending in a slash.</summary>
    public Uri BaseUri { get; }

    /// <summary>Starts serving <paramref name="root"/>.</summary>
    /// <param name="root">The folder (a publish output's wwwroot).</param>
    /// <param name="port">The port; 0 for any free one.</param>
    /// <param name="crossOriginIsolated">
    /// Send COOP/COEP. .NET does not need it; it only makes <c>performance.now()</c> finer (5 µs instead of 100 µs) for measurements.
    /// </param>
    /// <returns>The running host.</returns>
    public static Task<StaticSiteHost> StartAsync(string root, int port = 0, bool crossOriginIsolated = true) =>
        StartAsync(root, port, crossOriginIsolated, pathBase: null, headers: null);

    /// <summary>Starts serving <paramref name="root"/> under <paramref name="pathBase"/>, adding <paramref name="headers"/> to every response.</summary>
    /// <param name="root">The folder (a publish output's wwwroot).</param>
    /// <param name="port">The port; 0 for any free one.</param>
    /// <param name="crossOriginIsolated">Send COOP/COEP.</param>
    /// <param name="pathBase">A sub-path such as <c>/app</c> the site lives under (its index.html's base href must match); <see langword="null"/> for the root.</param>
    /// <param name="headers">Headers for every response (for example a Content-Security-Policy); <see langword="null"/> for none.</param>
    /// <returns>The running host; its <see cref="BaseUri"/> includes the path base.</returns>
    public static async Task<StaticSiteHost> StartAsync(string root, int port, bool crossOriginIsolated, string? pathBase, IReadOnlyDictionary<string, string>? headers)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root, WebRootPath = root });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();

        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".wasm"] = "application/wasm";
        types.Mappings[".js"] = "text/javascript";
        types.Mappings[".mjs"] = "text/javascript";
        types.Mappings[".json"] = "application/json";
        types.Mappings[".html"] = "text/html";
        types.Mappings[".css"] = "text/css";
        types.Mappings[".dat"] = "application/octet-stream";
        types.Mappings[".blat"] = "application/octet-stream";
        types.Mappings[".pdb"] = "application/octet-stream";
        types.Mappings[".webcil"] = "application/octet-stream";

        app.Use(async (context, next) =>
        {
            context.Response.Headers.CacheControl = "no-cache"; // revalidate like a dev server; dotnet.js fetches with SRI anyway
            foreach (KeyValuePair<string, string> header in headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[header.Key] = header.Value;
            }

            if (crossOriginIsolated)
            {
                context.Response.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
                context.Response.Headers["Cross-Origin-Embedder-Policy"] = "require-corp";
            }

            await next(context);
        });
        if (pathBase is not null)
        {
            app.UsePathBase(pathBase);
            app.Use((context, next) =>
            {
                // only the sub-path is the site: anything outside it is a 404, as on a real sub-path deployment
                if (!context.Request.PathBase.HasValue)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ContentTypeProvider = types, ServeUnknownFileTypes = false });

        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StaticSiteHost(app, new Uri(address.TrimEnd('/') + (pathBase is null ? "/" : "/" + pathBase.Trim('/') + "/")));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
