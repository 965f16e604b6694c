using System.Globalization;
using System.Linq;
using System.Text;

namespace MailTls.Bench
{
    /// <summary>Import-Module, and import plus a first cold probe, each over a bare pwsh start: whole processes, median of 15.</summary>
    internal static class ImportBench
    {
        private const int Runs = 15;

        public static string Run(string pwsh, string modulePath, string rootPath, string target)
        {
            double Median(string command)
            {
                var arguments = new[] { "-NoProfile", "-NonInteractive", "-Command", command };
                Shell.Milliseconds(pwsh, arguments); // warm the file cache
                return Shell.Median(Enumerable.Range(0, Runs).Select(_ => Shell.Milliseconds(pwsh, arguments)));
            }

            var bare = Median("exit");
            var import = Median($"Import-Module '{modulePath}'");
            var probe = Median($"Import-Module '{modulePath}'; $null = Test-MailEndpoint {target} -Protocol Imap -Security Implicit -TrustedRootCertificate '{rootPath}'");
            string Verdict(double over, double target) => over <= target ? "met" : "not met";
            return new StringBuilder()
                .AppendLine($"## Import time (whole pwsh processes, median of {Runs})")
                .AppendLine()
                .AppendLine("| | wall time | over a bare start | target |")
                .AppendLine("|---|---|---|---|")
                .AppendLine($"| `pwsh -NoProfile -Command exit` | {bare:0} ms | | |")
                .AppendLine($"| `Import-Module MailTls` | {import:0} ms | +{import - bare:0} ms | ≤ +200 ms ({Verdict(import - bare, 200)}) |")
                .AppendLine($"| import + first cold probe (IMAPS, Dovecot) | {probe:0} ms | +{probe - bare:0} ms | ≤ +400 ms ({Verdict(probe - bare, 400)}) |")
                .ToString();
        }
    }
}
