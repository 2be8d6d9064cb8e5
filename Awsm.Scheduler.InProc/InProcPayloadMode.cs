namespace Awsm.Scheduler.InProc;

/// <summary>How the in-process transport moves inputs and outputs between the caller and the worker threads.</summary>
public enum InProcPayloadMode
{
    /// <summary>
    /// Every envelope goes through the job codecs and the wire vocabulary exactly as it would to a browser worker:
    /// inputs and outputs are encoded and copied (see <c>docs/wire.md</c>). Catches unserializable types and
    /// shared mutable state in tests, and keeps jobs isolated from their callers. Use it in tests of code that will run
    /// on browser or Redis workers.
    /// </summary>
    Serialized,

    /// <summary>
    /// Inputs and outputs travel by reference: no encoding, no copy. Fastest; the caller must not mutate an input it
    /// dispatched, and types need not be serializable (so a later move to a browser transport may fail where this did not).
    /// The default.
    /// </summary>
    ByReference,
}
