using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Browser;

/// <summary>
/// Worker start time (1 and 4 workers, with and without resource handover and module sharing) and round-trip latency of the WebWorker
/// transport against a plain JS worker measured the same way. Writes <c>browser-artifacts/webworker-measurements.{json,md}</c>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MeasurementTests : IDisposable
{
    private readonly BrowserFixture _fx;

    public MeasurementTests(BrowserFixture fixture, ITestOutputHelper output)
    {
        _fx = fixture;
        _fx.Output = output;
    }

    public void Dispose() => _fx.Output = null;

    [Fact]
    public async Task Measure_StartTimeAndRoundTrip_WritesTheFigures()
    {
        var results = new Dictionary<string, List<JsonElement>>();
        async Task Run(string key, string expression, int times)
        {
            for (int i = 0; i < times; i++)
            {
                JsonElement r = await _fx.CallAsync(expression, 120);
                Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
                (results.TryGetValue(key, out List<JsonElement>? list) ? list : results[key] = []).Add(r);
            }
        }

        // alternate so that background noise hits both variants alike
        for (int round = 0; round < 4; round++)
        {
            await Run("start1", "() => window.awsm.e2e.measureStart(1, false)", 1);
            await Run("start1Handover", "() => window.awsm.e2e.measureStart(1, true)", 1);
            await Run("start1Shared", "() => window.awsm.e2e.measureStart(1, true, true)", 1);
        }

        for (int round = 0; round < 3; round++)
        {
            await Run("start4", "() => window.awsm.e2e.measureStart(4, false)", 1);
            await Run("start4Handover", "() => window.awsm.e2e.measureStart(4, true)", 1);
            await Run("start4Shared", "() => window.awsm.e2e.measureStart(4, true, true)", 1);
        }

        for (int round = 0; round < 3; round++)
        {
            await Run("roundTripWebWorker", "() => window.awsm.e2e.measureRoundTrip(2000, 16)", 1);
            await Run("roundTripTransport", "() => window.awsm.e2e.measureTransportRoundTrip(2000, 16)", 1);
            await Run("roundTripPlainJs", "() => window.awsm.measureJsBaseline(2000, 16)", 1);
        }

        var md = new StringBuilder();
        md.AppendLine("| what | median of runs | runs |").AppendLine("|---|---|---|");
        void Row(string label, string key, string property, string unit)
        {
            double[] values = [.. results[key].Select(r => r.GetProperty(property).GetDouble()).Order()];
            string runs = string.Join(", ", values.Select(v => v.ToString("0", CultureInfo.InvariantCulture)));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | **{values[values.Length / 2]:0} {unit}** | {runs} |");
        }

        Row("start, 1 worker (pool.StartAsync → ready)", "start1", "allReadyMs", "ms");
        Row("start, 1 worker, resource handover", "start1Handover", "allReadyMs", "ms");
        Row("start, 1 worker, resource handover + shared module", "start1Shared", "allReadyMs", "ms");
        Row("start, 4 workers together", "start4", "allReadyMs", "ms");
        Row("start, 4 workers, resource handover", "start4Handover", "allReadyMs", "ms");
        Row("start, 4 workers, resource handover + shared module", "start4Shared", "allReadyMs", "ms");
        Row("round trip, WebWorker transport via pool, 16 B echo: median", "roundTripWebWorker", "medianUs", "µs");
        Row("round trip, WebWorker transport via pool: p99", "roundTripWebWorker", "p99Us", "µs");
        Row("round trip, bare WebWorker transport (no pool), 16 B echo: median", "roundTripTransport", "medianUs", "µs");
        Row("round trip, bare WebWorker transport: p99", "roundTripTransport", "p99Us", "µs");
        Row("round trip, plain JS worker, 16 B echo: median", "roundTripPlainJs", "medianUs", "µs");
        Row("round trip, plain JS worker: p99", "roundTripPlainJs", "p99Us", "µs");
        Row("plain JS worker start", "roundTripPlainJs", "startMs", "ms");

        string json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(Path.Combine(_fx.ArtifactsDirectory, "webworker-measurements.json"), json);
        await File.WriteAllTextAsync(Path.Combine(_fx.ArtifactsDirectory, "webworker-measurements.md"), md.ToString());
        _fx.Log(md.ToString());
    }
}
