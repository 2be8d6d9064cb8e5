using Awsm.Scheduler.Demo.Cli;
using Spectre.Console;
using Spectre.Console.Cli;

if (Console.IsOutputRedirected)
{
    // CI logs and files: plain text, no colour codes, no cursor movement, so the live view turns into
    // progress lines (see RenderCommand) and the tables stay readable in any log viewer.
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });
}

var app = new CommandApp<RenderCommand>();
app.Configure(config =>
{
    config.SetApplicationName("Awsm.Scheduler.Demo");
    config.AddExample("--workers", "4", "--strategy", "least-busy");
    config.AddExample("--jobs", "1024", "--size", "2048", "--iterations", "5000", "--output", "big.png");
    config.AddExample("--mode", "by-reference", "--max-in-flight", "1");
});

return await app.RunAsync(args);
