using System.Collections.Concurrent;
using System.Threading.Channels;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Support;

/// <summary>
/// A transport whose workers do only what the test scripts: starts report ready unless held, jobs are recorded and
/// answered by the test (or by <see cref="AnswerJobs"/>). For the pool's own rules, independent of any real transport.
/// What a worker says is written to the pool's writer by a loop of its own, in the order it was published, tagged with the
/// worker's incarnation when it was published: never on the thread that published it (a reply inside Send included).
/// </summary>
public sealed class ScriptedTransport(bool encodes = true) : IWorkerTransport
{
    private readonly Channel<(int Incarnation, WorkerEvent Event)> _events = Channel.CreateUnbounded<(int, WorkerEvent)>();
    private readonly ConcurrentDictionary<int, int> _incarnations = new();
    private Task _pump = Task.CompletedTask;
    private readonly ConcurrentDictionary<int, int> _starts = new();
    private readonly ConcurrentDictionary<int, int> _terminations = new();
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _sendWaiters = [];
    private int _jobsSent;

    public bool RequiresEncodedPayloads => encodes;

    /// <summary>Gets every job sent, in order.</summary>
    public ConcurrentQueue<(int Worker, WorkerMessage Message)> Sent { get; } = new();

    /// <summary>Gets or sets what a start does; by default the worker reports ready at once.</summary>
    public Func<int, int, CancellationToken, ValueTask>? OnStart { get; set; }

    /// <summary>Gets or sets how jobs are answered; by default they are only recorded.</summary>
    public Func<int, WorkerMessage, WorkerEvent?>? AnswerJobs { get; set; }

    public int StartsOf(int worker) => _starts.GetValueOrDefault(worker);

    public int TerminationsOf(int worker) => _terminations.GetValueOrDefault(worker);

    public int SentTo(int worker) => Sent.Count(s => s.Worker == worker && s.Message.Kind == WorkerMessageKind.Job);

    /// <summary>The worker's current incarnation says <paramref name="e"/>.</summary>
    public void Publish(WorkerEvent e) => _events.Writer.TryWrite((_incarnations.GetValueOrDefault(e.WorkerIndex), e));

    /// <summary>The given incarnation of the worker says <paramref name="e"/> (a stale one, say).</summary>
    public void Publish(WorkerEvent e, int incarnation) => _events.Writer.TryWrite((incarnation, e));

    /// <summary>Gets the incarnation the pool started last at <paramref name="worker"/>.</summary>
    public int IncarnationOf(int worker) => _incarnations.GetValueOrDefault(worker);

    /// <summary>Completes once <paramref name="count"/> jobs in all have been sent (with a hang guard).</summary>
    public Task WhenJobsSent(int count)
    {
        lock (_gate)
        {
            if (_jobsSent >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _sendWaiters.Add((count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
    {
        WorkerEventWriter writer = context.Writer;
        _pump = Task.Run(async () =>
        {
            await foreach ((int incarnation, WorkerEvent e) in _events.Reader.ReadAllAsync())
            {
                writer.TryWrite(incarnation, e);
            }
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken)
    {
        int start = _starts.AddOrUpdate(workerIndex, 1, (_, n) => n + 1);
        _incarnations[workerIndex] = incarnation;
        if (OnStart is { } onStart)
        {
            return onStart(workerIndex, start, cancellationToken);
        }

        Publish(WorkerEvent.Ready(workerIndex));
        return ValueTask.CompletedTask;
    }

    public void Send(int workerIndex, in WorkerMessage message)
    {
        Sent.Enqueue((workerIndex, message));
        if (message.Kind == WorkerMessageKind.Job)
        {
            lock (_gate)
            {
                int sent = ++_jobsSent;
                _sendWaiters.RemoveAll(w =>
                {
                    if (sent < w.Count)
                    {
                        return false;
                    }

                    w.Done.TrySetResult();
                    return true;
                });
            }
        }

        if (message.Kind == WorkerMessageKind.Job && AnswerJobs?.Invoke(workerIndex, message) is { } reply)
        {
            Publish(reply);
        }
    }

    public ValueTask TerminateWorkerAsync(int workerIndex)
    {
        _terminations.AddOrUpdate(workerIndex, 1, (_, n) => n + 1);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _pump;
    }
}
