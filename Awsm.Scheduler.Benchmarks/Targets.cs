using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using Awsm.Scheduler.InProc;

namespace Awsm.Scheduler.Benchmarks;

/// <summary>Something that runs the benchmark jobs on workers: the pool, or one of the references.</summary>
public abstract class Target : IAsyncDisposable
{
    public abstract string Name { get; }

    public abstract Task StartAsync(int workers);

    public abstract ValueTask<int> NoOp(int input);

    public abstract ValueTask<int> Hash(byte[] input);

    public abstract ValueTask DisposeAsync();

    public static Target Create(string name) => name switch
    {
        "Serialized" => new PoolTarget(InProcPayloadMode.Serialized, threading: null),
        "ByReference" => new PoolTarget(InProcPayloadMode.ByReference, threading: null),
        "SerializedDT" => new PoolTarget(InProcPayloadMode.Serialized, InProcThreading.DedicatedThreads),
        "ByReferenceDT" => new PoolTarget(InProcPayloadMode.ByReference, InProcThreading.DedicatedThreads),
        "ByReferenceTP" => new PoolTarget(InProcPayloadMode.ByReference, InProcThreading.ThreadPool),
        "Floor" => new FloorTarget(),
        "Dataflow" => new DataflowTarget(),
        "TaskRun" => new TaskRunTarget(),
        _ => throw new ArgumentException($"Unknown target '{name}'.", nameof(name)),
    };

    /// <summary>Every target; "Serialized" and "ByReference" use the transport's default threading (what a user gets).</summary>
    public static readonly string[] All = ["Floor", "Dataflow", "Serialized", "ByReference", "ByReferenceDT", "ByReferenceTP", "SerializedDT", "TaskRun"];
}

/// <summary>Awsm.Scheduler over the in-process transport, with the pool's default options; <paramref name="threading"/> null: the transport's default.</summary>
public sealed class PoolTarget(InProcPayloadMode mode, InProcThreading? threading) : Target
{
    private WorkerPool? _pool;

    public override string Name =>
        (mode == InProcPayloadMode.ByReference ? "InProc ByReference" : "InProc Serialized")
        + threading switch
        {
            null => $" (default: {new InProcTransportOptions().Threading})",
            InProcThreading.ThreadPool => " (thread pool)",
            InProcThreading.DedicatedThreads => " (dedicated threads)",
            { } other => $" ({other})",
        };

    public override Task StartAsync(int workers)
    {
        var options = new InProcTransportOptions { Mode = mode };
        if (threading is { } chosen)
        {
            options.Threading = chosen;
        }

        _pool = new WorkerPool(
            new InProcTransport(options),
            BenchRegistry.Create(),
            new WorkerPoolOptions { WorkerCount = workers, Name = "bench" });
        return _pool.StartAsync();
    }

    public override ValueTask<int> NoOp(int input) => _pool!.DispatchAsync<NoOpJob, int, int>(input);

    public override ValueTask<int> Hash(byte[] input) => _pool!.DispatchAsync<HashJob, byte[], int>(input);

    public override ValueTask DisposeAsync() => _pool?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>One unit of work for the references: the input, the job, and the caller's completion.</summary>
internal sealed class RefJob(int input, byte[]? data)
{
    public readonly TaskCompletionSource<int> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Run() => Completion.SetResult(data is null ? NoOpJob.Work(input) : HashJob.Work(data));
}

/// <summary>
/// The hand-written floor: one single-reader channel per worker, round-robin, a TaskCompletionSource per job, no
/// pending map, no queue bound, no cancellation, no timeouts. The cheapest code that keeps the same semantics of
/// "the caller resumes off the worker's thread".
/// </summary>
public sealed class FloorTarget : Target
{
    private Channel<RefJob>[] _inboxes = [];
    private Task[] _loops = [];
    private int _next;

    public override string Name => "floor (channel/worker)";

    public override Task StartAsync(int workers)
    {
        _inboxes = new Channel<RefJob>[workers];
        _loops = new Task[workers];
        for (int i = 0; i < workers; i++)
        {
            Channel<RefJob> inbox = Channel.CreateUnbounded<RefJob>(new UnboundedChannelOptions { SingleReader = true });
            _inboxes[i] = inbox;
            _loops[i] = Task.Run(() => RunAsync(inbox.Reader));
        }

        return Task.CompletedTask;
    }

    public override ValueTask<int> NoOp(int input) => Post(new RefJob(input, null));

    public override ValueTask<int> Hash(byte[] input) => Post(new RefJob(0, input));

    public override async ValueTask DisposeAsync()
    {
        foreach (Channel<RefJob> inbox in _inboxes)
        {
            inbox.Writer.TryComplete();
        }

        await Task.WhenAll(_loops);
    }

    private ValueTask<int> Post(RefJob job)
    {
        uint worker = (uint)Interlocked.Increment(ref _next) % (uint)_inboxes.Length;
        _inboxes[worker].Writer.TryWrite(job);
        return new ValueTask<int>(job.Completion.Task);
    }

    private static async Task RunAsync(ChannelReader<RefJob> reader)
    {
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out RefJob? job))
            {
                job.Run();
            }
        }
    }
}

/// <summary>TPL Dataflow: one ActionBlock with MaxDegreeOfParallelism = worker count.</summary>
public sealed class DataflowTarget : Target
{
    private ActionBlock<RefJob>? _block;

    public override string Name => "Dataflow ActionBlock";

    public override Task StartAsync(int workers)
    {
        _block = new ActionBlock<RefJob>(static job => job.Run(), new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = workers });
        return Task.CompletedTask;
    }

    public override ValueTask<int> NoOp(int input) => Post(new RefJob(input, null));

    public override ValueTask<int> Hash(byte[] input) => Post(new RefJob(0, input));

    public override async ValueTask DisposeAsync()
    {
        _block!.Complete();
        await _block.Completion;
    }

    private ValueTask<int> Post(RefJob job)
    {
        _block!.Post(job);
        return new ValueTask<int>(job.Completion.Task);
    }
}

/// <summary>Task.Run per job: the thread pool as the "pool".</summary>
public sealed class TaskRunTarget : Target
{
    public override string Name => "Task.Run per job";

    public override Task StartAsync(int workers) => Task.CompletedTask;

    public override ValueTask<int> NoOp(int input) => new(Task.Run(() => NoOpJob.Work(input)));

    public override ValueTask<int> Hash(byte[] input) => new(Task.Run(() => HashJob.Work(input)));

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
