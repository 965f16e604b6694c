using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using MailTls.TestServers;

namespace MailTls.Bench
{
    /// <summary>
    /// A "TLS versions + certificate" check of one endpoint at a time: Test-MailEndpoint -IncludeTlsVersions
    /// (-ThrottleLimit 1, the default per-host limit) in a fresh pwsh, its first cold probe included, over every TLS
    /// endpoint of the test servers; beside testssl.sh -p -S, sslscan and nmap ssl-enum-ciphers on the same endpoints.
    /// Each peer's ratio is over the endpoints it ran on. The peers see only addresses (no DNS) and testssl.sh gets
    /// --nodns none, so nothing is looked up off the machine.
    /// </summary>
    internal static class PeerBench
    {
        private sealed record Endpoint(string Case, string Host, int Port, MailProtocol Protocol, MailSecurity Security)
        {
            public string Key => $"{Host}:{Port}";
        }

        private sealed record Ours(double Ms, string Verdict, string Versions, string Findings);

        public static string Run(string pwsh, string modulePath, string rootPath, string scratch)
        {
            var endpoints = new List<Endpoint>();
            foreach (var serverCase in ServerCase.All.Where(c => !c.NoStartTls))
            {
                foreach (var (port, protocol, security) in new[]
                {
                    (Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit), (Ports.Pop3s, MailProtocol.Pop3, MailSecurity.Implicit), (Ports.Smtps, MailProtocol.Smtp, MailSecurity.Implicit),
                    (Ports.Imap, MailProtocol.Imap, MailSecurity.StartTls), (Ports.Pop3, MailProtocol.Pop3, MailSecurity.StartTls),
                    (Ports.Submission, MailProtocol.Smtp, MailSecurity.StartTls), (Ports.Smtp, MailProtocol.Smtp, MailSecurity.StartTls),
                })
                {
                    endpoints.Add(new Endpoint(serverCase.Name, serverCase.Address, serverCase.Port(port), protocol, security));
                }
            }

            var ours = MeasureOurs(pwsh, modulePath, rootPath, endpoints);
            var implicitOnes = endpoints.Where(e => e.Security == MailSecurity.Implicit).ToList();
            var imaps = endpoints.Where(e => e.Security == MailSecurity.Implicit && e.Protocol == MailProtocol.Imap).ToList();

            var sslscan = implicitOnes.ToDictionary(e => e.Key, e => Shell.Milliseconds("sslscan", new[] { "--no-colour", e.Key }));
            var nmap = implicitOnes.ToDictionary(e => e.Key, e => Shell.Milliseconds("nmap",
                new[] { "-n", "-Pn", "-p", e.Port.ToString(CultureInfo.InvariantCulture), "--script", "+ssl-enum-ciphers,+ssl-cert", e.Host }));
            var testssl = new Dictionary<string, (double Ms, string Offered, string Chain)>();
            foreach (var endpoint in imaps)
            {
                var json = Path.Combine(scratch, $"testssl-{endpoint.Case}.json");
                File.Delete(json);
                var ms = Shell.Milliseconds("testssl", new[] { "-p", "-S", "--quiet", "--color", "0", "--nodns", "none", "--add-ca", rootPath, "--jsonfile", json, endpoint.Key }, anyExitCode: true);
                testssl[endpoint.Key] = (ms, Offered(json), Finding(json, "cert_chain_of_trust"));
            }

            double Mean(IEnumerable<Endpoint> set) => set.Average(e => ours[e.Key + e.Security].Ms);
            Console.WriteLine($"MailTls means: all {Mean(endpoints):0.0} ms, implicit {Mean(implicitOnes):0.0} ms, IMAPS {Mean(imaps):0.0} ms");
            var text = new StringBuilder()
                .AppendLine("## TLS versions + certificate, one endpoint at a time, beside testssl.sh, sslscan and nmap")
                .AppendLine()
                .AppendLine($"MailTls: `Test-MailEndpoint -IncludeTlsVersions -ThrottleLimit 1` (default per-host limit 2) in one fresh pwsh, each")
                .AppendLine($"endpoint timed by itself, the first (cold) probe included, over all {endpoints.Count} TLS endpoints of the test servers (every case,")
                .AppendLine("implicit TLS and STARTTLS, the legacy-TLS, weak-key, SHA-1 and bad-certificate ones included). Each peer ran once per endpoint")
                .AppendLine("of the set in its row (nmap's scripts run on implicit TLS only at these ports; testssl.sh takes ~10 s an endpoint, so it")
                .AppendLine("ran on every case's IMAPS), and its ratio is over that same set.")
                .AppendLine()
                .AppendLine("| peer | command | endpoints | peer, mean | MailTls, mean on the same endpoints | ratio (peer ÷ MailTls) | target |")
                .AppendLine("|---|---|---|---|---|---|---|")
                .AppendLine(Row("testssl.sh 3.0.8", "`testssl -p -S --nodns none --add-ca root.pem`", imaps.Count, testssl.Values.Average(v => v.Ms), Mean(imaps), 300))
                .AppendLine(Row("sslscan 2.0.7", "`sslscan --no-colour`", implicitOnes.Count, sslscan.Values.Average(), Mean(implicitOnes), 10))
                .AppendLine(Row("nmap 7.93", "`nmap -n -Pn --script +ssl-enum-ciphers,+ssl-cert`", implicitOnes.Count, nmap.Values.Average(), Mean(implicitOnes), 10))
                .AppendLine()
                .AppendLine($"MailTls over all {endpoints.Count} endpoints: mean {Mean(endpoints):0.0} ms, median {Shell.Median(ours.Values.Select(o => o.Ms)):0.0} ms, first (cold) probe {ours.Values.First().Ms:0} ms, slowest {ours.Values.Max(o => o.Ms):0} ms.")
                .AppendLine()
                .AppendLine("Completeness, on testssl.sh's endpoints: the TLS versions each found, and the chain verdicts. MailTls also reports the")
                .AppendLine("mail dialog around TLS (STARTTLS offered, login before TLS, injection), which testssl.sh -p -S does not.")
                .AppendLine()
                .AppendLine("| endpoint | case | testssl.sh offered | MailTls accepted | same versions | testssl.sh chain of trust | MailTls verdict: findings |")
                .AppendLine("|---|---|---|---|---|---|---|");
            foreach (var endpoint in imaps)
            {
                var peer = testssl[endpoint.Key];
                var mine = ours[endpoint.Key + endpoint.Security];
                var same = string.Join(",", peer.Offered.Split(',', StringSplitOptions.RemoveEmptyEntries).OrderBy(v => v)) == string.Join(",", mine.Versions.Split(',', StringSplitOptions.RemoveEmptyEntries).OrderBy(v => v));
                text.AppendLine($"| {endpoint.Key} | {endpoint.Case} | {peer.Offered} | {mine.Versions} | {(same ? "yes" : "**no**")} | {peer.Chain} | {mine.Verdict}: {mine.Findings} |");
            }

            return text.ToString();
        }

