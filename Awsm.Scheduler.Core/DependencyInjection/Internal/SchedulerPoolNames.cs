namespace Awsm.Scheduler.DependencyInjection;

/// <summary>
/// The names of the pools registered in a service collection. Registered once, as an instance, so that a second
/// <c>AddAwsmScheduler</c> call for the same name can see that it has nothing to add. Written only while services are
/// registered, read afterwards.
/// </summary>
internal sealed class SchedulerPoolNames
{
    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    public bool Contains(string? name) => name is not null && _names.Contains(name, StringComparer.Ordinal);

    public bool TryAdd(string name)
    {
        if (Contains(name))
        {
            return false;
        }

        _names.Add(name);
        return true;
    }

    public string Describe() => _names.Count == 0 ? "none" : string.Join(", ", _names.Select(n => $"'{n}'"));
}
