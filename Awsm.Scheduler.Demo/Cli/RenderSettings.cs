using System.ComponentModel;
using Awsm.Scheduler.Demo.Rendering;
using Awsm.Scheduler.InProc;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Awsm.Scheduler.Demo.Cli;

/// <summary>Command-line options of the demo. Values are checked in <see cref="Validate"/> before anything starts.</summary>
internal sealed class RenderSettings : CommandSettings
{
    public const int MaxWorkers = 256;
    public const int MaxSize = 8192;
    public const int MaxTiles = 65536;

    [CommandOption("-w|--workers <COUNT>")]
    [Description("Worker threads in the pool. Defaults to the number of processors.")]
    public int? Workers { get; init; }

    [CommandOption("-s|--strategy <NAME>")]
    [Description("How the pool picks a worker: [green]round-robin[/] or [green]least-busy[/].")]
    [DefaultValue("round-robin")]
    public string Strategy { get; init; } = "round-robin";

    [CommandOption("-j|--jobs <COUNT>")]
    [Description("Number of tiles, one job each. Split into the most square grid with exactly that many cells.")]
    [DefaultValue(256)]
    public int Jobs { get; init; } = 256;

    [CommandOption("--size <PIXELS>")]
    [Description("Width and height of the square image, in pixels.")]
    [DefaultValue(1024)]
    public int Size { get; init; } = 1024;

    [CommandOption("-i|--iterations <COUNT>")]
    [Description("Maximum iterations per pixel; more means more detail near the set and more CPU work.")]
    [DefaultValue(2000)]
    public int Iterations { get; init; } = 2000;

    [CommandOption("-m|--mode <MODE>")]
    [Description("How payloads travel to the worker threads: [green]serialized[/] (JSON input, raw byte[[]] output, copied as across a real boundary) or [green]by-reference[/] (no encoding, no copy).")]
    [DefaultValue("serialized")]
    public string Mode { get; init; } = "serialized";

    [CommandOption("--max-in-flight <COUNT>")]
    [Description("Jobs a worker may hold at once. Small values keep the queue in the pool, where the strategy can still place it.")]
    [DefaultValue(2)]
    public int MaxInFlight { get; init; } = 2;

    [CommandOption("-t|--transport <NAME>")]
    [Description("Where the workers run: [green]inproc[/] (threads in this process) or [green]redis[/] (worker-host processes, see --redis).")]
    [DefaultValue("inproc")]
    public string Transport { get; init; } = "inproc";

    [CommandOption("--redis <ENDPOINT>")]
    [Description("The Redis server the worker hosts listen on, for --transport redis (a StackExchange.Redis configuration string).")]
    [DefaultValue("127.0.0.1:6379")]
    public string Redis { get; init; } = "127.0.0.1:6379";

    [CommandOption("-o|--output <FILE>")]
    [Description("Where to write the PNG.")]
    [DefaultValue("mandelbrot.png")]
    public string Output { get; init; } = "mandelbrot.png";

    /// <summary>Gets the worker count, with the processor-count default applied.</summary>
    public int WorkerCount => Workers ?? Environment.ProcessorCount;

    /// <summary>Gets the selection strategy named by <see cref="Strategy"/>.</summary>
    public IWorkerSelectionStrategy CreateStrategy() => NormalizedStrategy switch
    {
        "least-busy" => WorkerSelectionStrategies.LeastBusy(),
        _ => WorkerSelectionStrategies.RoundRobin(),
    };

    /// <summary>Gets the payload mode named by <see cref="Mode"/>.</summary>
    public InProcPayloadMode PayloadMode => NormalizedMode == "by-reference" ? InProcPayloadMode.ByReference : InProcPayloadMode.Serialized;

    /// <summary>Gets a value indicating whether the workers run on Redis worker hosts.</summary>
    public bool UsesRedis => Transport.Trim().Equals("redis", StringComparison.OrdinalIgnoreCase);

    public string NormalizedStrategy => Strategy.Trim().ToLowerInvariant();

    public string NormalizedMode => Mode.Trim().ToLowerInvariant();

    /// <summary>Gets the absolute output path.</summary>
    public string OutputPath => Path.GetFullPath(Output);

    public override ValidationResult Validate()
    {
        if (Workers is { } workers && workers is < 1 or > MaxWorkers)
        {
            return ValidationResult.Error($"--workers must be between 1 and {MaxWorkers}; got {workers}.");
        }

        if (NormalizedStrategy is not ("round-robin" or "least-busy"))
        {
            return ValidationResult.Error($"--strategy must be 'round-robin' or 'least-busy'; got '{Strategy}'.");
        }

        if (NormalizedMode is not ("serialized" or "by-reference"))
        {
            return ValidationResult.Error($"--mode must be 'serialized' or 'by-reference'; got '{Mode}'.");
        }

        if (Transport.Trim().ToLowerInvariant() is not ("inproc" or "redis"))
        {
            return ValidationResult.Error($"--transport must be 'inproc' or 'redis'; got '{Transport}'.");
        }

        if (UsesRedis && NormalizedMode == "by-reference")
        {
            return ValidationResult.Error("--mode by-reference needs --transport inproc: Redis always carries encoded payloads.");
        }

        if (Size is < 16 or > MaxSize)
        {
            return ValidationResult.Error($"--size must be between 16 and {MaxSize} pixels; got {Size}.");
        }

        if (Jobs is < 1 or > MaxTiles)
        {
            return ValidationResult.Error($"--jobs must be between 1 and {MaxTiles}; got {Jobs}.");
        }

        (int rows, int columns) = TileLayout.Grid(Jobs);
        if (rows > Size || columns > Size)
        {
            return ValidationResult.Error(
                $"--jobs {Jobs} needs a {rows} × {columns} grid, which does not fit a {Size} × {Size} image (every tile needs at least one pixel row). Use fewer jobs or a larger --size.");
        }

        if (Iterations is < 1 or > 1_000_000)
        {
            return ValidationResult.Error($"--iterations must be between 1 and 1000000; got {Iterations}.");
        }

        if (MaxInFlight is < 1 or > 1024)
        {
            return ValidationResult.Error($"--max-in-flight must be between 1 and 1024; got {MaxInFlight}.");
        }

        if (string.IsNullOrWhiteSpace(Output))
        {
            return ValidationResult.Error("--output must name a file.");
        }

        string path;
        try
        {
            path = OutputPath;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return ValidationResult.Error($"--output '{Output}' is not a valid path: {ex.Message}");
        }

        string? directory = Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            return ValidationResult.Error($"--output: the directory '{directory}' does not exist.");
        }

        if (Directory.Exists(path))
        {
            return ValidationResult.Error($"--output '{path}' is a directory; give a file name such as '{Path.Combine(path, "mandelbrot.png")}'.");
        }

        return ValidationResult.Success();
    }
}
