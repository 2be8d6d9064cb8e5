namespace Awsm.Scheduler.Docs.Tests;

/// <summary>Every C# block of the Markdown compiles as written, unless it is marked as a fragment.</summary>
public sealed class SnippetTests
{
    /// <summary>Gets one case per block: file and line, so a failing case names the block.</summary>
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (MarkdownSnippet snippet in MarkdownSnippets.All().Where(s => s.Skip is null))
        {
            data.Add(snippet.File, snippet.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void CodeBlock_AsWritten_CompilesWithoutWarnings(string file, int line)
    {
        MarkdownSnippet snippet = Find(file, line);

        (_, IReadOnlyList<string> problems) = SnippetCompiler.Compile(snippet, $"Snippet_{line}");

        Assert.True(problems.Count == 0,
            $"The C# block at {snippet.Location} (under \"{snippet.Heading}\") does not compile as written:\n  "
            + string.Join("\n  ", problems)
            + "\nFix the block, or mark a fragment with '<!-- snippet: skip REASON -->' on the line before its fence.");
    }

    [Fact]
    public void PackageReadme_EveryShippingLibrary_HasACompiledExample()
    {
        // A shipping library is a project folder that tracks its public API.
        string[] libraries = Directory.EnumerateDirectories(MarkdownSnippets.RepositoryRoot, "Awsm.Scheduler.*")
            .Where(d => File.Exists(Path.Combine(d, "PublicAPI.Unshipped.txt")))
            .ToArray();
        Assert.NotEmpty(libraries);

        foreach (string library in libraries)
        {
            string readme = Path.Combine(library, "README.md");
            Assert.True(File.Exists(readme), $"{Path.GetFileName(library)} ships as a package but has no README.md.");
            Assert.True(MarkdownSnippets.Read(readme).Any(s => s.Skip is null),
                $"{Path.GetFileName(library)}/README.md has no compiled ```csharp example.");
        }
    }

    [Fact]
    public void PackageReadme_EveryShippingLibrary_HasItsOwnInstallLine()
    {
        // A package page on nuget.org shows only its own README: it must say how to install that package.
        string[] libraries = Directory.EnumerateDirectories(MarkdownSnippets.RepositoryRoot, "Awsm.Scheduler.*")
            .Where(d => File.Exists(Path.Combine(d, "PublicAPI.Unshipped.txt")))
            .ToArray();
        Assert.NotEmpty(libraries);

        foreach (string library in libraries)
        {
            string name = Path.GetFileName(library);
            string readme = File.ReadAllText(Path.Combine(library, "README.md"));
            Assert.True(readme.Contains($"dotnet add package {name} ", StringComparison.Ordinal),
                $"{name}/README.md has no install line ('dotnet add package {name} --prerelease').");
        }
    }

    [Fact]
    public void Read_BrokenBlock_ReportsMarkdownFileAndLine()
    {
        // The check itself: a block that cannot compile is reported at its Markdown line, not at a line of a temp file.
        string path = Path.Combine(Path.GetTempPath(), $"awsm-snippet-{Guid.NewGuid():N}.md");
        File.WriteAllText(path, "# T\n\ntext\n\n```csharp\nConsole.WriteLine(\"ok\");\nint x = undefinedName;\n```\n");
        try
        {
            MarkdownSnippet snippet = Assert.Single(MarkdownSnippets.Read(path));

            (_, IReadOnlyList<string> problems) = SnippetCompiler.Compile(snippet, "Broken");

            string problem = Assert.Single(problems, p => p.Contains("CS0103", StringComparison.Ordinal));
            Assert.StartsWith($"{snippet.File}(7,9): error CS0103", problem, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static MarkdownSnippet Find(string file, int line) =>
        MarkdownSnippets.All().Single(s => s.File == file && s.Line == line);
}
