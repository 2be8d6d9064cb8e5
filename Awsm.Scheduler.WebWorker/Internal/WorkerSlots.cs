using System.Diagnostics;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.WebWorker.Internal;

/// <summary>
/// Page-side bookkeeping of the worker slots, free of browser APIs so it runs in Linux unit tests: which incarnation
/// (generation) of each worker is current and where it is in its life, and the translation of what the page module
/// reports into <see cref="WorkerEvent"/>s. It enforces the transport contract: one of ready / init-error / crashed
/// per start, nothing delivered from a dead or replaced incarnation, anything unparseable becomes
/// <see cref="WorkerEventKind.Malformed"/>.
/// </summary>
internal sealed class WorkerSlots
{
    /// <summary>The page module's kind for something it could not even read as an envelope.</summary>
    public const string MalformedKind = "#malformed";

    /// <summary>The page module's kind for a worker that died after it was ready.</summary>
    public const string CrashKind = "crash";

    /// <summary>The page module's kind for a running job's progress report (id, encoded value).</summary>
    public const string ProgressKind = WireProtocol.ProgressKind;

    private readonly Lock _gate = new();
    private readonly int[] _generations;
    private readonly SlotState[] _states;

    public WorkerSlots(int count)
    {
        Debug.Assert(count > 0, "a pool has at least one worker");
        _generations = new int[count];
        _states = new SlotState[count];
    }

    private enum SlotState
    {
        Idle,
        Starting,
        Ready,
        Dead,
    }

    public int Count => _states.Length;

    /// <summary>Starts a new incarnation of a worker; whatever the previous one still sends is dropped.</summary>
    public int BeginStart(int index)
    {
        lock (_gate)
        {
            _states[index] = SlotState.Starting;
            return ++_generations[index];
        }
    }

    /// <summary>Whether the worker's current incarnation is alive (starting or ready).</summary>
    public bool IsLive(int index)
    {
        lock (_gate)
        {
            return _states[index] is SlotState.Starting or SlotState.Ready;
        }
    }

    /// <summary>Whether events of <paramref name="generation"/> are delivered: it is the current incarnation and alive.</summary>
    public bool Accepts(int index, int generation)
    {
        if ((uint)index >= (uint)_states.Length)
        {
            return false;
        }

        lock (_gate)
        {
            return _generations[index] == generation && _states[index] is SlotState.Starting or SlotState.Ready;
        }
    }

    /// <summary>Marks the worker dead without an event (the pool asked for it).</summary>
    /// <returns>Whether it was alive.</returns>
    public bool Terminate(int index)
    {
        lock (_gate)
        {
            bool live = _states[index] is SlotState.Starting or SlotState.Ready;
            _states[index] = SlotState.Dead;
            return live;
        }
    }

    /// <summary>The start of <paramref name="generation"/> failed before any event: an init error, if it is still current.</summary>
    public bool TryFailStart(int index, int generation, string reason, out WorkerEvent e)
    {
        lock (_gate)
        {
            if (_generations[index] != generation || _states[index] != SlotState.Starting)
            {
                e = default;
                return false;
            }

            _states[index] = SlotState.Dead;
            e = WorkerEvent.InitError(index, reason);
            return true;
        }
    }

    /// <summary>
    /// Translates one event of the page module. Returns <see langword="false"/> when it must be dropped: it comes from a
    /// replaced or dead incarnation, or from an index outside the pool.
    /// </summary>
    public bool TryAccept(
        int index,
        int generation,
        string? kind,
        string? id,
        ReadOnlyMemory<byte> payload,
        string? errorKind,
        string? errorType,
        string? message,
        string? stack,
        out WorkerEvent e)
    {
        e = default;
        if ((uint)index >= (uint)_states.Length)
        {
            return false;
        }

        lock (_gate)
        {
            if (_generations[index] != generation || _states[index] is SlotState.Dead or SlotState.Idle)
            {
                return false;
            }

            switch (kind)
            {
                case WireProtocol.ReadyKind when _states[index] == SlotState.Starting:
                    _states[index] = SlotState.Ready;
                    e = WorkerEvent.Ready(index);
                    return true;
                case WireProtocol.ReadyKind:
                    e = WorkerEvent.Malformed(index, "a second 'ready' envelope from a worker that is already ready");
                    return true;
                case WireProtocol.InitErrorKind when _states[index] == SlotState.Starting:
                    _states[index] = SlotState.Dead;
                    e = WorkerEvent.InitError(index, Describe(message, stack));
                    return true;
                case WireProtocol.InitErrorKind:
                case CrashKind:
                    // A worker that dies after it was ready crashed; one that dies while starting failed to start.
                    bool starting = _states[index] == SlotState.Starting;
                    _states[index] = SlotState.Dead;
                    e = starting ? WorkerEvent.InitError(index, Describe(message, stack)) : WorkerEvent.Crashed(index, Describe(message, stack));
                    return true;
                case MalformedKind:
                    e = WorkerEvent.Malformed(index, message ?? "an unreadable message");
                    return true;
                case ProgressKind when _states[index] == SlotState.Ready && JobId.TryParse(id, out JobId progressId):
                    e = WorkerEvent.Progress(index, progressId, JobPayload.FromBytes(payload));
                    return true;
                case ProgressKind:
                    e = WorkerEvent.Malformed(index, _states[index] == SlotState.Ready
                        ? $"progress envelope with a missing or malformed job id '{id}'"
                        : "a progress envelope from a worker that is not ready");
                    return true;
                default:
                    e = WireProtocol.ParseEvent(index, kind, id, payload, errorKind, errorType, message, stack);
                    return true;
            }
        }
    }

    private static string Describe(string? message, string? stack) =>
        string.IsNullOrEmpty(stack) ? message ?? "(no reason given)" : $"{message ?? "(no reason given)"}\n{stack}";
}
