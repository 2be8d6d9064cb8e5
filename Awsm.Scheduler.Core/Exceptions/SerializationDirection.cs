namespace Awsm.Scheduler;

/// <summary>Which way a value was travelling when its codec failed.</summary>
public enum SerializationDirection
{
    /// <summary>The job's input, from the caller to the worker.</summary>
    Input,

    /// <summary>The job's output, from the worker back to the caller.</summary>
    Output,
}
