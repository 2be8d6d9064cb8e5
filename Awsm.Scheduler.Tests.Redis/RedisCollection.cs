namespace Awsm.Scheduler.Tests.Redis;

/// <summary>Tests sharing one redis-server; each test isolates itself with its own key prefix.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}

/// <summary>Tests that restart or pause the server get one of their own.</summary>
[CollectionDefinition(Name)]
public sealed class RedisRestartCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis-restart";
}
