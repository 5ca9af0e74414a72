using System.CommandLine;
using Reelgate.Cli;

var app = new CliApp(Console.Out, Console.Error, Environment.GetEnvironmentVariable, interactive: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
return await app.RunAsync(args);
