using Reelgate.Server;

// reelgate-server [--urls URL]        serve the API (default http://127.0.0.1:8080)
// reelgate-server audit               check balance == sum(ledger) for every account
// reelgate-server backup FILE         copy the SQLite database while it serves, verified
// reelgate-server restore FILE        put a backup in place (refused while a server runs)
switch (args.FirstOrDefault())
{
    case "audit":
        return await AuditCommand.RunAsync(args[1..]);
    case "backup":
        return await BackupCommand.BackupAsync(args[1..]);
    case "restore":
        return await BackupCommand.RestoreAsync(args[1..]);
}

var builder = ReelgateHost.CreateBuilder(args);
var problems = ReelgateHost.ValidateConfiguration(builder.Configuration);
if (problems.Count > 0)
{
    Console.Error.WriteLine("reelgate-server: " + string.Join("; ", problems));
    return 2;
}

await ReelgateHost.Build(builder).RunAsync();
return 0;
