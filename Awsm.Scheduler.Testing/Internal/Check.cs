using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Awsm.Scheduler.Testing.Internal;

/// <summary>
/// The scenarios' assertions: a handful of checks that throw <see cref="ConformanceException"/>, so the catalog runs
/// under any test runner, or none. Each message names the check and the expression it checked (taken by the compiler
/// from the call site), then what was expected and what was found, in the shape a test runner's own assertion uses.
/// </summary>
internal static class Check
{
    /// <summary>How many items of a sequence a message shows before it elides the rest.</summary>
    private const int ShownItems = 12;

    public static void Equal<T>(T expected, T actual, [CallerArgumentExpression(nameof(actual))] string? expression = null)
    {
        if (expected is IEnumerable expectedItems and not string && actual is IEnumerable actualItems and not string)
        {
            SequenceEqual(expectedItems, actualItems, expression);
            return;
        }

        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw Fail("Equal", expression, $"Expected: {Format(expected)}\nActual:   {Format(actual)}");
        }
    }

    public static void True(bool condition, string? because = null, [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        if (!condition)
        {
            throw Fail("True", expression, because is null ? "Expected: True\nActual:   False" : $"Expected: True ({because})\nActual:   False");
        }
    }

    public static void False(bool condition, [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        if (condition)
        {
            throw Fail("False", expression, "Expected: False\nActual:   True");
        }
    }

    public static void Contains(string expectedSubstring, string? actual, [CallerArgumentExpression(nameof(actual))] string? expression = null)
    {
        if (actual is null || !actual.Contains(expectedSubstring, StringComparison.Ordinal))
        {
            throw Fail("Contains", expression, $"Not found: {Format(expectedSubstring)}\nIn value:  {Format(actual)}");
        }
    }

    public static void EndsWith(string expectedEnd, string? actual, [CallerArgumentExpression(nameof(actual))] string? expression = null)
    {
        if (actual is null || !actual.EndsWith(expectedEnd, StringComparison.Ordinal))
        {
            throw Fail("EndsWith", expression, $"Expected end: {Format(expectedEnd)}\nActual:       {Format(actual)}");
        }
    }

    public static void InRange(int actual, int low, int high, [CallerArgumentExpression(nameof(actual))] string? expression = null)
    {
        if (actual < low || actual > high)
        {
            throw Fail("InRange", expression, $"Range:  [{low}, {high}]\nActual: {actual}");
        }
    }

    /// <summary>Checks every item; the first that fails is reported with its index.</summary>
    public static void All<T>(IEnumerable<T> items, Action<T> check, [CallerArgumentExpression(nameof(items))] string? expression = null)
    {
        int index = 0;
        foreach (T item in items)
        {
            try
            {
                check(item);
            }
            catch (ConformanceException ex)
            {
                throw new ConformanceException($"Check.All failed for `{expression}`: item {index} ({Format(item)}) did not pass.\n{ex.Message}", ex);
            }

            index++;
        }
    }

    /// <summary>Awaits the operation and expects it to throw exactly <typeparamref name="TException"/> (not a subclass).</summary>
    public static Task<TException> ThrowsAsync<TException>(Func<Task> operation, [CallerArgumentExpression(nameof(operation))] string? expression = null)
        where TException : Exception =>
        ThrowsCoreAsync<TException>(operation, exact: true, expression);

    /// <summary>Awaits the operation and expects it to throw <typeparamref name="TException"/> or a subclass.</summary>
    public static Task<TException> ThrowsAnyAsync<TException>(Func<Task> operation, [CallerArgumentExpression(nameof(operation))] string? expression = null)
        where TException : Exception =>
        ThrowsCoreAsync<TException>(operation, exact: false, expression);

    private static async Task<TException> ThrowsCoreAsync<TException>(Func<Task> operation, bool exact, string? expression)
        where TException : Exception
    {
        string check = exact ? "ThrowsAsync" : "ThrowsAnyAsync";
        string wanted = exact ? typeof(TException).FullName! : $"{typeof(TException).FullName} or a subclass";
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (exact ? ex.GetType() == typeof(TException) : ex is TException)
        {
            return (TException)ex;
        }
        catch (Exception ex)
        {
            throw new ConformanceException(
                $"Check.{check} failed for `{expression}`: the wrong exception was thrown.\nExpected: {wanted}\nActual:   {ex.GetType().FullName}: {ex.Message}",
                ex);
        }

        throw Fail(check, expression, $"Expected: {wanted}\nActual:   no exception (the operation completed)");
    }

    private static void SequenceEqual(IEnumerable expected, IEnumerable actual, string? expression)
    {
        List<object?> e = [.. expected.Cast<object?>()];
        List<object?> a = [.. actual.Cast<object?>()];
        int length = Math.Min(e.Count, a.Count);
        for (int i = 0; i < length; i++)
        {
            if (!Equals(e[i], a[i]))
            {
                throw Fail("Equal", expression, $"Sequences differ at index {i}: expected {Format(e[i])}, actual {Format(a[i])}.\nExpected: {FormatItems(e)}\nActual:   {FormatItems(a)}");
            }
        }

        if (e.Count != a.Count)
        {
            throw Fail("Equal", expression, $"Sequences differ in length: expected {e.Count} items, actual {a.Count}.\nExpected: {FormatItems(e)}\nActual:   {FormatItems(a)}");
        }
    }

    private static ConformanceException Fail(string check, string? expression, string detail) =>
        new($"Check.{check} failed for `{expression}`.\n{detail}");

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? value.GetType().Name,
    };

    private static string FormatItems(List<object?> items)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < Math.Min(items.Count, ShownItems); i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(Format(items[i]));
        }

        return text.Append(items.Count > ShownItems ? $", ... ({items.Count} items)]" : "]").ToString();
    }
}
