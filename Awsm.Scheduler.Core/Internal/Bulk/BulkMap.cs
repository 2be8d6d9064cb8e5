using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Awsm.Scheduler.Internal.Bulk;

/// <summary>
/// One bulk map: pulls inputs while its window has room, dispatches each with the batch's token, collects the ends in
/// a channel and hands them out in input order or as they come.
/// </summary>
/// <remarks>
/// <para>
/// The window: at most <see cref="BulkMapOptions.MaxConcurrency"/> items are dispatched and not yet handed to the
/// consumer. In input order, results that end before an earlier slow item wait in a ring of that size (so a slow head
/// narrows the fan-out until it ends, and the buffer never holds more than the window minus one result). Inputs are
/// pulled only when the window has room, one at a time.
/// </para>
/// <para>
/// Each item is an async method whose only await is its dispatch: no thread hop, no Task.Run. It never throws: its
/// end, whatever it is, goes into the channel, so the end of the enumeration can wait for every item it started by
/// counting what it received. Every way out (the end of the inputs, a first failure, the caller's token, the consumer
/// leaving <c>await foreach</c>, a throwing input enumerator) passes through that wait: nothing of the batch is left
/// running or unobserved when the enumeration ends.
/// </para>
/// </remarks>
internal sealed class BulkMap<TInput, TOutput>
{
    private readonly IWorkerPool _pool;
    private readonly JobHandle<TInput, TOutput> _job;
    private readonly DispatchOptions _dispatch;
    private readonly BulkFailurePolicy _policy;
    private readonly IProgress<BulkProgress>? _progress;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _batch;
    private readonly Channel<BulkResult<TOutput>> _ended = Channel.CreateUnbounded<BulkResult<TOutput>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _progressGate = new();
    private int _completed;
    private int _failed;
    private int _canceled;
    private int? _total;
    private Exception? _firstFailure;

    private BulkMap(IWorkerPool pool, JobHandle<TInput, TOutput> job, BulkMapOptions options, int? total, CancellationToken callerToken)
    {
        _pool = pool;
        _job = job;
        _dispatch = options.Dispatch;
        _policy = options.FailurePolicy;
        _progress = options.Progress;
        _total = total;
        _callerToken = callerToken;
        _batch = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
    }

