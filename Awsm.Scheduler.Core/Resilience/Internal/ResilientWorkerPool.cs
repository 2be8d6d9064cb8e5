using Polly;

namespace Awsm.Scheduler.Resilience;

/// <summary>
/// A pool whose dispatches run inside a <see cref="ResiliencePipeline"/> (or directly, without one). It is also what
/// dependency injection hands out: it implements <see cref="IDisposable"/> as well, so that a container disposed
/// synchronously can release the pool (the container refuses services that are only <see cref="IAsyncDisposable"/>).
/// </summary>
/// <remarks>
/// A pool owned by a container is drained by the hosted service when the host stops; disposing the container afterwards
/// finds it stopped. If the container is disposed without a host stop, what is left is aborted rather than drained: a
/// drain there would wait on the pool's clock (a fake one in tests) with nobody left to release the jobs.
/// </remarks>
internal sealed class ResilientWorkerPool : IWorkerPool, IDisposable
{
    private readonly IWorkerPool _inner;
    private readonly ResiliencePipeline? _pipeline;
    private readonly bool _abortOnDispose;

    public ResilientWorkerPool(IWorkerPool inner, ResiliencePipeline? pipeline, bool abortOnDispose = false)
    {
        _inner = inner;
        _pipeline = pipeline;
        _abortOnDispose = abortOnDispose;
    }

    public string Name => _inner.Name;

    /// <summary>Gets the pool this view dispatches to.</summary>
    public IWorkerPool Inner => _inner;

    /// <summary>Gets the pipeline dispatches run in, or <see langword="null"/> for none.</summary>
    public ResiliencePipeline? Pipeline => _pipeline;

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task StopAsync(PoolShutdownMode mode, CancellationToken cancellationToken = default) => _inner.StopAsync(mode, cancellationToken);

    public ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput>(TInput input, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput> =>
        DispatchAsync<TJob, TInput, TOutput>(input, default(DispatchOptions), cancellationToken);

    public ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput>(TInput input, DispatchOptions options, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput> =>
        _pipeline is null
            ? _inner.DispatchAsync<TJob, TInput, TOutput>(input, options, cancellationToken)
            : Execute<TJob, TInput, TOutput>(_inner, _pipeline, input, options, cancellationToken);

    public ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput, TProgress>(TInput input, IProgress<TProgress>? progress, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput> =>
        DispatchAsync<TJob, TInput, TOutput, TProgress>(input, progress, default(DispatchOptions), cancellationToken);

    public ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput, TProgress>(TInput input, IProgress<TProgress>? progress, DispatchOptions options, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput> =>
        _pipeline is null
            ? _inner.DispatchAsync<TJob, TInput, TOutput, TProgress>(input, progress, options, cancellationToken)
            : _pipeline.ExecuteAsync(
                static (state, token) => state.Pool.DispatchAsync<TJob, TInput, TOutput, TProgress>(state.Input, state.Progress, state.Options, token),
                (Pool: _inner, Input: input, Progress: progress, Options: options),
                cancellationToken);

    public WorkerPoolStats GetStats() => _inner.GetStats();

    public int CancelPendingJobs() => _inner.CancelPendingJobs();

    public ValueTask DisposeAsync() => _abortOnDispose ? new ValueTask(_inner.StopAsync(PoolShutdownMode.Abort)) : _inner.DisposeAsync();

    /// <summary>Aborts the pool and waits for it to stop: a synchronous dispose cannot wait for a drain.</summary>
    public void Dispose() => _inner.StopAsync(PoolShutdownMode.Abort).GetAwaiter().GetResult();

    internal static ValueTask<TOutput> Execute<TJob, TInput, TOutput>(IWorkerPool pool, ResiliencePipeline pipeline, TInput input, DispatchOptions options, CancellationToken cancellationToken)
        where TJob : IWorkerJob<TInput, TOutput> =>
        pipeline.ExecuteAsync(
            static (state, token) => state.Pool.DispatchAsync<TJob, TInput, TOutput>(state.Input, state.Options, token),
            (Pool: pool, Input: input, Options: options),
            cancellationToken);
}
