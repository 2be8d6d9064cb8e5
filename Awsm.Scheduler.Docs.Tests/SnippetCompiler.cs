using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Awsm.Scheduler.Docs.Tests;

/// <summary>
/// Compiles a Markdown block (with the blocks it continues) as the source files of a new project: C# 14, nullable
/// enabled, the SDK's implicit usings, the framework's source generators (System.Text.Json contexts), and the
/// references the build recorded (the shipped libraries and what an app adds). Warnings count as failures, as in CI.
/// </summary>
internal static class SnippetCompiler
{
    // A new console project's implicit usings (Microsoft.NET.Sdk), and what Microsoft.NET.Sdk.Web adds.
    private static readonly string[] s_consoleUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] s_webUsings =
        ["System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
         "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
         "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"];

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.CSharp14);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
        [.. ReadList("snippet-references.txt").Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))]);

    private static readonly Lazy<ImmutableArray<ISourceGenerator>> s_generators = new(() =>
        [.. ReadList("snippet-generators.txt").SelectMany(LoadGenerators)]);

    /// <summary>Gets the non-framework assemblies a compiled snippet needs beside it to run.</summary>
    public static IEnumerable<string> LibraryFileNames =>
        ReadList("snippet-references.txt")
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}packs{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .OfType<string>();

    /// <summary>Compiles a block.</summary>
    /// <param name="snippet">The block.</param>
    /// <param name="assemblyName">The assembly's name.</param>
    /// <returns>The compilation after the source generators ran, and every error and warning, placed in the Markdown file.</returns>
    public static (Compilation Compilation, IReadOnlyList<string> Problems) Compile(MarkdownSnippet snippet, string assemblyName)
    {
        // One file per block, named after its place, so a diagnostic maps back to the block and the Markdown line.
        // Of the blocks it continues, a block keeps the declarations only: top-level statements are one file's each.
        MarkdownSnippet[] blocks = [.. snippet.Earlier, snippet];
        SyntaxTree[] code = blocks
            .Select(b => Parse(b.Code, b.Location, declarationsOnly: !ReferenceEquals(b, snippet)))
            .ToArray();
        IEnumerable<string> usings = blocks.Any(b => b.Web) ? s_consoleUsings.Concat(s_webUsings) : s_consoleUsings;
        SyntaxTree globalUsings = CSharpSyntaxTree.ParseText(
            string.Concat(usings.Select(u => $"global using {u};\n")), s_parseOptions, path: "ImplicitUsings.g.cs", encoding: Encoding.UTF8);

        bool isProgram = code.Any(t => t.GetRoot().ChildNodes().OfType<GlobalStatementSyntax>().Any());
        var options = new CSharpCompilationOptions(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithSpecificDiagnosticOptions([
                // A new project's defaults: an unused global using is no error.
                new KeyValuePair<string, ReportDiagnostic>("CS8019", ReportDiagnostic.Suppress),
            ]);
        Compilation compilation = CSharpCompilation.Create(assemblyName, [globalUsings, .. code], s_references.Value, options);

        CSharpGeneratorDriver.Create(s_generators.Value, parseOptions: s_parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out ImmutableArray<Diagnostic> generatorDiagnostics);

        var problems = generatorDiagnostics.Concat(generated.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => Describe(d, blocks))
            .ToList();
        return (generated, problems);
    }

    private static SyntaxTree Parse(string code, string path, bool declarationsOnly)
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(code, s_parseOptions, path: path, encoding: Encoding.UTF8);
        if (!declarationsOnly)
        {
            return tree;
        }

        // Blank the statements out character by character, so every declaration keeps its line and column.
        char[] text = code.ToCharArray();
        foreach (GlobalStatementSyntax statement in tree.GetRoot().ChildNodes().OfType<GlobalStatementSyntax>())
        {
            for (int i = statement.Span.Start; i < statement.Span.End; i++)
            {
                if (text[i] is not ('\n' or '\r'))
                {
                    text[i] = ' ';
                }
            }
        }

        return CSharpSyntaxTree.ParseText(new string(text), s_parseOptions, path: path, encoding: Encoding.UTF8);
    }

    // "README.md(23,5): error CS0103: The name 'data' does not exist in the current context", with the Markdown line.
    private static string Describe(Diagnostic diagnostic, MarkdownSnippet[] blocks)
    {
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        MarkdownSnippet? block = diagnostic.Location.IsInSource ? blocks.FirstOrDefault(b => b.Location == span.Path) : null;
        string where = block is not null
            ? $"{block.File}({block.Line + span.StartLinePosition.Line},{span.StartLinePosition.Character + 1})"
            : diagnostic.Location.IsInSource ? $"{blocks[^1].Location} (in {span.Path})" : blocks[^1].Location;
        string severity = diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{where}: {severity} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static string[] ReadList(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, name);
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0).ToArray()
            : throw new FileNotFoundException($"{name} is written by the build (target AwsmWriteSnippetReferences); rebuild the test project.", path);
    }

    private static IEnumerable<ISourceGenerator> LoadGenerators(string path)
    {
        Type?[] types;
        try
        {
            types = Assembly.LoadFrom(path).GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types; // a generator assembly may carry types for a newer compiler; the loadable ones are enough
        }

        foreach (Type type in types.OfType<Type>().Where(t => !t.IsAbstract && t.GetCustomAttributes<GeneratorAttribute>(inherit: false).Any()))
        {
            object instance = Activator.CreateInstance(type)!;
            if (instance is IIncrementalGenerator incremental)
            {
                yield return incremental.AsSourceGenerator();
            }
            else if (instance is ISourceGenerator generator)
            {
                yield return generator;
            }
        }
    }
}