    public static async IAsyncEnumerable<BulkResult<TOutput>> RunAsync(
        IWorkerPool pool,
        JobHandle<TInput, TOutput> job,
        IAsyncEnumerable<TInput> inputs,
        int? total,
        BulkMapOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        options ??= new BulkMapOptions();
        int window = options.MaxConcurrency;
        bool ordered = options.Order == BulkOrder.InputOrder;
        var map = new BulkMap<TInput, TOutput>(pool, job, options, total, cancellationToken);
        ChannelReader<BulkResult<TOutput>> reader = map._ended.Reader;

        // In input order: the result of index i waits in ring[i % window] until every earlier one was handed out.
        BulkResult<TOutput>[] ring = ordered ? new BulkResult<TOutput>[window] : [];
        bool[] held = ordered ? new bool[window] : [];

        IAsyncEnumerator<TInput> source = inputs.GetAsyncEnumerator(map._batch.Token);
        Task<bool>? move = null;
        int started = 0;
        int received = 0;
        int handedOut = 0;
        bool exhausted = false;
        Exception? stop = null;
        try
        {
            if (total is not null)
            {
                map.Report(static _ => { });
            }

            while (true)
            {
                // Pull inputs while the window has room and the next one is at hand.
                while (!exhausted && stop is null && started - handedOut < window)
                {
                    move ??= MoveNext(source);
                    if (!move.IsCompleted)
                    {
                        break;
                    }

                    Task<bool> pulled = move;
                    move = null;
                    try
                    {
                        if (!await pulled.ConfigureAwait(false))
                        {
                            exhausted = true;
                            if (total is null)
                            {
                                map.Report(m => m._total = started);
                            }

                            break;
                        }

                        map.Start(started, source.Current);
                        started++;
                    }
                    catch (Exception ex)
                    {
                        stop = ex;
                    }
                }

                stop ??= map.StopReason();
                if (stop is not null || (exhausted && handedOut == started))
                {
                    break;
                }

                // Hand out what is ready.
                if (ordered)
                {
                    while (reader.TryRead(out BulkResult<TOutput> result))
                    {
                        received++;
                        ring[result.Index % window] = result;
                        held[result.Index % window] = true;
                    }

                    int slot = handedOut % window;
                    if (held[slot])
                    {
                        Debug.Assert(ring[slot].Index == handedOut, "The window holds one result per slot.");
                        held[slot] = false;
                        BulkResult<TOutput> next = ring[slot];
                        ring[slot] = default;
                        handedOut++;
                        yield return next;
                        continue;
                    }
                }
                else if (reader.TryRead(out BulkResult<TOutput> result))
                {
                    received++;
                    handedOut++;
                    yield return result;
                    continue;
                }

                // Wait until a job ends or the next input arrives (the caller's token ends both: it cancels the jobs
                // and the input enumerator).
                Task ended = reader.WaitToReadAsync(CancellationToken.None).AsTask();
                if (move is { IsCompleted: false })
                {
                    await Task.WhenAny(ended, move).ConfigureAwait(false);
                }
                else
                {
                    await ended.ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // Every way out comes here, the consumer's break included: cancel what runs and wait for all of it.
            if (received < started || move is not null)
            {
                await map._batch.CancelAsync().ConfigureAwait(false);
            }

            while (received < started)
            {
                await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false);
                while (reader.TryRead(out _))
                {
                    received++;
                }
            }

            if (move is not null)
            {
                try
                {
                    await move.ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    stop ??= ex;
                }
            }

            try
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                stop ??= ex;
            }
            finally
            {
                map._batch.Dispose();
            }
        }

        if (stop is not null)
        {
            ExceptionDispatchInfo.Throw(stop);
        }
    }

    /// <summary>Starts the next move; an enumerator that throws at once (a plain sequence's) gives a faulted task.</summary>
    private static Task<bool> MoveNext(IAsyncEnumerator<TInput> source)
    {
        try
        {
            return source.MoveNextAsync().AsTask();
        }
        catch (Exception ex)
        {
            return Task.FromException<bool>(ex);
        }
    }

    /// <summary>Why the batch must end early: the caller's token fired, or (cancel-the-rest) a job failed.</summary>
    private Exception? StopReason() =>
        _callerToken.IsCancellationRequested ? new OperationCanceledException(_callerToken) : Volatile.Read(ref _firstFailure);

    private void Start(int index, TInput input) => _ = RunItemAsync(index, input);

    private async Task RunItemAsync(int index, TInput input)
    {
        BulkResult<TOutput> result = default;
        try
        {
            TOutput output = await _pool.DispatchAsync(_job, input, _dispatch, _batch.Token).ConfigureAwait(false);
            result = new BulkResult<TOutput>(index, output);
            Report(static m => m._completed++);
        }
        catch (Exception ex)
        {
            bool byBatch = ex is OperationCanceledException && _batch.IsCancellationRequested;
            // The dispatch failed (or, rarely, the progress report after its success threw: that is this item's end).
            result = new BulkResult<TOutput>(index, ex);
            try
            {
                Report(byBatch ? static m => m._canceled++ : static m => m._failed++);
            }
            catch (Exception reportError)
            {
                ex = reportError;
            }

            if (!byBatch && _policy == BulkFailurePolicy.CancelRest && Interlocked.CompareExchange(ref _firstFailure, ex, null) is null)
            {
                // Cancelling runs the other jobs' cancellation inline; none of them holds a lock of this batch.
                _batch.Cancel();
            }
        }
        finally
        {
            _ended.Writer.TryWrite(result);
        }
    }

    /// <summary>Updates the counts and reports them, one report at a time so that the counts never go down.</summary>
    private void Report(Action<BulkMap<TInput, TOutput>> update)
    {
        lock (_progressGate)
        {
            update(this);
            _progress?.Report(new BulkProgress(_completed, _failed, _canceled, _total));
        }
    }
}
