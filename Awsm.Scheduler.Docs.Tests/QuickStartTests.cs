using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;

namespace Awsm.Scheduler.Docs.Tests;

/// <summary>The README's quick start, compiled from the README as a program and run in its own process.</summary>
public sealed class QuickStartTests
{
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(2); // a hang guard only

    [Fact]
    public async Task QuickStart_RunAsProgram_PrintsTheHashOfHello()
    {
        MarkdownSnippet quickStart = MarkdownSnippets.Read(Path.Combine(MarkdownSnippets.RepositoryRoot, "README.md"))
            .First(s => s.Heading == "Quick start" && s.Skip is null);
        (Compilation compilation, IReadOnlyList<string> problems) = SnippetCompiler.Compile(quickStart, "QuickStart");
        Assert.True(problems.Count == 0, $"The quick start ({quickStart.Location}) does not compile:\n  " + string.Join("\n  ", problems));

        string dir = Directory.CreateTempSubdirectory("awsm-quickstart-").FullName;
        try
        {
            string program = Path.Combine(dir, "QuickStart.dll");
            EmitResult emitted = compilation.Emit(program);
            Assert.True(emitted.Success, string.Join('\n', emitted.Diagnostics));
            WriteRuntimeConfig(Path.Combine(dir, "QuickStart.runtimeconfig.json"));
            foreach (string library in SnippetCompiler.LibraryFileNames)
            {
                // The implementation beside this test (compile references may be reference assemblies).
                string implementation = Path.Combine(AppContext.BaseDirectory, library);
                if (File.Exists(implementation))
                {
                    File.Copy(implementation, Path.Combine(dir, library));
                }
            }

            (int exitCode, string output, string error) = await RunAsync(program);

            Assert.True(exitCode == 0, $"The quick start exited with {exitCode}.\nstdout:\n{output}\nstderr:\n{error}");
            string expected = Convert.ToHexString(SHA256.HashData("hello"u8));
            Assert.Equal(expected, output.Trim());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // The snippets compile against the shared frameworks this test uses (Microsoft.Extensions.* come from ASP.NET
    // Core's), so the program runs on the same ones; the Awsm libraries and Polly are copied beside it.
    private static void WriteRuntimeConfig(string path)
    {
        Version runtime = Environment.Version;
        File.WriteAllText(path, $$"""
            { "runtimeOptions": { "tfm": "net{{runtime.Major}}.{{runtime.Minor}}", "frameworks": [
              { "name": "Microsoft.NETCore.App", "version": "{{runtime.Major}}.{{runtime.Minor}}.0" },
              { "name": "Microsoft.AspNetCore.App", "version": "{{runtime.Major}}.{{runtime.Minor}}.0" } ] } }
            """);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program)
    {
        // The dotnet host that runs this test (the SDK sets DOTNET_HOST_PATH for dotnet test).
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } set ? set : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(program);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_runTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The quick start did not exit within {s_runTimeout}.");
        }

        return (process.ExitCode, await output, await error);
    }
}
