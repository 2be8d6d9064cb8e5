using System.Diagnostics;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// Chooses the worker for the next job: gathers the candidates (ready, below the in-flight limit), narrows them while a
/// start is under way, and asks the configured <see cref="IWorkerSelectionStrategy"/>. Single-threaded: the
/// <see cref="Dispatcher"/> calls it under its send lock only.
/// </summary>
/// <remarks>
/// The narrowing keeps jobs accepted during a start from piling onto whichever worker became ready first. While some
/// worker still starts, only idle ready workers are offered (one job each at a time). The jobs that waited meanwhile are
/// the backlog: until the queue is empty again, only the least-loaded workers are offered, so the backlog spreads evenly
/// over the workers that became ready last instead of going wherever the strategy's cursor happens to point.
/// </remarks>
internal sealed class WorkerPicker(WorkerSlot[] slots, IWorkerSelectionStrategy strategy, int maxInFlightPerWorker)
{
    private readonly WorkerLoad[] _candidates = new WorkerLoad[slots.Length];

    // Set while a start holds jobs back; cleared when a pick finds nothing waiting in the queue.
    private bool _spreadingBacklog;

    /// <summary>
    /// Gets whether a start's backlog is being spread (read without the send lock by the lock-free placement, which
    /// then leaves the job to this picker).
    /// </summary>
    public bool Narrowing => Volatile.Read(ref _spreadingBacklog);

    /// <summary>Picks a ready worker with room, or returns -1.</summary>
    /// <param name="job">The job being placed, as the strategy sees it.</param>
    /// <param name="queued">How many jobs wait in the dispatcher's queue (the job being placed included, if queued).</param>
    public int Pick(in JobPlacement job, int queued)
    {
        // One pass over the slots (this runs for every job): the ready ones with room, and whether any still starts.
        int count = 0;
        int leastInFlight = int.MaxValue;
        bool anyStarting = false;
        foreach (WorkerSlot slot in slots)
        {
            WorkerState state = slot.State;
            int inFlight = slot.InFlight;
            if (state == WorkerState.Ready && inFlight < maxInFlightPerWorker)
            {
                _candidates[count++] = new WorkerLoad(slot.Index, inFlight);
                leastInFlight = Math.Min(leastInFlight, inFlight);
            }
            else if (state == WorkerState.Starting)
            {
                anyStarting = true;
            }
        }

        if (anyStarting)
        {
            _spreadingBacklog = true;
            count = KeepLoadedAtMost(count, 0);
        }
        else if (_spreadingBacklog)
        {
            _spreadingBacklog = queued != 0;
            if (_spreadingBacklog)
            {
                count = KeepLoadedAtMost(count, leastInFlight);
            }
        }

        if (count == 0)
        {
            return -1;
        }

        int choice = strategy.Select(job, _candidates.AsSpan(0, count));
        if ((uint)choice >= (uint)count)
        {
            throw new InvalidOperationException($"Strategy '{strategy.GetType().FullName}' chose position {choice} among {count} candidates.");
        }

        return _candidates[choice].WorkerIndex;
    }

    private int KeepLoadedAtMost(int count, int inFlight)
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (_candidates[i].InFlight <= inFlight)
            {
                _candidates[kept++] = _candidates[i];
            }
        }

        Debug.Assert(kept <= count, "Narrowing never adds a candidate.");
        return kept;
    }
}
