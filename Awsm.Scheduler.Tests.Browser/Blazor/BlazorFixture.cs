using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Awsm.Scheduler.Samples.Browser.Server;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Browser.Blazor;

/// <summary>
/// Publishes Awsm.Scheduler.Samples.Blazor once per test run (Release, trimmed, fingerprinted), rewrites its base href to
/// the sub-path <c>/app/</c> as a sub-path deployment does, and serves it twice on 127.0.0.1: plainly, and under a strict
/// Content-Security-Policy header that allows no <c>blob:</c> and no <c>data:</c> scripts. Chromium headless through Playwright
/// (<see cref="PlaywrightFixture"/>); every page's errors, console lines and requests are collected.
/// </summary>
public sealed partial class BlazorFixture(IMessageSink diagnostics) : PlaywrightFixture(diagnostics)
{
    public const string SampleProject = "Awsm.Scheduler.Samples.Blazor";
    public const string PathBase = "/app";

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);

    private StaticSiteHost? _host;
    private StaticSiteHost? _strictHost;

    public Uri BaseUri => _host!.BaseUri;

    public Uri StrictBaseUri => _strictHost!.BaseUri;

    /// <summary>Gets the policy the strict host sends: Blazor's import map needs its hash, WebAssembly needs 'wasm-unsafe-eval'.</summary>
    public string StrictPolicy { get; private set; } = string.Empty;

    protected override async Task StartSiteAsync()
    {
        string repo = SamplePublisher.FindRepositoryRoot(AppContext.BaseDirectory);
        string publishDir = Path.Combine(AppContext.BaseDirectory, "blazor-publish");
        var sw = Stopwatch.StartNew();
        string wwwroot = await SamplePublisher.PublishAsync(repo, SampleProject, publishDir, PublishTimeout);
        Log($"published {SampleProject} in {sw.Elapsed.TotalSeconds:0.0} s into {publishDir}");

        string index = Path.Combine(wwwroot, "index.html");
        string html = await File.ReadAllTextAsync(index);
        if (!html.Contains("<base href=\"/\" />", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the published index.html has no <base href=\"/\" /> to rewrite:\n{html}");
        }

        html = html.Replace("<base href=\"/\" />", $"<base href=\"{PathBase}/\" />", StringComparison.Ordinal);
        await File.WriteAllTextAsync(index, html);
        File.Delete(index + ".br");
        File.Delete(index + ".gz");

        // Blazor's import map is an inline script: a policy without 'unsafe-inline' must name its hash.
        Match map = ImportMap().Match(html);
        if (!map.Success)
        {
            throw new InvalidOperationException($"the published index.html has no import map:\n{html}");
        }

        string mapHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(map.Groups[1].Value)));
        StrictPolicy = $"script-src 'self' 'wasm-unsafe-eval' 'sha256-{mapHash}'; worker-src 'self'";

        _host = await StaticSiteHost.StartAsync(wwwroot, 0, crossOriginIsolated: false, PathBase, headers: null);
        _strictHost = await StaticSiteHost.StartAsync(wwwroot, 0, crossOriginIsolated: false, PathBase, new Dictionary<string, string> { ["Content-Security-Policy"] = StrictPolicy });
        Log($"serving {wwwroot} at {_host.BaseUri} and, under '{StrictPolicy}', at {_strictHost.BaseUri}");
    }

    /// <summary>Opens the sample in a fresh browser context (empty HTTP cache) and waits until Blazor rendered the page.</summary>
    public async Task<SamplePage> OpenAsync(bool strict = false)
    {
        IBrowserContext context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } }).WaitAsync(TimeSpan.FromSeconds(30));
        var page = new SamplePage(this, context, await context.NewPageAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        await page.Page.GotoAsync((strict ? StrictBaseUri : BaseUri).ToString(), new PageGotoOptions { Timeout = 30_000 });
        try
        {
            await page.Page.WaitForSelectorAsync("#run:not([disabled])", new PageWaitForSelectorOptions { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            await ScreenshotAsync(page.Page, "blazor-not-ready.png");
            throw new InvalidOperationException($"the Blazor sample did not render within 60 s:\n{string.Join('\n', page.Lines)}");
        }

        return page;
    }

    protected override async Task StopSiteAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_strictHost is not null)
        {
            await _strictHost.DisposeAsync();
        }
    }

    [GeneratedRegex("<script type=\"importmap\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ImportMap();
}

/// <summary>One page of the sample in its own browser context, with everything it reported.</summary>
public sealed class SamplePage : IAsyncDisposable
{
    private readonly BlazorFixture _fx;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _requests = new();

    public SamplePage(BlazorFixture fixture, IBrowserContext context, IPage page)
    {
        _fx = fixture;
        Context = context;
        Page = page;
        page.SetDefaultTimeout(60_000);
        page.Console += (_, msg) => Add($"console.{msg.Type}: {msg.Text}");
        page.PageError += (_, error) =>
        {
            _errors.Enqueue(error);
            Add($"pageerror: {error}");
        };
        page.Worker += (_, worker) => worker.Console += (_, msg) => Add($"worker console.{msg.Type}: {msg.Text}");
        context.Request += (_, request) => _requests.Enqueue(request.Url);
        context.RequestFailed += (_, request) => Add($"request failed: {request.Url} {request.Failure}");
        context.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _errors.Enqueue($"HTTP {response.Status} {response.Url}");
                Add($"HTTP {response.Status} {response.Url}");
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Gets uncaught page errors and HTTP errors.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>Gets every URL the page and its workers requested.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    public Task<T> EvalAsync<T>(string expression) => Page.EvaluateAsync<T>(expression).WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>Sets the job inputs and presses Run.</summary>
    public async Task RunAsync(int jobs, long perJob)
    {
        await Page.FillAsync("#job-count", jobs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Page.FillAsync("#per-job", perJob.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Page.ClickAsync("#run");
    }

    /// <summary>Waits until run number <paramref name="run"/> has ended, returns its state ("done" or "partial").</summary>
    public async Task<string> WaitForRunAsync(int run, int timeoutSeconds = 120)
    {
        try
        {
            await Page.WaitForFunctionAsync(
                $"() => document.querySelector('#status')?.dataset.runs === '{run}'",
                null,
                new PageWaitForFunctionOptions { Timeout = timeoutSeconds * 1000, PollingInterval = 50 });
        }
        catch (TimeoutException)
        {
            await _fx.ScreenshotAsync(Page, $"blazor-run-{run}-timeout.png");
            throw new TimeoutException($"run {run} did not end within {timeoutSeconds} s:\n{string.Join('\n', _lines)}");
        }

        string state = await Page.GetAttributeAsync("#status", "data-state") ?? string.Empty;
        string error = await EvalAsync<string>("() => document.querySelector('#error')?.textContent ?? ''");
        Add($"run {run}: {state}: {await Page.InnerTextAsync("#status")}{(error.Length > 0 ? $" (error: {error})" : string.Empty)}");
        return state;
    }

    public async Task<double> ElapsedMsAsync() =>
        double.Parse(await Page.GetAttributeAsync("#status", "data-elapsed-ms") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Gets every job row: state, worker and primes.</summary>
    public async Task<JobRowView[]> RowsAsync()
    {
        string json = await EvalAsync<string>(
            "() => JSON.stringify([...document.querySelectorAll('tr.job')].map(r => ({ job: +r.dataset.job, state: r.dataset.state, worker: r.dataset.worker === undefined ? -1 : +r.dataset.worker, primes: r.dataset.primes === undefined ? -1 : +r.dataset.primes })))");
        return JsonSerializer.Deserialize<JobRowView[]>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        _fx.Log(line);
    }
}

/// <summary>A job row as the page shows it.</summary>
public sealed record JobRowView(int Job, string State, int Worker, int Primes);

[CollectionDefinition(Name)]
public sealed class BlazorCollection : ICollectionFixture<BlazorFixture>
{
    public const string Name = "blazor";
}
