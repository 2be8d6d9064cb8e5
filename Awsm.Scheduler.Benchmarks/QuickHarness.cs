using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Awsm.Scheduler.Benchmarks;

/// <summary>
/// The quick mode. First, for information, a Stopwatch harness that runs every workload on every target in each
/// repetition (targets in a rotating order), probes the core placement before and after each repetition, and reports
/// medians over the repetitions taken under the most common clean placement (all of them if none was clean), as ratios
/// to the floor. Then the figures the issue's targets are judged on: <see cref="PairedHarness"/>, each library target
/// against Dataflow in adjacent cells, as medians of per-pair ratios.
/// </summary>
internal sealed class QuickHarness(int repetitions, TimeSpan cellTime, int pairs, TimeSpan pairCellTime)
{
    private const int InFlight = 64;

    private TimeSpan cell = cellTime;
    private const int Workers = 2;

    private readonly List<(double Before, double After)> _probes = [];
    private readonly List<Dictionary<(string Target, string Metric), double>> _reps = [];

    private static readonly byte[][] s_buffers = CreateBuffers();

    public async Task<int> RunAsync()
    {
        if (repetitions > 0)
        {
            await RunFullTableAsync();
            Console.WriteLine();
        }

        IReadOnlyList<(string Label, string Shown, bool Met)> targets = await new PairedHarness(pairs, pairCellTime).RunAsync();
        Console.WriteLine();
        Console.WriteLine("The issue's targets (paired ratios to Dataflow):");
        foreach ((string label, string shown, bool met) in targets)
        {
            Console.WriteLine($"- {label}: {shown} -> {(met ? "met" : "MISSED")}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Targets met: {targets.Count(t => t.Met)} of {targets.Count}."));
        return 0;
    }

