using System.Reflection;
using System.Text.RegularExpressions;

namespace Awsm.Scheduler.Docs.Tests;

/// <summary>
/// Finds the C# code blocks of the repository's Markdown. A block opens with <c>```csharp</c> (or <c>```cs</c>,
/// <c>```c#</c>) and is compiled as it stands. An HTML comment on the line before the fence, invisible once rendered,
/// changes that: <c>&lt;!-- snippet: skip REASON --&gt;</c> for a fragment that cannot compile alone (the reason is
/// required), <c>&lt;!-- snippet: web --&gt;</c> for an ASP.NET Core app, <c>&lt;!-- snippet: continues --&gt;</c> for a
/// block compiled together with the compiled blocks before it in the same file (back to the last one without
/// <c>continues</c>), as the files of one project: a job defined once, then used by the blocks that follow. Of an
/// earlier block, only the declarations (types) are kept: top-level statements belong to the block they are in.
/// Directives combine: <c>&lt;!-- snippet: web continues --&gt;</c>.
/// </summary>
internal static partial class MarkdownSnippets
{
    /// <summary>Gets the repository root, recorded by the build.</summary>
    public static string RepositoryRoot { get; } =
        typeof(MarkdownSnippets).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AwsmRepositoryRoot").Value!;

    /// <summary>Gets the Markdown files whose C# blocks are checked: the README, docs/, and every project's README.</summary>
    public static IReadOnlyList<string> MarkdownFiles()
    {
        var files = new List<string> { Path.Combine(RepositoryRoot, "README.md") };
        string docs = Path.Combine(RepositoryRoot, "docs");
        if (Directory.Exists(docs))
        {
            files.AddRange(Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        }

        files.AddRange(Directory.EnumerateDirectories(RepositoryRoot, "Awsm.Scheduler.*")
            .Select(d => Path.Combine(d, "README.md"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal));
        return files;
    }

    /// <summary>Gets every C# block of every checked file.</summary>
    public static IReadOnlyList<MarkdownSnippet> All() => MarkdownFiles().SelectMany(Read).ToList();

    /// <summary>Reads the C# blocks of one Markdown file.</summary>
    /// <param name="path">The file's full path.</param>
    /// <returns>Its blocks, in order.</returns>
    public static IEnumerable<MarkdownSnippet> Read(string path)
    {
        string relative = Path.GetRelativePath(RepositoryRoot, path).Replace('\\', '/');
        string[] lines = File.ReadAllLines(path);
        string heading = "";
        var chain = new List<MarkdownSnippet>();
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = OpeningFence().Match(lines[i]);
            if (!open.Success)
            {
                if (lines[i].StartsWith('#'))
                {
                    heading = lines[i].TrimStart('#').Trim();
                }

                // Any other fenced block (bash, text, ...) is skipped whole, so a "```" inside it is not misread.
                Match other = AnyFence().Match(lines[i]);
                if (other.Success)
                {
                    i = FindClosingFence(lines, i + 1, other.Groups["fence"].Value, relative, lines[i]);
                }

                continue;
            }

            string indent = open.Groups["indent"].Value;
            int close = FindClosingFence(lines, i + 1, open.Groups["fence"].Value, relative, lines[i]);
            string code = string.Join('\n', lines[(i + 1)..close].Select(l => l.StartsWith(indent, StringComparison.Ordinal) ? l[indent.Length..] : l.TrimStart()));
            (string? skip, bool web, bool continues) = Directives(lines, i, relative);
            if (continues && chain.Count == 0)
            {
                throw new InvalidOperationException($"{relative}:{i + 1}: '<!-- snippet: continues -->' but no compiled block comes before it in this file.");
            }

            var snippet = new MarkdownSnippet(relative, i + 2, code, skip, web, heading, continues ? chain.ToArray() : []);
            if (skip is null)
            {
                if (!continues)
                {
                    chain.Clear();
                }

                chain.Add(snippet);
            }

            yield return snippet;
            i = close;
        }
    }

    private static int FindClosingFence(string[] lines, int from, string fence, string file, string opening)
    {
        for (int j = from; j < lines.Length; j++)
        {
            if (lines[j].Trim() == fence)
            {
                return j;
            }
        }

        throw new InvalidOperationException($"{file}:{from}: the code block opened by '{opening.Trim()}' is never closed.");
    }

    private static (string? Skip, bool Web, bool Continues) Directives(string[] lines, int fence, string file)
    {
        int above = fence - 1;
        while (above >= 0 && string.IsNullOrWhiteSpace(lines[above]))
        {
            above--;
        }

        Match marker = above >= 0 ? Marker().Match(lines[above]) : Match.Empty;
        if (!marker.Success)
        {
            return (null, false, false);
        }

        string text = marker.Groups["text"].Value.Trim();
        if (text.StartsWith("skip", StringComparison.Ordinal))
        {
            string reason = text["skip".Length..].Trim(' ', ':', '-');
            return reason.Length > 0
                ? (reason, false, false)
                : throw new InvalidOperationException($"{file}:{above + 1}: '<!-- snippet: skip -->' needs a reason, e.g. '<!-- snippet: skip fragment: needs the app's builder -->'.");
        }

        bool web = false, continues = false;
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (word)
            {
                case "web": web = true; break;
                case "continues": continues = true; break;
                default: throw new InvalidOperationException($"{file}:{above + 1}: unknown snippet directive '{word}' (known: 'skip REASON', 'web', 'continues').");
            }
        }

        return (null, web, continues);
    }

    [GeneratedRegex(@"^(?<indent>\s*)(?<fence>```)\s*(csharp|cs|c#)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex OpeningFence();

    [GeneratedRegex(@"^\s*(?<fence>```)\S*\s*$")]
    private static partial Regex AnyFence();

    [GeneratedRegex(@"^\s*<!--\s*snippet:(?<text>.*?)-->\s*$")]
    private static partial Regex Marker();
}