        private static Dictionary<string, Ours> MeasureOurs(string pwsh, string modulePath, string rootPath, List<Endpoint> endpoints)
        {
            var list = string.Join(",", endpoints.Select(e => $"'{e.Host}|{e.Port}|{e.Protocol}|{e.Security}'"));
            var script = $"Import-Module '{modulePath}'; foreach ($line in @({list})) {{ $h, $p, $protocol, $security = $line.Split('|'); " +
                "$clock = [Diagnostics.Stopwatch]::StartNew(); " +
                $"$r = Test-MailEndpoint -HostName $h -Port $p -Protocol $protocol -Security $security -IncludeTlsVersions -ThrottleLimit 1 -TrustedRootCertificate '{rootPath}'; " +
                "$ms = $clock.Elapsed.TotalMilliseconds; " +
                "'{0}|{1}|{2}|{3}|{4}|{5}|{6}' -f $h, $p, $security, $ms.ToString([cultureinfo]::InvariantCulture), $r.Verdict, (($r.AcceptedTlsVersions | ForEach-Object { $_ -replace 'TLS ', 'TLS' }) -join ','), $r.FindingIds }";
            var result = new Dictionary<string, Ours>();
            foreach (var line in Shell.PwshScript(pwsh, script))
            {
                var f = line.Split('|');
                result[$"{f[0]}:{f[1]}{f[2]}"] = new Ours(double.Parse(f[3], CultureInfo.InvariantCulture), f[4], f[5], f[6].Length == 0 ? "none" : f[6]);
            }

            if (result.Count != endpoints.Count)
            {
                throw new InvalidOperationException($"MailTls reported {result.Count} of {endpoints.Count} endpoints.");
            }

            return result;
        }

        private static string Row(string peer, string command, int count, double peerMs, double oursMs, int target) =>
            $"| {peer} | {command} | {count} | {peerMs:0} ms | {oursMs:0.0} ms | {peerMs / oursMs:0} | ≥ {target} ({(peerMs / oursMs >= target ? "met" : "not met")}) |";

        /// <summary>The protocol versions testssl.sh found offered, named as MailTls names them (TLS1.2).</summary>
        private static string Offered(string json)
        {
            var names = new Dictionary<string, string> { ["SSLv3"] = "SSL3", ["TLS1"] = "TLS1.0", ["TLS1_1"] = "TLS1.1", ["TLS1_2"] = "TLS1.2", ["TLS1_3"] = "TLS1.3" };
            return string.Join(",", Items(json).Where(i => names.ContainsKey(i.Id) && i.Finding.StartsWith("offered", StringComparison.Ordinal)).Select(i => names[i.Id]));
        }

        private static string Finding(string json, string id) => Items(json).FirstOrDefault(i => i.Id == id).Finding ?? "—";

        private static IEnumerable<(string Id, string Finding)> Items(string json)
        {
            if (!File.Exists(json))
            {
                return Array.Empty<(string, string)>();
            }

            using var document = JsonDocument.Parse(File.ReadAllText(json));
            return document.RootElement.EnumerateArray()
                .Select(e => (e.TryGetProperty("id", out var id) ? id.GetString() ?? string.Empty : string.Empty, e.TryGetProperty("finding", out var f) ? f.GetString() ?? string.Empty : string.Empty))
                .ToArray();
        }
    }
}
