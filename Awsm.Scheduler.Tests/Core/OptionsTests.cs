namespace Awsm.Scheduler.Tests.Core;

public sealed class OptionsTests
{
    [Fact]
    public void WorkerCount_Zero_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPoolOptions { WorkerCount = 0 });
        Assert.Equal(nameof(WorkerPoolOptions.WorkerCount), error.ParamName);
    }

    [Fact]
    public void QueueCapacity_Negative_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPoolOptions { QueueCapacity = -1 });
        Assert.Equal(nameof(WorkerPoolOptions.QueueCapacity), error.ParamName);
    }

    [Fact]
    public void JobTimeout_Zero_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPoolOptions { JobTimeout = TimeSpan.Zero });
        Assert.Equal(nameof(WorkerPoolOptions.JobTimeout), error.ParamName);
    }

    [Fact]
    public void Defaults_MatchTheDocumentedDefaults()
    {
        var options = new WorkerPoolOptions();

        Assert.Equal(WorkerPoolDefaults.QueueCapacity, options.QueueCapacity);
        Assert.Equal(WorkerPoolDefaults.MaxInFlightPerWorker, options.MaxInFlightPerWorker);
        Assert.Equal(QueueFullMode.Wait, options.QueueFullMode);
        Assert.Null(options.JobTimeout);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), options.WorkerCount);
    }
}
