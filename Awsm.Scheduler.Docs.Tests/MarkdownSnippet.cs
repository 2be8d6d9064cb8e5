namespace Awsm.Scheduler.Docs.Tests;

/// <summary>A C# code block of a Markdown file, exactly as written there.</summary>
/// <param name="File">The Markdown file, relative to the repository root, with forward slashes.</param>
/// <param name="Line">The 1-based line of the block's first code line (the line after the opening fence).</param>
/// <param name="Code">The block's text, its fence indentation removed.</param>
/// <param name="Skip">Why the block is not compiled (a fragment), or <see langword="null"/> when it is.</param>
/// <param name="Web">Whether the block is an ASP.NET Core app (Microsoft.NET.Sdk.Web's implicit usings).</param>
/// <param name="Heading">The nearest Markdown heading above the block.</param>
/// <param name="Earlier">
/// The blocks this one continues (<c>&lt;!-- snippet: continues --&gt;</c>): compiled with it as other files of the same
/// project, as a reader who pasted each block into its own file would. Empty for a block that stands alone.
/// </param>
internal sealed record MarkdownSnippet(string File, int Line, string Code, string? Skip, bool Web, string Heading, IReadOnlyList<MarkdownSnippet> Earlier)
{
    /// <summary>Gets where the block is, as an editor or a build log names a place: <c>README.md:17</c>.</summary>
    public string Location => $"{File}:{Line}";
}
