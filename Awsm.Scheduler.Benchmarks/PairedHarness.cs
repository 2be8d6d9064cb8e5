using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Awsm.Scheduler.Benchmarks;

/// <summary>
/// The paired half of quick mode. Each library target is measured against Dataflow in adjacent short cells (order
/// alternating AB, BA, AB, ... so neither side always runs second), one ratio per pair. The core placement of this VM
/// moves absolute figures 2-4× within seconds, but both cells of a pair almost always share one placement, so a pair's
/// ratio compares like with like. The ratio itself still differs between placements (the targets respond to it
/// differently), so each pair is probed before and after and the medians are also given per placement. Every cell also records process CPU per job, bytes allocated
/// per job, thread-pool work items per job and the number of distinct threads that ran the job.
/// </summary>
internal sealed class PairedHarness(int pairs, TimeSpan cell)
{
    private const int InFlight = 64;
    private const int Workers = 2;
    private const string Reference = "Dataflow";

    /// <summary>The library targets, each compared with Dataflow: ByReference and Serialized use the default threading.</summary>
    private static readonly string[] s_libraries = ["ByReference", "Serialized", "Floor"];

    private static readonly string[] s_workloads = ["W1", "W3"];

    private readonly long[] _samples = new long[1 << 20];

    /// <summary>(library, workload) → the pairs: both cells and the placement probes taken just before and after.</summary>
    private readonly Dictionary<(string Library, string Workload), List<Pair>> _pairs = [];

    /// <summary>Names a probe's placement, once every probe is in.</summary>
    private Func<double, string> _classify = _ => "near";

    /// <summary>
    /// One cell. <see cref="Value"/> is jobs/s for W1 and the p50 round trip in µs for W3; the rest are per completed job,
    /// except <see cref="JobThreads"/>, the distinct threads that ran the job during the cell, and
    /// <see cref="DedicatedThreads"/>, how many of them were not thread-pool threads.
    /// </summary>
    private readonly record struct Pair(Cell Library, Cell Reference, double Before, double After);

    private readonly record struct Cell(double Value, double CpuNsPerJob, double BytesPerJob, double ItemsPerJob, int JobThreads, int DedicatedThreads);

