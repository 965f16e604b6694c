using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using MailTls.TestServers;

namespace MailTls.Bench
{
    /// <summary>
    /// 10,000 endpoints with -ThrottleLimit 128 against one Dovecot listening on 64 loopback addresses (so the per-host
    /// limit of 2 is not the bottleneck), beside this machine's TLS handshake ceiling on the same listeners, measured
    /// in the same run with parallel `openssl s_time -new`. Also: the scan's peak RSS over pwsh's own, and the most
    /// connections open to one address at once, sampled with ss while the scan runs.
    /// </summary>
    internal static class FleetBench
    {
        private const int Addresses = 64;
        private const int Endpoints = 10_000;
        private const int Throttle = 128;
        private const int CeilingStreams = 8;
        private const int CeilingSeconds = 15;
        private const int IdleStarts = 5;

        /// <summary>The pwsh statement that prints its own process's peak RSS (VmHWM, kB).</summary>
        private const string PeakRss = "(Get-Content /proc/$PID/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '\\D'";

        public static string Run(TestServerSet servers, string pwsh, string modulePath, string scratch)
        {
            var addresses = Enumerable.Range(1, Addresses).Select(i => $"127.0.1.{i}").ToArray();
            var leaf = servers.Pki.IssueLeaf("fleet", LeafKind.Good, addresses.Select(System.Net.IPAddress.Parse).ToArray());
            var dovecot = new Dovecot(Path.Combine(scratch, "fleet-dovecot"), new ServerCase("fleet", addresses[0], LeafKind.Good), leaf, addresses, processLimit: 2 * Throttle);
            dovecot.Start();
            try
            {
                Thread.Sleep(1000);
                var (ceilingBefore, streamsBefore) = Ceiling(addresses);
                // The endpoints as a runbook has them: a list file, one host:port a line, round-robin over the addresses.
                var list = Path.Combine(scratch, "fleet-endpoints.txt");
                File.WriteAllLines(list, Enumerable.Range(0, Endpoints).Select(i => $"{addresses[i % addresses.Length]}:{Ports.Imaps}"));
                // pwsh's own peak has two modes about 10 MB apart (anonymous memory; 1 start in 10, then 3 in 8, landed high here), so one
                // start is not its footprint: the median of IdleStarts, with the range shown.
                var idleRuns = Enumerable.Range(0, IdleStarts).Select(_ => double.Parse(Shell.PwshScript(pwsh, PeakRss).Last(), CultureInfo.InvariantCulture) / 1024).OrderBy(mb => mb).ToArray();
                // For information: the engine alone reading that list and piping it through a cmdlet, which is a cost of
                // any pipeline of 10,000 items (the engine's own allocations and code), not of the module.
                var piped = Shell.PwshScript(pwsh, $"$targets = Get-Content '{list}' -ReadCount 0; $targets | Out-Null; {PeakRss}").Last();
                var (seconds, peakKb, reports, passed, busiest, notPass) = Scan(pwsh, modulePath, servers.Pki.RootPath, list, scratch);
                // The same scan with glibc's malloc held to 2 arenas (set before pwsh starts; a module cannot).
                var tuned = Scan(pwsh, modulePath, servers.Pki.RootPath, list, scratch, new Dictionary<string, string> { ["MALLOC_ARENA_MAX"] = "2" });
                // And with the GC's gen0 budget at 4 MB (the runtime sizes it from the CPU cache; set before pwsh starts,
                // in the environment or pwsh's runtimeconfig: a module cannot).
                var smallGen0 = Scan(pwsh, modulePath, servers.Pki.RootPath, list, scratch, new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x400000" });
                // The ceiling swings between runs (93-215 handshakes/s on the machines this ran on): measured again after the scans, and the
                // higher of the two is the one the scan is held to.
                var (ceilingAfter, streamsAfter) = Ceiling(addresses);
                dovecot.Stop();
                // For information: the same scan against a Dovecot whose login processes serve many connections each, so
                // the server is no longer what limits the rate (and the scan's memory is seen at the rate a fast server allows).
                var fast = new Dovecot(Path.Combine(scratch, "fleet-dovecot-shared"), new ServerCase("fleet-shared", addresses[0], LeafKind.Good), leaf, addresses, processLimit: 2 * Throttle, sharedLoginProcesses: true);
                var (fastCeiling, fastScan) = Serving(fast, () => (Ceiling(addresses), Scan(pwsh, modulePath, servers.Pki.RootPath, list, scratch)));

                var ceiling = Math.Max(ceilingBefore, ceilingAfter);
                var rate = Endpoints / seconds;
                var idleMb = idleRuns[IdleStarts / 2];
                var pipedMb = double.Parse(piped, CultureInfo.InvariantCulture) / 1024;
                var peakMb = peakKb / 1024;
                var mostOpen = new[] { busiest, tuned.Busiest, smallGen0.Busiest, fastScan.Busiest }.Max();
                return new StringBuilder()
                    .AppendLine($"## {Endpoints:N0} endpoints, {Throttle} at a time, on {Addresses} loopback addresses")
                    .AppendLine()
                    .AppendLine($"One Dovecot (IMAPS; login processes up to {2 * Throttle}, so it takes the {Throttle} connections at once) on 127.0.1.1-{Addresses}; {Endpoints:N0} endpoints round-robin over")
                    .AppendLine($"them, read from a list file (`Get-Content -ReadCount 0`) and piped into `Test-MailEndpoint -ThrottleLimit {Throttle}` (default per-host limit 2) and on into")
                    .AppendLine("`Export-MailTlsReport fleet.jsonl`, timed inside one fresh pwsh. The ceiling: this machine's full TLS handshakes per")
                    .AppendLine($"second against the same listeners, {CeilingStreams} `openssl s_time -new` streams at once for {CeilingSeconds} s, before the scans and after them ({ceilingBefore:0} and {ceilingAfter:0}), the higher counting;")
                    .AppendLine("the ss sampler that counts connections per address (below) runs beside the streams as beside the scans, so both pay its CPU. MailTls does the whole")
                    .AppendLine("mail dialog before and after TLS and judges the chain; s_time only shakes hands.")
                    .AppendLine()
                    .AppendLine("| | MailTls | ceiling (openssl s_time -new) | ratio | target |")
                    .AppendLine("|---|---|---|---|---|")
                    .AppendLine($"| handshakes per second | {rate:0} ({Endpoints:N0} in {seconds:0.0} s; {reports:N0} reports, {passed:N0} Pass) | {ceiling:0} | {rate / ceiling:0.00} | ≥ 0.70 ({(rate / ceiling >= 0.7 ? "met" : "not met")}) |")
                    .AppendLine($"| peak RSS | {peakMb:0} MB | pwsh alone: {idleMb:0} MB | +{peakMb - idleMb:0} MB | ≤ +50 MB ({(peakMb - idleMb <= 50 ? "met" : "not met")}) |")
                    .AppendLine($"| peak RSS of pwsh reading the same list into `Out-Null`, no module | {pipedMb:0} MB | pwsh alone: {idleMb:0} MB | +{pipedMb - idleMb:0} MB | (for information: the engine's own cost of the input) |")
                    .AppendLine($"| peak RSS, pwsh started with MALLOC_ARENA_MAX=2 | {tuned.PeakKb / 1024:0} MB ({Endpoints / tuned.Seconds:0} per second) | pwsh alone: {idleMb:0} MB | +{(tuned.PeakKb / 1024) - idleMb:0} MB | (for information) |")
                    .AppendLine($"| peak RSS, pwsh started with DOTNET_GCgen0size=0x400000 (a 4 MB gen0 budget) | {smallGen0.PeakKb / 1024:0} MB ({Endpoints / smallGen0.Seconds:0} per second) | pwsh alone: {idleMb:0} MB | +{(smallGen0.PeakKb / 1024) - idleMb:0} MB | (for information) |")
                    .AppendLine($"| against a Dovecot whose login processes serve many connections (service_count = 0): handshakes per second | {Endpoints / fastScan.Seconds:0} ({fastScan.Passed:N0} of {fastScan.Reports:N0} Pass) | {fastCeiling.Rate:0} | {Endpoints / fastScan.Seconds / fastCeiling.Rate:0.00} | (for information) |")
                    .AppendLine($"| against it: peak RSS | {fastScan.PeakKb / 1024:0} MB | pwsh alone: {idleMb:0} MB | +{(fastScan.PeakKb / 1024) - idleMb:0} MB | (for information) |")
                    .AppendLine($"| most connections open to one address at once (ss, every 100 ms) | {mostOpen} | | | ≤ 2 ({(mostOpen <= 2 ? "met" : "not met")}) |")
                    .AppendLine()
                    .AppendLine($"pwsh alone: the median of {IdleStarts} starts ({idleRuns[0]:0}-{idleRuns[^1]:0} MB).")
                    .AppendLine()
                    .AppendLine("Dovecot in its default mode starts one login process per connection and serves its listeners unevenly: the s_time")
                    .AppendLine($"streams' connections, in address order, were {streamsBefore} before the scans and {streamsAfter} after. The ceiling is")
                    .AppendLine("what this machine does for such a server, whichever streams got it; in the scan, probes to the last addresses wait longest.")
                    .AppendLine($"With login processes that serve many connections the streams got {fastCeiling.Streams}: there the server's share of the")
                    .AppendLine("CPU is small and the client's cost per probe decides the ratio.")
                    .AppendLine()
                    .AppendLine(notPass.Length == 0 ? "Every report passed." : $"Reports that did not pass, by findings: {notPass}.")
                    .ToString();
            }
            finally
            {
                dovecot.Stop();
            }
        }

        /// <summary>Runs <paramref name="work"/> while <paramref name="server"/> serves (started, given a second to take its listeners, stopped after).</summary>
        private static T Serving<T>(Dovecot server, Func<T> work)
        {
            server.Start();
            try
            {
                Thread.Sleep(1000);
                return work();
            }
            finally
            {
                server.Stop();
            }
        }

        /// <summary>Full handshakes per second, summed over parallel s_time streams, each on its own address; and each stream's count, in address order.</summary>
        private static (double Rate, string Streams) Ceiling(string[] addresses)
        {
            var rates = new ConcurrentDictionary<int, (int Connections, double Seconds)>();
            // The scans run with the connection sampler beside them (ss, 10 times a second: a few per cent of this
            // machine's CPU while thousands of closed sockets wait out TIME_WAIT), so the ceiling does too.
            using var sampler = new ConnectionSampler();
            Parallel.For(0, CeilingStreams, new ParallelOptions { MaxDegreeOfParallelism = CeilingStreams }, i =>
            {
                var output = Shell.Run("openssl", new[] { "s_time", "-new", "-connect", $"{addresses[i % addresses.Length]}:{Ports.Imaps}", "-time", CeilingSeconds.ToString(CultureInfo.InvariantCulture) });
                // "1234 connections in 15 real seconds, ..." (wall clock, not CPU time).
                var match = Regex.Match(output, @"(\d+) connections in (\d+) real seconds");
                rates[i] = (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            });
            return (rates.Values.Sum(r => r.Connections / r.Seconds), string.Join(", ", rates.OrderBy(r => r.Key).Select(r => r.Value.Connections)));
        }

        /// <returns>The scan's time, peak RSS, reports written and passed, most connections to one address, and the findings of the reports that did not pass.</returns>
        private static (double Seconds, double PeakKb, int Reports, int Passed, int Busiest, string NotPass) Scan(string pwsh, string modulePath, string rootPath, string list, string scratch, IReadOnlyDictionary<string, string>? environment = null)
        {
            var output = Path.Combine(scratch, "fleet.jsonl");
            var script = $"Import-Module '{modulePath}'; $targets = Get-Content '{list}' -ReadCount 0; " +
                "$clock = [Diagnostics.Stopwatch]::StartNew(); " +
                $"$targets | Test-MailEndpoint -Protocol Imap -Security Implicit -ThrottleLimit {Throttle} -TrustedRootCertificate '{rootPath}' | Export-MailTlsReport '{output}'; " +
                "$clock.Stop(); $clock.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture); " + PeakRss;
            using var sampler = new ConnectionSampler();
            var lines = Shell.PwshScript(pwsh, script, environment);
            var busiest = sampler.Stop();

            var reports = File.ReadLines(output).Count();
            var passed = File.ReadLines(output).Count(l => l.Contains("\"Verdict\":\"Pass\"", StringComparison.Ordinal));
            var failed = File.ReadLines(output).Where(l => !l.Contains("\"Verdict\":\"Pass\"", StringComparison.Ordinal)).ToList();
            var others = failed.Select(l => string.Join(",", Regex.Matches(l, "\"Id\":\"(MTLS\\d+)\"").Select(m => m.Groups[1].Value))).GroupBy(f => f).Select(g => $"{g.Count()} x {(g.Key.Length == 0 ? "none" : g.Key)}");
            // Which listeners they were on: Dovecot's master serves its listeners in order, so the last ones wait longest.
            var where = failed.Select(l => Regex.Match(l, "\"IPAddress\":\"([^\"]+)\"").Groups[1].Value).GroupBy(a => a)
                .OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x {g.Count()}");
            var notPass = failed.Count == 0 ? string.Empty : $"{string.Join(", ", others)} (on {string.Join(", ", where)})";
            return (double.Parse(lines[^2], CultureInfo.InvariantCulture), double.Parse(lines[^1], CultureInfo.InvariantCulture), reports, passed, busiest, notPass);
        }
    }
}
