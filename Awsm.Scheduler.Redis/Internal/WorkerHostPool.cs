namespace Awsm.Scheduler.Redis.Internal;

/// <summary>A pool a worker host serves: its name, its keys and the jobs it can run.</summary>
internal sealed class WorkerHostPool
{
    public WorkerHostPool(string name, JobRegistry registry, RedisKeys keys)
    {
        Name = name;
        Registry = registry;
        Keys = keys;
    }

    public string Name { get; }

    public JobRegistry Registry { get; }

    public RedisKeys Keys { get; }
}
