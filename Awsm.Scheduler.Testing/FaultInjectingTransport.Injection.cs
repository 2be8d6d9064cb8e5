using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Testing;

/// <summary>Injection: forged, stale, duplicate and malformed events, past every filter.</summary>
public sealed partial class FaultInjectingTransport
{
    /// <summary>
    /// Gets the id of the last job the pool sent to a worker (whether it was passed on, held or dropped): the id to
    /// forge or duplicate a reply for with <see cref="InjectEnvelope"/> or <see cref="InjectEvent"/>.
    /// </summary>
    /// <param name="workerIndex">The worker.</param>
    /// <returns>The id, or <see langword="null"/> if no job was sent to it yet.</returns>
    public JobId? LastJobSentTo(int workerIndex)
    {
        lock (_gate)
        {
            return SlotAt(workerIndex).LastJobSent;
        }
    }

    /// <summary>
    /// Writes an event to the pool as if a worker had sent it, past every filter of the decorator: forged, stale and
    /// duplicate replies, or anything else. The pool's own rules still apply.
    /// </summary>
    /// <param name="workerEvent">The event.</param>
    /// <param name="incarnation">The incarnation it claims to come from; the worker's current one by default.</param>
    /// <returns>Whether the pool accepted it.</returns>
    public bool InjectEvent(in WorkerEvent workerEvent, int? incarnation = null)
    {
        WorkerEventWriter pool;
        int from;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            pool = Pool;
            from = incarnation ?? ((uint)workerEvent.WorkerIndex < (uint)_slots.Length ? _slots[workerEvent.WorkerIndex].Incarnation : 0);
        }

        return pool.TryWrite(from, workerEvent);
    }

    /// <summary>
    /// Delivers an envelope to the pool as if the worker's current incarnation had sent these wire fields, parsed as a
    /// transport would parse them (<see cref="WireProtocol.ParseEvent"/>): the way to test malformed, duplicate, stale and
    /// wrong-worker envelopes.
    /// </summary>
    /// <param name="workerIndex">The worker it claims to come from (need not exist).</param>
    /// <param name="kind">The envelope kind.</param>
    /// <param name="id">The job id text.</param>
    /// <param name="payload">The payload bytes.</param>
    /// <param name="errorKind">The error kind's wire name.</param>
    /// <param name="errorType">The error type.</param>
    /// <param name="message">The message.</param>
    public void InjectEnvelope(int workerIndex, string? kind, string? id, ReadOnlyMemory<byte> payload = default, string? errorKind = null, string? errorType = null, string? message = null) =>
        InjectEvent(WireProtocol.ParseEvent(workerIndex, kind, id, payload, errorKind, errorType, message));
}