    public async Task<IReadOnlyList<(string Label, string Shown, bool Met)>> RunAsync()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"paired cells: each target against Dataflow, {pairs} pairs per workload, {cell.TotalMilliseconds:0} ms per cell (after {Warm.TotalMilliseconds:0} ms warm-up), order alternating"));
        var total = Stopwatch.StartNew();
        var targets = new Dictionary<string, Target>();
        try
        {
            foreach (string name in (string[])[Reference, .. s_libraries])
            {
                Target target = Target.Create(name);
                targets[name] = target;
                await target.StartAsync(Workers);
            }

            // Warm-up, discarded: one cell of each workload on each target.
            foreach (Target target in targets.Values)
            {
                foreach (string workload in s_workloads)
                {
                    await MeasureAsync(target, workload);
                }
            }

            for (int p = 0; p < pairs; p++)
            {
                bool libraryFirst = p % 2 == 0;
                foreach (string library in s_libraries)
                {
                    foreach (string workload in s_workloads)
                    {
                        Target first = targets[libraryFirst ? library : Reference];
                        Target second = targets[libraryFirst ? Reference : library];
                        double before = Placement.ProbeNanoseconds();
                        Cell a = await MeasureAsync(first, workload);
                        Cell b = await MeasureAsync(second, workload);
                        double after = Placement.ProbeNanoseconds();
                        if (!_pairs.TryGetValue((library, workload), out List<Pair>? list))
                        {
                            _pairs[(library, workload)] = list = [];
                        }

                        list.Add(libraryFirst ? new Pair(a, b, before, after) : new Pair(b, a, before, after));
                    }
                }
            }
        }
        finally
        {
            foreach (Target target in targets.Values)
            {
                await target.DisposeAsync();
            }
        }

        double[] probes = [.. _pairs.Values.SelectMany(l => l).SelectMany(p => new[] { p.Before, p.After })];
        _classify = Placement.Classifier(probes);
        string counts = string.Join(", ", _pairs.Values.SelectMany(l => l).GroupBy(PlacementOf).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Placement (probed before and after each pair): {counts} pairs; cross-core ping-pong {probes.Min():0}-{probes.Max():0} ns. Took {total.Elapsed.TotalSeconds:0} s."));
        Console.WriteLine();
        Console.WriteLine(RatioTable());
        Console.WriteLine();
        Console.WriteLine(TargetTable());
        return Targets();
    }

    private TimeSpan Warm => cell / 4;

    private Task<Cell> MeasureAsync(Target target, string workload) =>
        workload == "W1" ? ThroughputAsync(target) : LatencyAsync(target);

    private async Task<Cell> ThroughputAsync(Target target)
    {
        var counts = new long[InFlight * 16];
        bool stop = false;
        async Task Loop(int slot)
        {
            await Task.Yield();
            int i = 0;
            while (!Volatile.Read(ref stop))
            {
                i += await target.NoOp(i) & 1;
                counts[slot * 16]++;
            }
        }

        Task[] loops = [.. Enumerable.Range(0, InFlight).Select(Loop)];
        await Task.Delay(Warm);
        Meter meter = Meter.Start(() => Sum(counts));
        await Task.Delay(cell);
        Cell result = meter.Stop(() => Sum(counts), (jobs, seconds) => jobs / seconds);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(loops);
        return result;
    }

    private Task<Cell> LatencyAsync(Target target) => Task.Run(async () =>
    {
        long warmEnd = Stopwatch.GetTimestamp() + (long)(Warm.TotalSeconds * Stopwatch.Frequency);
        int i = 0;
        while (Stopwatch.GetTimestamp() < warmEnd)
        {
            await target.NoOp(i++);
        }

        Meter meter = Meter.Start(() => 0);
        int n = await QuickHarness.RoundTripsAsync(target, _samples, cell);
        Cell result = meter.Stop(() => n, (_, _) =>
        {
            Array.Sort(_samples, 0, n);
            return _samples[(n - 1) / 2] * 1e6 / Stopwatch.Frequency;
        });
        return result;
    });

    /// <summary>Process CPU time, allocations, thread-pool work items and job threads across one measured window.</summary>
    private readonly struct Meter
    {
        private readonly long _jobs;
        private readonly long _bytes;
        private readonly long _items;
        private readonly TimeSpan _cpu;
        private readonly long _start;

        private Meter(long jobs)
        {
            JobThreads.Reset();
            _jobs = jobs;
            _bytes = GC.GetTotalAllocatedBytes(precise: false);
            _items = ThreadPool.CompletedWorkItemCount;
            _cpu = Environment.CpuUsage.TotalTime;
            _start = Stopwatch.GetTimestamp();
        }

        public static Meter Start(Func<long> jobs) => new(jobs());

        public Cell Stop(Func<long> jobsNow, Func<double, double, double> value)
        {
            TimeSpan cpu = Environment.CpuUsage.TotalTime;
            double seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
            long jobsEnd = jobsNow();
            long bytes = GC.GetTotalAllocatedBytes(precise: false);
            long items = ThreadPool.CompletedWorkItemCount;
            int threads = JobThreads.Distinct;
            int dedicated = JobThreads.OutsidePool;
            double jobs = Math.Max(1, jobsEnd - _jobs);
            return new Cell(
                value(jobs, seconds),
                (cpu - _cpu).TotalNanoseconds / jobs,
                (bytes - _bytes) / jobs,
                (items - _items) / jobs,
                threads,
                dedicated);
        }
    }

    private string RatioTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine("Paired ratios, target ÷ Dataflow in the adjacent cell: median of the per-pair ratios [interquartile range].");
        sb.AppendLine("W1 jobs/s: above 1 is better; CPU ns/job and W3 p50: below 1 is better.");
        sb.AppendLine();
        sb.AppendLine("The target's and Dataflow's responses to the core placement differ, so when both placements occur the ratio is also");
        sb.AppendLine("given per placement (pairs whose probes before and after agree); \"all\" is the headline and what the targets use.");
        sb.AppendLine();
        string[] placements = [.. _pairs.Values.SelectMany(l => l).Select(PlacementOf).Where(p => p != "mixed").Distinct().Order(StringComparer.Ordinal)];
        string?[] subsets = placements.Length > 1 ? [null, .. placements] : [null];
        string[] headers = ["target vs Dataflow", "pairs", "W1 jobs/s", "W1 CPU ns/job", "W3 p50", "W3 CPU ns/job", "pairs W1/W3"];
        var rows = new List<string[]>();
        foreach (string library in s_libraries)
        {
            foreach (string? placement in subsets)
            {
                rows.Add(
                [
                    placement is null ? Target.Create(library).Name : "  " + Target.Create(library).Name,
                    placement ?? "all",
                    Summary(Ratios(library, "W1", c => c.Value, placement)),
                    Summary(Ratios(library, "W1", c => c.CpuNsPerJob, placement)),
                    Summary(Ratios(library, "W3", c => c.Value, placement)),
                    Summary(Ratios(library, "W3", c => c.CpuNsPerJob, placement)),
                    string.Create(CultureInfo.InvariantCulture, $"{Ratios(library, "W1", c => c.Value, placement).Length}/{Ratios(library, "W3", c => c.Value, placement).Length}"),
                ]);
            }
        }

        AppendTable(sb, headers, rows);
        return sb.ToString().TrimEnd();
    }

    private string TargetTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine("Per target, median over its cells (absolute figures move 2-4× with the placement; use the paired ratios above to compare).");
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Job threads: distinct threads that ran the job in a cell, median / max; moved: cells where more than {Workers} threads ran it (a worker changed threads; usual for a worker on the thread pool); dedicated: cells where a thread outside the pool ran it (an Adaptive worker moved to its own thread)."));
        sb.AppendLine();
        string[] headers = ["target", "W1 jobs/s", "W1 CPU ns/job", "W1 B/job", "W1 TP items/job", "W3 p50 µs", "W3 CPU ns/job", "W3 TP items/job", "job threads W1", "job threads W3", "moved (cells)", "dedicated (cells)"];
        var rows = new List<string[]>();
        foreach (string target in (string[])[Reference, .. s_libraries])
        {
            Cell[] w1 = Cells(target, "W1");
            Cell[] w3 = Cells(target, "W3");
            int moved = w1.Concat(w3).Count(c => c.JobThreads > Workers);
            int dedicated = w1.Concat(w3).Count(c => c.DedicatedThreads > 0);
            rows.Add(
            [
                Target.Create(target).Name,
                Rate(Median(w1.Select(c => c.Value))),
                F0(Median(w1.Select(c => c.CpuNsPerJob))),
                F0(Median(w1.Select(c => c.BytesPerJob))),
                F2(Median(w1.Select(c => c.ItemsPerJob))),
                F2(Median(w3.Select(c => c.Value))),
                F0(Median(w3.Select(c => c.CpuNsPerJob))),
                F2(Median(w3.Select(c => c.ItemsPerJob))),
                Threads(w1),
                Threads(w3),
                string.Create(CultureInfo.InvariantCulture, $"{moved} of {w1.Length + w3.Length}"),
                string.Create(CultureInfo.InvariantCulture, $"{dedicated} of {w1.Length + w3.Length}"),
            ]);
        }

        AppendTable(sb, headers, rows);
        sb.Append("Dataflow's row pools its cells from every pairing.");
        return sb.ToString();

        static string Threads(Cell[] cells) => string.Create(CultureInfo.InvariantCulture, $"{Median(cells.Select(c => (double)c.JobThreads)):0} / {cells.Max(c => c.JobThreads)}");
    }

    private List<(string Label, string Shown, bool Met)> Targets()
    {
        double byRefW1 = Median(Ratios("ByReference", "W1", c => c.Value));
        double byRefCpu = Median(Ratios("ByReference", "W1", c => c.CpuNsPerJob));
        double serializedW1 = Median(Ratios("Serialized", "W1", c => c.Value));
        double byRefW3 = Median(Ratios("ByReference", "W3", c => c.Value));
        double byRefBytes = Median(Cells("ByReference", "W1").Select(c => c.BytesPerJob));
        return
        [
            ("InProc ByReference (default threading) W1 >= 1.0x Dataflow (median paired ratio)", Shown("ByReference", "W1", c => c.Value), byRefW1 >= 1.0),
            ("InProc ByReference (default threading) W1 CPU ns/job <= Dataflow's (median paired ratio)", Shown("ByReference", "W1", c => c.CpuNsPerJob), byRefCpu <= 1.0),
            // ByReference is the default configuration since Core v2; Serialized is what tests of browser-bound code ask for.
            ("default configuration (ByReference, default threading) W1 >= 0.8x Dataflow (median paired ratio)", Shown("ByReference", "W1", c => c.Value), byRefW1 >= 0.8),
            ("InProc Serialized (opt-in, default threading) W1 >= 0.5x Dataflow (median paired ratio)", Shown("Serialized", "W1", c => c.Value), serializedW1 >= 0.5),
            ("W3 p50 (default configuration) <= 2x Dataflow's (median paired ratio)", Shown("ByReference", "W3", c => c.Value), byRefW3 <= 2.0),
            ("InProc ByReference W1 <= 64 B/job", F0(byRefBytes) + " B", byRefBytes <= 64),
        ];
    }

    /// <summary>The median paired ratio over all pairs, with the per-placement medians when both placements occurred.</summary>
    private string Shown(string library, string workload, Func<Cell, double> figure)
    {
        string[] placements = [.. _pairs[(library, workload)].Select(PlacementOf).Where(p => p != "mixed").Distinct().Order(StringComparer.Ordinal)];
        string all = X(Median(Ratios(library, workload, figure)));
        return placements.Length < 2
            ? all
            : $"{all} ({string.Join(", ", placements.Select(p => $"{p} {X(Median(Ratios(library, workload, figure, p)))}"))})";
    }

    private Cell[] Cells(string target, string workload) => target == Reference
        ? [.. s_libraries.SelectMany(l => _pairs[(l, workload)].Select(p => p.Reference))]
        : [.. _pairs[(target, workload)].Select(p => p.Library)];

    private double[] Ratios(string library, string workload, Func<Cell, double> figure, string? placement = null) =>
        [.. _pairs[(library, workload)].Where(p => placement is null || PlacementOf(p) == placement).Select(p => figure(p.Library) / figure(p.Reference))];

    /// <summary>The pair's placement: the one both probes agree on, else "mixed".</summary>
    private string PlacementOf(Pair pair)
    {
        string before = _classify(pair.Before);
        return before == _classify(pair.After) ? before : "mixed";
    }

    private static string Summary(double[] ratios) => ratios.Length == 0 ? "—" : string.Create(
        CultureInfo.InvariantCulture,
        $"{Quantile(ratios, 0.5):0.00}× [{Quantile(ratios, 0.25):0.00}-{Quantile(ratios, 0.75):0.00}]");

    private static void AppendTable(StringBuilder sb, string[] headers, List<string[]> rows)
    {
        int[] widths = [.. Enumerable.Range(0, headers.Length).Select(i => Math.Max(headers[i].Length, rows.Max(r => r[i].Length)))];
        sb.AppendLine("| " + string.Join(" | ", headers.Select((h, i) => h.PadRight(widths[i]))) + " |");
        sb.AppendLine("|" + string.Join("|", widths.Select((w, i) => i == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
        foreach (string[] row in rows)
        {
            sb.AppendLine("| " + string.Join(" | ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |");
        }
    }

    private static double Median(IEnumerable<double> values) => Quantile([.. values], 0.5);

    /// <summary>Linear interpolation between the closest ranks.</summary>
    private static double Quantile(double[] values, double q)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values.Order()];
        double rank = q * (sorted.Length - 1);
        int low = (int)Math.Floor(rank);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
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

    private static string X(double v) => v.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static string F0(double v) => v.ToString("0", CultureInfo.InvariantCulture);

    private static string F2(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Rate(double v) => v >= 1e6
        ? string.Create(CultureInfo.InvariantCulture, $"{v / 1e6:0.00} M")
        : string.Create(CultureInfo.InvariantCulture, $"{v / 1e3:0} k");
}
