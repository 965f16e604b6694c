using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace MailTls.Bench
{
    /// <summary>
    /// Import-Module, and import plus a first cold probe, each over a bare pwsh start, for MailTls and for the issue's
    /// peer, a minimal binary module that isolates MailKit in its own load context (bench/Peers/MinimalMailKit): whole
    /// processes, median of 15 rounds. Each round runs every command once, in an order that rotates, so the machine's
    /// drift (this one's pwsh start moves by 100 ms between minutes) falls on all of them alike.
    /// </summary>
    internal static class ImportBench
    {
        private const int Rounds = 15;

        public static string Run(string pwsh, string repository, string modulePath, string rootPath, string host, int port, string scratch)
        {
            var peerPath = PublishPeer(repository, Path.Combine(scratch, "MinimalMailKit"));
            var commands = new[]
            {
                "exit",
                $"Import-Module '{peerPath}'",
                $"Import-Module '{peerPath}'; $null = Test-ImapsHandshake {host} {port} '{rootPath}'",
                $"Import-Module '{modulePath}'",
                $"Import-Module '{modulePath}'; $null = Test-MailEndpoint {host}:{port} -Protocol Imap -Security Implicit -TrustedRootCertificate '{rootPath}'",
            };
            double Time(string command) => Shell.Milliseconds(pwsh, new[] { "-NoProfile", "-NonInteractive", "-Command", command });

            foreach (var command in commands)
            {
                Time(command); // warm the file cache; a failing command (a broken peer) throws here
            }

            var times = commands.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < Rounds; round++)
            {
                for (var i = 0; i < commands.Length; i++)
                {
                    var which = (i + round) % commands.Length;
                    times[which].Add(Time(commands[which]));
                }
            }

            var medians = times.Select(Shell.Median).ToArray();
            var bare = medians[0];
            string Over(int i) => $"+{medians[i] - bare:0} ms";
            string Verdict(int i, double target) => medians[i] - bare <= target ? "met" : "not met";
            string Ratio(int ours, int peer) => $"{(medians[ours] - bare) / (medians[peer] - bare):0.00}";
            return new StringBuilder()
                .AppendLine($"## Import time (whole pwsh processes, median of {Rounds} rounds)")
                .AppendLine()
                .AppendLine("The peer: a minimal binary module (bench/Peers/MinimalMailKit) that loads MailKit in its own AssemblyLoadContext and")
                .AppendLine("has one cmdlet, one MailKit IMAPS connection checked against the test root, and no format or type files. Each round")
                .AppendLine("runs the five commands once, in a rotating order.")
                .AppendLine()
                .AppendLine("| | wall time | over a bare start | the peer, over a bare start | MailTls ÷ peer | target |")
                .AppendLine("|---|---|---|---|---|---|")
                .AppendLine($"| `pwsh -NoProfile -Command exit` | {bare:0} ms | | | | |")
                .AppendLine($"| `Import-Module` | {medians[3]:0} ms | {Over(3)} | {Over(1)} | {Ratio(3, 1)} | ≤ +200 ms ({Verdict(3, 200)}) |")
                .AppendLine($"| import + first cold probe (IMAPS, Dovecot) | {medians[4]:0} ms | {Over(4)} | {Over(2)} | {Ratio(4, 2)} | ≤ +400 ms ({Verdict(4, 400)}) |")
                .AppendLine()
                .AppendLine("MailTls's first probe does the whole mail dialog before and after TLS and judges the chain; the peer's only shakes hands")
                .AppendLine("and logs out. MailTls's import also loads its format and type files (views, serialization depth), which the peer has none of.")
                .ToString();
        }

        /// <summary>Publishes the peer module (its engine beside MailKit in deps/) and writes its manifest; the manifest's path.</summary>
        private static string PublishPeer(string repository, string folder)
        {
            var peers = Path.Combine(repository, "bench", "Peers");
            Shell.Run("dotnet", new[] { "publish", Path.Combine(peers, "MinimalMailKit.Engine"), "-c", "Release", "-o", Path.Combine(folder, "deps") });
            Shell.Run("dotnet", new[] { "publish", Path.Combine(peers, "MinimalMailKit"), "-c", "Release", "-o", folder });
            var manifest = Path.Combine(folder, "MinimalMailKit.psd1");
            File.WriteAllText(manifest, "@{ RootModule = 'MinimalMailKit.dll'; ModuleVersion = '1.0'; GUID = '3b0c9a52-6a3e-4f0e-9d6f-0c6f3c1d2e41'; " +
                "CmdletsToExport = @('Test-ImapsHandshake'); FunctionsToExport = @(); AliasesToExport = @(); VariablesToExport = @() }");
            return manifest;
        }
    }
}