    /// <summary>Every workload on every target, medians over repetitions: absolute figures, for information.</summary>
    private async Task RunFullTableAsync()
    {
        Console.WriteLine($"full table: {repetitions} repetitions, {cell.TotalMilliseconds:0} ms per cell, {Environment.ProcessorCount} cores, {Workers} workers, {InFlight} in flight");
        var total = Stopwatch.StartNew();

        // Warm-up pass, discarded: JIT tiers, thread-pool growth, first GCs.
        TimeSpan measured = cell;
        cell /= 3;
        foreach (string name in Target.All)
        {
            await MeasureTargetAsync(name);
        }

        cell = measured;
        for (int rep = 0; rep < repetitions; rep++)
        {
            double before = Placement.ProbeNanoseconds();
            var figures = new Dictionary<(string, string), double>();
            for (int k = 0; k < Target.All.Length; k++)
            {
                string name = Target.All[(k + rep) % Target.All.Length];
                foreach (KeyValuePair<string, double> figure in await MeasureTargetAsync(name))
                {
                    figures[(name, figure.Key)] = figure.Value;
                }
            }

            double after = Placement.ProbeNanoseconds();
            _probes.Add((before, after));
            _reps.Add(figures);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  rep {rep + 1}: ping-pong {before:0} ns before, {after:0} ns after; pool W1 {figures[("ByReference", "W1")] / 1e6:0.00} M/s, Dataflow {figures[("Dataflow", "W1")] / 1e6:0.00} M/s, floor {figures[("Floor", "W1")] / 1e6:0.00} M/s"));
        }

        Func<double, string> classify = Placement.Classifier([.. _probes.Select(p => p.Before), .. _probes.Select(p => p.After)]);
        var clean = new Dictionary<string, List<int>>();
        int mixed = 0;
        for (int rep = 0; rep < _reps.Count; rep++)
        {
            string a = classify(_probes[rep].Before);
            string b = classify(_probes[rep].After);
            if (a != b)
            {
                mixed++;
                continue;
            }

            if (!clean.TryGetValue(a, out List<int>? list))
            {
                clean[a] = list = [];
            }

            list.Add(rep);
        }

        Console.WriteLine();
        List<int> used;
        if (clean.Count == 0)
        {
            // The paired cells below do not depend on the placement; this table is for information only.
            used = [.. Enumerable.Range(0, _reps.Count)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Placement: every repetition was mixed (the placement changed during it); the table uses all {_reps.Count}, so its absolute figures and ratios are indicative only. Took {total.Elapsed.TotalSeconds:0} s."));
        }
        else
        {
            KeyValuePair<string, List<int>> chosen = clean.OrderByDescending(c => c.Value.Count).First();
            used = chosen.Value;
            double[] rtts = [.. chosen.Value.SelectMany(r => new[] { _probes[r].Before, _probes[r].After })];
            string others = string.Join(", ", clean.Where(c => c.Key != chosen.Key).Select(c => $"{c.Value.Count} {c.Key}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Placement: {chosen.Key} (cross-core ping-pong median {Median(rtts):0} ns); {chosen.Value.Count} of {_reps.Count} repetitions used, {mixed} mixed{(others.Length > 0 ? $", {others} (other placement, not compared)" : string.Empty)}. Took {total.Elapsed.TotalSeconds:0} s."));
        }

        Console.WriteLine();
        Console.WriteLine(Table(used));
    }

    /// <summary>Runs W1 on one target for <paramref name="duration"/> and prints the rate (a profiling session).</summary>
    public static async Task ProfileAsync(string name, TimeSpan duration)
    {
        var harness = new QuickHarness(1, duration, 0, duration);
        await using Target target = Target.Create(name);
        await target.StartAsync(Workers);
        (double rate, double bytes) = await harness.ThroughputAsync(target, hash: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target.Name}: W1 {rate / 1e6:0.00} M jobs/s, {bytes:0} B/job"));
    }

    private double Fig(List<int> reps, string target, string metric)
    {
        double[] values = [.. reps.Select(r => _reps[r].TryGetValue((target, metric), out double v) ? v : double.NaN).Where(v => !double.IsNaN(v))];
        return values.Length == 0 ? double.NaN : Median(values);
    }

    private string Table(List<int> reps)
    {
        double Fig(string target, string metric) => this.Fig(reps, target, metric);

        (string Label, string Metric, Func<double, string> Format)[] rows =
        [
            ("W1 no-op, 64 in flight (jobs/s)", "W1", Rate),
            ("W1 allocated (B/job)", "W1.alloc", v => v.ToString("0", CultureInfo.InvariantCulture)),
            ("W2 SHA-256 1 KiB, 64 in flight (jobs/s)", "W2", Rate),
            ("W3 1 in flight p50 (µs)", "W3.p50", Micro),
            ("W3 1 in flight p99 (µs)", "W3.p99", Micro),
            ("W3 1 in flight p99.9 (µs)", "W3.p999", Micro),
            ("start+dispose, 2 workers (µs)", "S2", Micro),
            ("start+dispose, 8 workers (µs)", "S8", Micro),
        ];

        string[] headers = ["workload", .. Target.All.Select(t => Target.Create(t).Name)];
        var cells = new List<string[]>();
        foreach ((string label, string metric, Func<double, string> format) in rows)
        {
            double floor = Fig("Floor", metric);
            var row = new List<string> { label };
            foreach (string target in Target.All)
            {
                double v = Fig(target, metric);
                if (double.IsNaN(v))
                {
                    row.Add("—");
                }
                else if (metric == "W1.alloc" || target == "Floor" || floor == 0)
                {
                    row.Add(format(v));
                }
                else
                {
                    row.Add(string.Create(CultureInfo.InvariantCulture, $"{format(v)} ({v / floor:0.00}×)"));
                }
            }

            cells.Add([.. row]);
        }

        int[] widths = [.. Enumerable.Range(0, headers.Length).Select(i => Math.Max(headers[i].Length, cells.Max(c => c[i].Length)))];
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", headers.Select((h, i) => h.PadRight(widths[i]))) + " |");
        sb.AppendLine("|" + string.Join("|", widths.Select((w, i) => i == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
        foreach (string[] row in cells)
        {
            sb.AppendLine("| " + string.Join(" | ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |");
        }

        sb.Append("Ratios (×) are the figure divided by the floor's figure: above 1 is better for jobs/s, below 1 is better for µs. Figures are medians over the repetitions listed above.");
        return sb.ToString();
    }

    private async Task<Dictionary<string, double>> MeasureTargetAsync(string name)
    {
        var figures = new Dictionary<string, double>();
        await using (Target target = Target.Create(name))
        {
            await target.StartAsync(Workers);
            (double w1, double alloc) = await ThroughputAsync(target, hash: false);
            figures["W1"] = w1;
            figures["W1.alloc"] = alloc;
            (figures["W2"], _) = await ThroughputAsync(target, hash: true);
            (figures["W3.p50"], figures["W3.p99"], figures["W3.p999"]) = await LatencyAsync(target);
        }

        if (name != "TaskRun")
        {
            figures["S2"] = await StartDisposeAsync(name, 2);
            figures["S8"] = await StartDisposeAsync(name, 8);
        }

        return figures;
    }

    private async Task<(double JobsPerSecond, double BytesPerJob)> ThroughputAsync(Target target, bool hash)
    {
        var counts = new long[InFlight * 16];
        bool stop = false;
        async Task Loop(int slot)
        {
            await Task.Yield();
            byte[] buffer = s_buffers[slot];
            int i = 0;
            while (!Volatile.Read(ref stop))
            {
                int result = hash ? await target.Hash(buffer) : await target.NoOp(i);
                i += result & 1;
                counts[slot * 16]++;
            }
        }

        Task[] loops = [.. Enumerable.Range(0, InFlight).Select(Loop)];
        await Task.Delay(cell / 3);
        long jobs0 = Sum(counts);
        long bytes0 = GC.GetTotalAllocatedBytes(precise: false);
        long t0 = Stopwatch.GetTimestamp();
        await Task.Delay(cell);
        long jobs1 = Sum(counts);
        long bytes1 = GC.GetTotalAllocatedBytes(precise: false);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(t0);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(loops);
        double jobs = jobs1 - jobs0;
        return (jobs / elapsed.TotalSeconds, (bytes1 - bytes0) / jobs);
    }

    /// <summary>One job in flight for <paramref name="duration"/>: each round trip in Stopwatch ticks. Returns how many were taken.</summary>
    internal static async Task<int> RoundTripsAsync(Target target, long[] samples, TimeSpan duration)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        int count = 0;
        while (count < samples.Length)
        {
            long start = Stopwatch.GetTimestamp();
            await target.NoOp(count);
            long stopAt = Stopwatch.GetTimestamp();
            samples[count++] = stopAt - start;
            if (stopAt >= end)
            {
                break;
            }
        }

        return count;
    }

    private async Task<(double P50, double P99, double P999)> LatencyAsync(Target target)
    {
        var samples = new long[4_000_000];
        int n = await Task.Run(async () =>
        {
            long warmEnd = Stopwatch.GetTimestamp() + (long)(cell.TotalSeconds / 3 * Stopwatch.Frequency);
            int i = 0;
            while (Stopwatch.GetTimestamp() < warmEnd)
            {
                await target.NoOp(i++);
            }

            return await RoundTripsAsync(target, samples, cell);
        });

        Array.Sort(samples, 0, n);
        double Pct(double p) => samples[Math.Clamp((int)Math.Ceiling(p / 100 * n) - 1, 0, n - 1)] * 1e6 / Stopwatch.Frequency;
        return (Pct(50), Pct(99), Pct(99.9));
    }

    private static async Task<double> StartDisposeAsync(string name, int workers)
    {
        var times = new double[7];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Target target = Target.Create(name);
            await target.StartAsync(workers);
            await target.NoOp(0);
            await target.DisposeAsync();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return Median(times);
    }

    private static long Sum(long[] counts)
    {
        long sum = 0;
        for (int i = 0; i < counts.Length; i += 16)
        {
            sum += Volatile.Read(ref counts[i]);
        }

        return sum;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Rate(double v) => v >= 1e6
        ? string.Create(CultureInfo.InvariantCulture, $"{v / 1e6:0.00} M")
        : string.Create(CultureInfo.InvariantCulture, $"{v / 1e3:0} k");

    private static string Micro(double v) => v >= 100
        ? v.ToString("0", CultureInfo.InvariantCulture)
        : v.ToString(v >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static byte[][] CreateBuffers()
    {
        var random = new Random(42);
        var buffers = new byte[InFlight][];
        for (int i = 0; i < buffers.Length; i++)
        {
            buffers[i] = new byte[1024];
            random.NextBytes(buffers[i]);
        }

        return buffers;
    }
}
