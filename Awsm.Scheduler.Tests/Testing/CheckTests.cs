using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Testing.Internal;

namespace Awsm.Scheduler.Tests.Testing;

/// <summary>
/// The conformance scenarios' own assertions: each failure is a <see cref="ConformanceException"/> whose message names
/// the check, the expression at the call site, and what was expected and found.
/// </summary>
public sealed class CheckTests
{
    [Fact]
    public void Equal_ValuesDiffer_NamesExpressionExpectedAndActual()
    {
        int pending = 3;

        var error = Assert.Throws<ConformanceException>(() => Check.Equal(0, pending));

        Assert.Equal("Check.Equal failed for `pending`.\nExpected: 0\nActual:   3", error.Message);
    }

    [Fact]
    public void Equal_SequencesDifferAtAnIndex_NamesTheIndexAndBothSequences()
    {
        int[] workers = [0, 1, 1];

        var error = Assert.Throws<ConformanceException>(() => Check.Equal([0, 1, 0], workers));

        Assert.Contains("Sequences differ at index 2: expected 0, actual 1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Expected: [0, 1, 0]\nActual:   [0, 1, 1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_SequencesDifferInLength_SaysSo()
    {
        var error = Assert.Throws<ConformanceException>(() => Check.Equal(Enumerable.Range(1, 3), Enumerable.Range(1, 2)));

        Assert.Contains("expected 3 items, actual 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_EqualSequencesAndValues_DoesNotThrow()
    {
        Check.Equal(new[] { 1, 2 }.AsEnumerable(), [1, 2]);
        Check.Equal("a", "a");
        Check.Equal(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Contains_SubstringMissing_ShowsBothStrings()
    {
        string message = "worker 0 crashed";

        var error = Assert.Throws<ConformanceException>(() => Check.Contains("evicted", message));

        Assert.Equal("Check.Contains failed for `message`.\nNot found: \"evicted\"\nIn value:  \"worker 0 crashed\"", error.Message);
    }

    [Fact]
    public void True_WithReason_CarriesTheReason()
    {
        var error = Assert.Throws<ConformanceException>(() => Check.True(1 > 2, "one is not more than two"));

        Assert.Equal("Check.True failed for `1 > 2`.\nExpected: True (one is not more than two)\nActual:   False", error.Message);
    }

    [Fact]
    public void All_OneItemFails_NamesItsIndex()
    {
        int[] items = [1, 1, 2];

        var error = Assert.Throws<ConformanceException>(() => Check.All(items, i => Check.Equal(1, i)));

        Assert.StartsWith("Check.All failed for `items`: item 2 (2) did not pass.", error.Message, StringComparison.Ordinal);
        Assert.IsType<ConformanceException>(error.InnerException);
    }

    [Fact]
    public async Task ThrowsAsync_ExactTypeThrown_ReturnsTheException()
    {
        var thrown = new InvalidOperationException("boom");

        InvalidOperationException caught = await Check.ThrowsAsync<InvalidOperationException>(() => Task.FromException(thrown));

        Assert.Same(thrown, caught);
    }

    [Fact]
    public async Task ThrowsAsync_SubclassThrown_FailsNamingBothTypes()
    {
        var error = await Assert.ThrowsAsync<ConformanceException>(
            () => Check.ThrowsAsync<OperationCanceledException>(() => Task.FromException(new TaskCanceledException("late"))));

        Assert.Contains("Expected: System.OperationCanceledException\nActual:   System.Threading.Tasks.TaskCanceledException: late", error.Message, StringComparison.Ordinal);
        Assert.IsType<TaskCanceledException>(error.InnerException);
    }

    [Fact]
    public async Task ThrowsAnyAsync_SubclassThrown_ReturnsIt()
    {
        OperationCanceledException caught = await Check.ThrowsAnyAsync<OperationCanceledException>(() => Task.FromException(new TaskCanceledException()));

        Assert.IsType<TaskCanceledException>(caught);
    }

    [Fact]
    public async Task ThrowsAsync_NothingThrown_SaysTheOperationCompleted()
    {
        var error = await Assert.ThrowsAsync<ConformanceException>(() => Check.ThrowsAsync<TimeoutException>(() => Task.CompletedTask));

        Assert.Equal(
            "Check.ThrowsAsync failed for `() => Task.CompletedTask`.\nExpected: System.TimeoutException\nActual:   no exception (the operation completed)",
            error.Message);
    }
}
