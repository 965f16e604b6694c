using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
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

            /// <summary>host:port and security, as MeasureOurs keys MailTls's figures: every tool's figures are kept by it.</summary>
            public string Id => Key + Security;
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

            // Every tool meets each endpoint as it would meet a running mail server: with server processes ready to
            // take its connections. Each Postfix service starts an smtpd on its first connection and keeps it for later
            // ones (100 s idle), so the first tool to reach a just-started service would wait for the start-ups that
            // every later tool is spared. So each tool's run on an endpoint comes right after two concurrent TLS
            // handshakes of openssl s_client on it (MailTls's own run, over every endpoint in one pwsh, right after a
            // pass of them, about 5 s). The same MailTls run on the servers as the earlier sections left them is shown
            // beside, for information.
            var asFound = MeasureOurs(pwsh, modulePath, rootPath, endpoints);
            foreach (var endpoint in endpoints)
            {
                Warm(endpoint, rootPath);
            }

            var ours = MeasureOurs(pwsh, modulePath, rootPath, endpoints);
            var implicitOnes = endpoints.Where(e => e.Security == MailSecurity.Implicit).ToList();
            var imaps = endpoints.Where(e => e.Security == MailSecurity.Implicit && e.Protocol == MailProtocol.Imap).ToList();

            // sslscan and testssl.sh speak STARTTLS themselves, so they run on every endpoint, as the target is defined;
            // nmap's scripts start TLS only where a port number tells them the protocol, so it runs on implicit TLS.
            // testssl.sh gets --warnings off as a script would: where the system's OpenSSL cannot connect (a TLS 1.0-only
            // server) it otherwise stops to ask whether to go on, and without a terminal it gives up, testing nothing.
            var sslscan = endpoints.ToDictionary(e => e.Id, e => AfterWarming(e, rootPath, () => Shell.Milliseconds("sslscan",
                StartTls(e, "--starttls-" + Lower(e.Protocol)).Concat(new[] { "--no-colour", e.Key }))));
            var nmap = implicitOnes.ToDictionary(e => e.Id, e => AfterWarming(e, rootPath, () => Shell.Milliseconds("nmap",
                new[] { "-n", "-Pn", "-p", e.Port.ToString(CultureInfo.InvariantCulture), "--script", "+ssl-enum-ciphers,+ssl-cert", e.Host })));
            var testssl = new Dictionary<string, (double Ms, string Offered, string Chain)>();
            foreach (var endpoint in endpoints)
            {
                var json = Path.Combine(scratch, $"testssl-{endpoint.Case}-{endpoint.Port}.json");
                File.Delete(json);
                var arguments = StartTls(endpoint, "-t", Lower(endpoint.Protocol))
                    .Concat(new[] { "-p", "-S", "--quiet", "--color", "0", "--warnings", "off", "--nodns", "none", "--add-ca", rootPath, "--jsonfile", json, endpoint.Key });
                var ms = AfterWarming(endpoint, rootPath, () => Shell.Milliseconds("testssl", arguments, anyExitCode: true));
                testssl[endpoint.Id] = (ms, Offered(json), Finding(json, "cert_chain_of_trust"));
            }

            double Mean(IEnumerable<Endpoint> set) => set.Average(e => ours[e.Id].Ms);
            double PeerMean(IEnumerable<Endpoint> set, Func<string, double> peer) => set.Average(e => peer(e.Id));
            bool SameVersions(Endpoint e) => Sorted(testssl[e.Id].Offered) == Sorted(ours[e.Id].Versions);
            var differing = endpoints.Where(e => !SameVersions(e)).ToList();
            Console.WriteLine($"MailTls means: all {Mean(endpoints):0.0} ms, implicit {Mean(implicitOnes):0.0} ms, IMAPS {Mean(imaps):0.0} ms");
            var text = new StringBuilder()
                .AppendLine("## TLS versions + certificate, one endpoint at a time, beside testssl.sh, sslscan and nmap")
                .AppendLine()
                .AppendLine($"MailTls: `Test-MailEndpoint -IncludeTlsVersions -ThrottleLimit 1` (default per-host limit 2) in one fresh pwsh, each")
                .AppendLine($"endpoint timed by itself, the first (cold) probe included, over all {endpoints.Count} TLS endpoints of the test servers (every case,")
                .AppendLine("implicit TLS and STARTTLS, the legacy-TLS, weak-key, SHA-1 and bad-certificate ones included). Each peer ran once per endpoint")
                .AppendLine("of the set in its row, STARTTLS ones with its own STARTTLS option (nmap's scripts start TLS only on the ports they know, so")
                .AppendLine("nmap ran on implicit TLS), and its ratio is over that same set. The IMAPS row, every case's Dovecot IMAPS, is the set earlier")
                .AppendLine("runs used for testssl.sh; it holds the cold first probe.")
                .AppendLine()
                .AppendLine("Every tool met each endpoint with server processes ready, as on a running mail server: each Postfix service starts an smtpd")
                .AppendLine("on its first connection and keeps it 100 s for later ones, so the first tool to reach a service the test servers have just")
                .AppendLine("started would wait for start-ups no later tool waits for. Each peer's run on an endpoint came right after two concurrent")
                .AppendLine("`openssl s_client` handshakes on it (untimed); MailTls's run, all endpoints in one pwsh, right after a pass of them.")
                .AppendLine()
                .AppendLine("| peer | command | endpoints | peer, mean | MailTls, mean on the same endpoints | ratio (peer ÷ MailTls) | target |")
                .AppendLine("|---|---|---|---|---|---|---|")
                .AppendLine(Row("testssl.sh 3.0.8", "`testssl [-t proto] -p -S --warnings off --nodns none --add-ca root.pem`", endpoints.Count, PeerMean(endpoints, k => testssl[k].Ms), Mean(endpoints), 300))
                .AppendLine(Row("testssl.sh 3.0.8, IMAPS only", "the same", imaps.Count, PeerMean(imaps, k => testssl[k].Ms), Mean(imaps), 300))
                .AppendLine(Row("sslscan 2.0.7", "`sslscan [--starttls-proto] --no-colour`", endpoints.Count, PeerMean(endpoints, k => sslscan[k]), Mean(endpoints), 10))
                .AppendLine(Row("nmap 7.93", "`nmap -n -Pn --script +ssl-enum-ciphers,+ssl-cert`", implicitOnes.Count, PeerMean(implicitOnes, k => nmap[k]), Mean(implicitOnes), 10))
                .AppendLine()
                .AppendLine($"MailTls over all {endpoints.Count} endpoints: mean {Mean(endpoints):0.0} ms, median {Shell.Median(ours.Values.Select(o => o.Ms)):0.0} ms, first (cold) probe {ours.Values.First().Ms:0} ms, slowest {ours.Values.Max(o => o.Ms):0} ms.")
                .AppendLine($"The same run in a fresh pwsh just before the warm-up pass, on the servers as the earlier sections left them (most services never")
                .AppendLine($"reached yet), for information: mean {asFound.Values.Average(o => o.Ms):0.0} ms, median {Shell.Median(asFound.Values.Select(o => o.Ms)):0.0} ms, first (cold) probe {asFound.Values.First().Ms:0} ms; testssl.sh's mean ÷ that mean: {PeerMean(endpoints, k => testssl[k].Ms) / asFound.Values.Average(o => o.Ms):0}.")
                .AppendLine()
                .AppendLine($"Completeness: testssl.sh and MailTls found the same TLS versions on {endpoints.Count - differing.Count} of {endpoints.Count} endpoints"
                    + (differing.Count == 0 ? "." : ": not on " + string.Join(", ", differing.Select(e => $"{e.Key} {e.Security} (testssl.sh {testssl[e.Id].Offered}, MailTls {ours[e.Id].Versions})")) + "."))
                .AppendLine("Below, on the IMAPS endpoints, the versions each found and the chain verdicts. MailTls also reports the mail dialog around")
                .AppendLine("TLS (STARTTLS offered, login before TLS, injection), which testssl.sh -p -S does not.")
                .AppendLine()
                .AppendLine("| endpoint | case | testssl.sh offered | MailTls accepted | same versions | testssl.sh chain of trust | MailTls verdict: findings |")
                .AppendLine("|---|---|---|---|---|---|---|");
            foreach (var endpoint in imaps)
            {
                var peer = testssl[endpoint.Id];
                var mine = ours[endpoint.Id];
                text.AppendLine($"| {endpoint.Key} | {endpoint.Case} | {peer.Offered} | {mine.Versions} | {(SameVersions(endpoint) ? "yes" : "**no**")} | {peer.Chain} | {mine.Verdict}: {mine.Findings} |");
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

        /// <summary>
        /// Two TLS handshakes at once on the endpoint (openssl s_client, its STARTTLS where needed), so that the
        /// server has processes ready for the next tool's connections; untimed. Where the system's OpenSSL cannot
        /// shake hands (the TLS 1.0-only legacy server) the connection still starts the server's process.
        /// </summary>
        private static void Warm(Endpoint endpoint, string rootPath)
        {
            var arguments = new[] { "s_client", "-connect", endpoint.Key, "-CAfile", rootPath, "-brief" }
                .Concat(StartTls(endpoint, "-starttls", Lower(endpoint.Protocol))).ToArray();
            Task.WaitAll(Task.Run(() => Shell.Run("openssl", arguments, anyExitCode: true)), Task.Run(() => Shell.Run("openssl", arguments, anyExitCode: true)));
        }

        private static double AfterWarming(Endpoint endpoint, string rootPath, Func<double> timed)
        {
            Warm(endpoint, rootPath);
            return timed();
        }

        /// <summary>The peer's STARTTLS option for an endpoint that needs one; nothing for implicit TLS.</summary>
        private static IEnumerable<string> StartTls(Endpoint endpoint, params string[] option) =>
            endpoint.Security == MailSecurity.StartTls ? option : Array.Empty<string>();

        private static string Lower(MailProtocol protocol) => protocol.ToString().ToLowerInvariant();

        private static string Sorted(string versions) => string.Join(",", versions.Split(',', StringSplitOptions.RemoveEmptyEntries).OrderBy(v => v, StringComparer.Ordinal));

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
