using System.Runtime.ExceptionServices;

namespace Awsm.Scheduler;

/// <summary>The outcome of one input of a bulk map: its index in the inputs, and the job's output or its exception.</summary>
/// <typeparam name="TOutput">The job's output type.</typeparam>
public readonly struct BulkResult<TOutput>
{
    private readonly TOutput _output;

    internal BulkResult(int index, TOutput output)
    {
        Index = index;
        _output = output;
        Exception = null;
    }

    internal BulkResult(int index, Exception exception)
    {
        Index = index;
        _output = default!;
        Exception = exception;
    }

    /// <summary>Gets the input's position in the input sequence, from 0.</summary>
    public int Index { get; }

    /// <summary>Gets the exception the job ended with, or <see langword="null"/> if it succeeded (only <see cref="BulkFailurePolicy.CollectAll"/> hands back failed items).</summary>
    public Exception? Exception { get; }

    /// <summary>Gets a value indicating whether the job ended with its output.</summary>
    public bool Succeeded => Exception is null;

    /// <summary>Gets the job's output; for a failed item, throws the job's exception.</summary>
    public TOutput Output
    {
        get
        {
            if (Exception is not null)
            {
                ExceptionDispatchInfo.Throw(Exception);
            }

            return _output;
        }
    }
}
