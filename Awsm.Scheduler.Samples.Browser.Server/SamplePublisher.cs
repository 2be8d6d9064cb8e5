using System.Diagnostics;
using System.Text;

namespace Awsm.Scheduler.Samples.Browser.Server;

/// <summary>Publishes Awsm.Scheduler.Samples.Browser into a fresh folder with a child <c>dotnet publish</c>.</summary>
public static class SamplePublisher
{
    /// <summary>The sample's project folder name.</summary>
    public const string SampleProject = "Awsm.Scheduler.Samples.Browser";

    /// <summary>Finds the repository root (the folder holding the sample's project) above <paramref name="start"/>.</summary>
    /// <param name="start">Where to start looking.</param>
    /// <returns>The root folder.</returns>
    public static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SampleProject, SampleProject + ".csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"{SampleProject}/{SampleProject}.csproj not found above {start}");
    }

    /// <summary>Publishes the sample (Release) into <paramref name="outputDir"/>, deleted first.</summary>
    /// <param name="repositoryRoot">The repository root.</param>
    /// <param name="outputDir">The publish folder; the site is its <c>wwwroot</c>.</param>
    /// <param name="timeout">How long the publish may take.</param>
    /// <returns>The wwwroot folder to serve.</returns>
    public static Task<string> PublishAsync(string repositoryRoot, string outputDir, TimeSpan timeout) =>
        PublishAsync(repositoryRoot, SampleProject, outputDir, timeout);

    /// <summary>Publishes the WebAssembly app <paramref name="projectName"/> (Release) into <paramref name="outputDir"/>, deleted first.</summary>
    /// <param name="repositoryRoot">The repository root.</param>
    /// <param name="projectName">The app's project folder (and project file) name, under the root.</param>
    /// <param name="outputDir">The publish folder; the site is its <c>wwwroot</c>.</param>
    /// <param name="timeout">How long the publish may take.</param>
    /// <returns>The wwwroot folder to serve.</returns>
    public static async Task<string> PublishAsync(string repositoryRoot, string projectName, string outputDir, TimeSpan timeout)
    {
        // Publish never deletes stale fingerprinted files: start from an empty folder.
        if (Directory.Exists(outputDir))
        {
            Directory.Delete(outputDir, recursive: true);
        }

        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repositoryRoot,
        };
        string project = Path.Combine(repositoryRoot, projectName, projectName + ".csproj");
        foreach (string arg in new[] { "publish", project, "-c", "Release", "-o", outputDir, "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false" })
        {
            psi.ArgumentList.Add(arg);
        }

        // Under `dotnet test`, don't let the test host's MSBuild environment leak into the child build, and leave no build
        // servers behind that would hold our redirected pipes open.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "VSTEST_HOST_DEBUG" })
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"dotnet publish did not finish within {timeout}:\n{output}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {projectName} failed with exit code {process.ExitCode}:\n{output}");
        }

        string wwwroot = Path.Combine(outputDir, "wwwroot");
        if (!Directory.EnumerateFiles(Path.Combine(wwwroot, "_framework"), "dotnet.*js").Any(f => Path.GetFileName(f) is "dotnet.js" || System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), @"^dotnet\.[a-z0-9]+\.js$")))
        {
            throw new InvalidOperationException($"publish succeeded but {wwwroot}/_framework/dotnet.js (or a fingerprinted dotnet.<hash>.js) is missing:\n{output}");
        }

        return wwwroot;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
