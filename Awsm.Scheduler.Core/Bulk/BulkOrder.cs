namespace Awsm.Scheduler;

/// <summary>The order in which a bulk map hands back its results.</summary>
public enum BulkOrder
{
    /// <summary>In the order of the inputs (the default). A slow early item holds back the results after it.</summary>
    InputOrder = 0,

    /// <summary>As the jobs end, whatever their inputs' order; each result carries its input's index.</summary>
    AsCompleted = 1,
}
