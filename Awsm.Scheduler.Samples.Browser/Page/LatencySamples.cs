using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Awsm.Scheduler.Samples.Browser.Page;

/// <summary>Times sequential round trips and summarises them the one way every measurement hook reports them.</summary>
internal static class LatencySamples
{
    /// <summary>Runs <paramref name="roundTrip"/> <paramref name="count"/> times, one after the other, timing each.</summary>
    public static async Task<JsonObject> MeasureAsync(int count, Func<Task> roundTrip)
    {
        var samples = new double[count];
        var total = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            await roundTrip();
            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }

        return Summarize(samples, total.Elapsed);
    }

    /// <summary>Median, p99, mean and minimum of the samples (µs); sorts them in place.</summary>
    public static JsonObject Summarize(double[] samples, TimeSpan total)
    {
        Array.Sort(samples);
        int n = samples.Length;
        return new JsonObject
        {
            ["ok"] = true,
            ["count"] = n,
            ["medianUs"] = samples[n / 2],
            ["p99Us"] = samples[Math.Min(n - 1, (int)(n * 0.99))],
            ["meanUs"] = total.TotalMicroseconds / n,
            ["minUs"] = samples[0],
        };
    }
}
