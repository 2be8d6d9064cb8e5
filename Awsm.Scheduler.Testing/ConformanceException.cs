namespace Awsm.Scheduler.Testing;

/// <summary>
/// Thrown by a conformance scenario when the transport under test does not conform: a value differed from what the
/// transport contract requires, an operation did not fail the way it must, or the scenario's clean-up found something
/// left behind. The message names the check, the expression it checked, and what was expected and found.
/// </summary>
/// <remarks>
/// The scenarios assert with their own checks, so the package needs no test framework: any runner reports this
/// exception as a failure (xunit, NUnit and MSTest treat every exception that escapes a test as one).
/// </remarks>
public sealed class ConformanceException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ConformanceException"/> class.</summary>
    public ConformanceException()
        : base("The transport does not conform.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConformanceException"/> class with a message.</summary>
    /// <param name="message">What did not conform.</param>
    public ConformanceException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConformanceException"/> class with a message and a cause.</summary>
    /// <param name="message">What did not conform.</param>
    /// <param name="innerException">The exception that was found instead of the one expected.</param>
    public ConformanceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
