using System.Globalization;

namespace Reelgate.Bench;

/// <summary>
/// CPU seconds (user + system) used by this process's finished children, from the cutime and
/// cstime fields of <c>/proc/self/stat</c> (clock ticks of 1/100 s on Linux). The difference
/// around one ffmpeg run is that run's CPU: unlike its wall time, it does not grow while other
/// work holds the cores, so the CPU ratio stays meaningful on a loaded machine.
/// </summary>
public static class ChildCpu
{
    private const double TicksPerSecond = 100;

    public static double Seconds()
    {
        if (!File.Exists("/proc/self/stat"))
        {
            return 0;
        }

        // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the name: state is field 3, so cutime (16) and cstime (17) are at offsets 13 and 14.
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
