using System.Reflection;
using System.Text.Json;
using Awsm.Scheduler.Testing;

namespace Awsm.Scheduler.Tests.Testing;

/// <summary>
/// Awsm.Scheduler.Testing chooses no test runner: an app that references it for the fault decorator (the hosting
/// sample's chaos endpoint) ships no xunit assembly, and only the Awsm.Scheduler.Testing.Xunit layer brings one.
/// </summary>
public sealed class TestingPackageDependencyTests
{
    private static readonly string HostingSampleOutput =
        typeof(TestingPackageDependencyTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AwsmHostingSampleOutput").Value!;

    [Fact]
    public void TestingAssembly_References_NoTestFramework()
    {
        AssemblyName[] references = typeof(FaultInjectingTransport).Assembly.GetReferencedAssemblies();

        Assert.DoesNotContain(references, r => IsTestFramework(r.Name));
    }

    [Fact]
    public void XunitLayerAssembly_References_Xunit()
    {
        AssemblyName[] references = typeof(TransportConformanceTests).Assembly.GetReferencedAssemblies();

        Assert.Contains(references, r => IsTestFramework(r.Name));
    }

    [Fact]
    public void HostingSampleBuildOutput_UsesTheFaultDecorator_HasNoXunitAssembly()
    {
        string deps = Path.Combine(HostingSampleOutput, "Awsm.Scheduler.Samples.Hosting.deps.json");
        Assert.True(File.Exists(deps), $"The hosting sample's build output is missing: {deps} (it is built before this project).");

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(deps));
        string[] libraries = [.. document.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0])];
        string[] files = [.. Directory.EnumerateFiles(HostingSampleOutput, "*.dll").Select(Path.GetFileNameWithoutExtension).OfType<string>()];

        // The sample does reference the Testing package (its chaos endpoint), so the absence below means something.
        Assert.Contains("Awsm.Scheduler.Testing", libraries);
        Assert.Contains("Awsm.Scheduler.Testing", files);
        Assert.DoesNotContain(libraries, IsTestFramework);
        Assert.DoesNotContain(files, IsTestFramework);
    }

    private static bool IsTestFramework(string? name) =>
        name is not null
        && (name.StartsWith("xunit", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("Awsm.Scheduler.Testing.Xunit", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("Microsoft.TestPlatform", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("nunit", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("MSTest", StringComparison.OrdinalIgnoreCase));
}
