using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using MailTls;
using MailTls.Probing;
using MailTls.TestServers;

// Measures, in one run against the same loopback servers:
//  1. one probe's latency: MailTls's core (warm, in-process) beside `openssl s_client` (a whole process, the floor a
//     shell script pays) on the same endpoints;
//  2. 200 probes with -ThrottleLimit 32 through the real module in pwsh, beside 200 `openssl s_client` runs 32 at a time;
//  3. a whole port plan beside its slowest probe, and memory while planning against a hostile autoconfig server;
//  4. a "TLS versions + certificate" check per endpoint beside testssl.sh, sslscan and nmap (PeerBench);
//  5. 10,000 endpoints on 64 addresses beside the machine's handshake ceiling, with memory (FleetBench);
//  6. Import-Module time beside a minimal isolated MailKit module (ImportBench).
// Writes bench/RESULTS.md. Benchmarks are not tests: nothing here passes or fails.
using MailTls.Bench;

var arguments = ParseArguments(args);
var modulePath = arguments["--module"];
var resultsPath = arguments["--results"];
const int LatencyRuns = 25;
const int FanOut = 200;
const int Throttle = 32;

using var servers = TestServerSet.Start("/tmp/mailtls-servers");
var root = X509CertificateLoader.LoadCertificateFromFile(servers.Pki.RootPath);
var good = ServerCase.All.Single(c => c.Name == "good").Address;
var targets = new (string Name, int Port, MailProtocol Protocol, MailSecurity Security, string OpensslArgs)[]
{
    ("IMAP implicit TLS (Dovecot)", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit, ""),
    ("SMTP STARTTLS (Postfix)", Ports.Submission, MailProtocol.Smtp, MailSecurity.StartTls, "-starttls smtp"),
};

var options = new ProbeOptions { Timeout = TimeSpan.FromSeconds(10) };
options.TrustedRoots.Add(root);
var prober = new EndpointProber(options);
var rows = new List<string>();
foreach (var target in targets)
{
    var endpoint = new MailEndpoint(good, target.Port, target.Protocol, target.Security);
    for (var i = 0; i < 3; i++)
    {
        await prober.ProbeAsync(endpoint); // warm up JIT and TLS
    }

    var ours = new List<double>();
    for (var i = 0; i < LatencyRuns; i++)
    {
        var clock = Stopwatch.StartNew();
        var report = await prober.ProbeAsync(endpoint);
        ours.Add(clock.Elapsed.TotalMilliseconds);
        if (report.Verdict != Verdict.Pass)
        {
            throw new InvalidOperationException($"{target.Name}: expected Pass, got {report.Verdict} ({report.FindingIds}).");
        }
    }

    var openssl = new List<double>();
    for (var i = 0; i < LatencyRuns; i++)
    {
        var clock = Stopwatch.StartNew();
        RunOpenssl(good, target.Port, target.OpensslArgs, servers.Pki.RootPath);
        openssl.Add(clock.Elapsed.TotalMilliseconds);
    }

    rows.Add($"| {target.Name} | {Median(ours):0.0} ms | {Median(openssl):0.0} ms | {Median(ours) / Median(openssl):0.00} |");
}

// Fan-out: the module in real pwsh (timed inside pwsh, so pwsh's own start-up is not counted). One host, so the
// per-host limit is lifted: this measures the throttle, and the fleet section below measures the limit's own fan-out.
var imaps = $"{good}:{Ports.Imaps}";
var script = $"Import-Module '{modulePath}'; $t = 1..{FanOut} | ForEach-Object {{ '{imaps}' }}; " +
    $"$null = $t | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate '{servers.Pki.RootPath}' -ThrottleLimit {Throttle} -MaxConnectionsPerHost 0; " +
    $"$c = [Diagnostics.Stopwatch]::StartNew(); $r = $t | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate '{servers.Pki.RootPath}' -ThrottleLimit {Throttle} -MaxConnectionsPerHost 0; $c.Stop(); " +
    "'{0} {1} {2}' -f $c.Elapsed.TotalMilliseconds, @($r).Count, @($r | Where-Object Verdict -eq 'Pass').Count";
var repository = Path.GetDirectoryName(Path.GetDirectoryName(resultsPath))!;
var pwshPath = Shell.Pwsh(repository);
var pwsh = Shell.PwshScript(pwshPath, script)[^1].Split(' ');
var moduleMs = double.Parse(pwsh[0], CultureInfo.InvariantCulture);
var moduleCount = int.Parse(pwsh[1], CultureInfo.InvariantCulture);
var modulePass = int.Parse(pwsh[2], CultureInfo.InvariantCulture);

var opensslClock = Stopwatch.StartNew();
Parallel.For(0, FanOut, new ParallelOptions { MaxDegreeOfParallelism = Throttle }, _ => RunOpenssl(good, Ports.Imaps, "", servers.Pki.RootPath));
opensslClock.Stop();

var scratch = Directory.CreateTempSubdirectory("mailtls-bench-").FullName;
var importSection = ImportBench.Run(pwshPath, repository, modulePath, servers.Pki.RootPath, good, Ports.Imaps, scratch);
var peerSection = PeerBench.Run(pwshPath, modulePath, servers.Pki.RootPath, scratch);
var fleetSection = FleetBench.Run(servers, pwshPath, modulePath, scratch);

// A port plan: DNS (SRV, MX, addresses), autoconfig and the 7 probes of the MX-only zone's one host (the standard-ports
// server), beside the slowest of those 7 probes alone. The per-host limit (2) makes the 7 probes take 4 rounds.
var dnsmasq = new System.Net.IPEndPoint(System.Net.IPAddress.Parse(Dnsmasq.Address), 53);
var planOptions = new MailTls.PortPlan.PortPlanOptions { DnsServers = new[] { dnsmasq }, Timeout = TimeSpan.FromSeconds(5) };
planOptions.TrustedRoots.Add(root);
var planner = new MailTls.PortPlan.PortPlanner(planOptions);
var planDomain = Dnsmasq.MxOnly;
var (planEntries, _) = await planner.PlanAsync(planDomain, null, null, default); // warm-up
var planRuns = new List<double>();
for (var i = 0; i < LatencyRuns; i++)
{
    var clock = Stopwatch.StartNew();
    (planEntries, _) = await planner.PlanAsync(planDomain, null, null, default);
    planRuns.Add(clock.Elapsed.TotalMilliseconds);
}

// The same plan with its probes one at a time (ThrottleLimit 1): what the concurrency buys.
var serialOptions = new MailTls.PortPlan.PortPlanOptions { DnsServers = new[] { dnsmasq }, Timeout = TimeSpan.FromSeconds(5), ThrottleLimit = 1 };
serialOptions.TrustedRoots.Add(root);
var serialPlanner = new MailTls.PortPlan.PortPlanner(serialOptions);
await serialPlanner.PlanAsync(planDomain, null, null, default);
var serialRuns = new List<double>();
for (var i = 0; i < LatencyRuns; i++)
{
    var clock = Stopwatch.StartNew();
    await serialPlanner.PlanAsync(planDomain, null, null, default);
    serialRuns.Add(clock.Elapsed.TotalMilliseconds);
}

// Discovery alone (the same plan without probes), to tell its share from the probes'.
var discoveryOptions = new MailTls.PortPlan.PortPlanOptions { DnsServers = new[] { dnsmasq }, Timeout = TimeSpan.FromSeconds(5), NoProbe = true };
var discoverer = new MailTls.PortPlan.PortPlanner(discoveryOptions);
await discoverer.PlanAsync(planDomain, null, null, default);
var discoveryRuns = new List<double>();
for (var i = 0; i < LatencyRuns; i++)
{
    var clock = Stopwatch.StartNew();
    await discoverer.PlanAsync(planDomain, null, null, default);
    discoveryRuns.Add(clock.Elapsed.TotalMilliseconds);
}

var probeOptions = new ProbeOptions { Timeout = TimeSpan.FromSeconds(5) };
probeOptions.TrustedRoots.Add(root);
var planProber = new EndpointProber(probeOptions);
var standard = ServerCase.All.Single(c => c.Name == "standard").Address;
var slowest = 0.0;
var sumOfProbes = 0.0;
foreach (var entry in planEntries)
{
    var endpoint = new MailEndpoint(entry.HostName, entry.Port, entry.Protocol, entry.Security, address: System.Net.IPAddress.Parse(standard));
    await planProber.ProbeAsync(endpoint);
    var single = new List<double>();
    for (var i = 0; i < LatencyRuns; i++)
    {
        var clock = Stopwatch.StartNew();
        await planProber.ProbeAsync(endpoint);
        single.Add(clock.Elapsed.TotalMilliseconds);
    }

    slowest = Math.Max(slowest, Median(single));
    sumOfProbes += Median(single);
}

// Memory while planning against a hostile autoconfig server (a 3 MiB file; the reader stops at 1 MiB), 20 plans in a row.
GC.Collect();
GC.WaitForPendingFinalizers();
var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
using var self = Process.GetCurrentProcess();
self.Refresh();
var workingBefore = self.WorkingSet64;
long workingPeak = workingBefore;
var managedAfterEach = new List<long>();
for (var i = 0; i < 20; i++)
{
    await planner.PlanAsync("huge.mailtls.test", null, null, default);
    self.Refresh();
    workingPeak = Math.Max(workingPeak, self.WorkingSet64);
    managedAfterEach.Add(GC.GetTotalMemory(forceFullCollection: true));
}

var rounds = (int)Math.Ceiling(planEntries.GroupBy(e => e.HostName).Max(g => g.Count()) / (double)planOptions.MaxConnectionsPerHost);
var machine = $"{Environment.ProcessorCount} cores, {File.ReadLines("/proc/meminfo").First().Split(':')[1].Trim()} memory, " +
    $"{File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU"}, " +
    $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
var text = new StringBuilder()
    .AppendLine("# MailTls benchmarks")
    .AppendLine()
    .AppendLine($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by `./build.sh bench` on {machine}.")
    .AppendLine("All traffic on loopback, against the real Postfix and Dovecot of tests/TestServers with the test CA. Figures from one run;")
    .AppendLine("ratios compare peers measured in that same run. Benchmarks are not tests: no figure here is asserted anywhere.")
    .AppendLine()
    .AppendLine($"## One probe (median of {LatencyRuns})")
    .AppendLine()
    .AppendLine("MailTls: the core's `EndpointProber.ProbeAsync`, warm, in-process: connect, greeting, capabilities, TLS handshake, chain")
    .AppendLine("validation, capabilities after TLS, QUIT. `openssl s_client`: a new process per probe that connects, handshakes (and STARTTLS)")
    .AppendLine("and verifies against the same root, the floor a shell script pays.")
    .AppendLine()
    .AppendLine("| endpoint | MailTls | openssl s_client | ratio |")
    .AppendLine("|---|---|---|---|");
rows.ForEach(r => text.AppendLine(r));
text.AppendLine()
    .AppendLine($"## {FanOut} probes, {Throttle} at a time (IMAP implicit TLS, Dovecot)")
    .AppendLine()
    .AppendLine("MailTls: `Test-MailEndpoint -ThrottleLimit 32` in pwsh 7.6.9, timed inside pwsh after one warm-up run.")
    .AppendLine("openssl: 200 `s_client` processes, 32 at a time.")
    .AppendLine()
    .AppendLine("| tool | wall time | probes/s | reports |")
    .AppendLine("|---|---|---|---|")
    .AppendLine($"| MailTls | {moduleMs:0} ms | {FanOut / (moduleMs / 1000):0} | {moduleCount} ({modulePass} Pass) |")
    .AppendLine($"| openssl s_client | {opensslClock.Elapsed.TotalMilliseconds:0} ms | {FanOut / opensslClock.Elapsed.TotalSeconds:0} | — |")
    .AppendLine()
    .AppendLine($"Ratio (MailTls probes/s ÷ openssl probes/s): {(FanOut / (moduleMs / 1000)) / (FanOut / opensslClock.Elapsed.TotalSeconds):0.00}.")
    .AppendLine("MailTls does more per probe than s_client (the whole mail dialog before and after TLS, chain evaluation and findings).");
text.AppendLine()
    .AppendLine($"## A port plan ({planDomain}: DNS, autoconfig, {planEntries.Count} probes; median of {LatencyRuns})")
    .AppendLine()
    .AppendLine("The planner's `PlanAsync` in-process, warm: SRV, MX and address look-ups at the loopback dnsmasq, the two autoconfig")
    .AppendLine($"addresses, then the candidate endpoints probed at most 2 at once per server (the default per-host limit: {rounds} rounds for")
    .AppendLine($"the {planEntries.Count} ports of its one server), beside the slowest of those endpoints probed alone. The target: the plan within 1.5 x its")
    .AppendLine("slowest probe x the rounds the per-host limit forces.")
    .AppendLine()
    .AppendLine("| plan | the plan with ThrottleLimit 1 | discovery alone | slowest single probe (warm, repeated) | those probes one after another | rounds | ratio plan ÷ (slowest probe x rounds) | target |")
    .AppendLine("|---|---|---|---|---|---|---|---|")
    .AppendLine($"| {Median(planRuns):0.0} ms | {Median(serialRuns):0.0} ms | {Median(discoveryRuns):0.0} ms | {slowest:0.0} ms | {sumOfProbes:0.0} ms | {rounds} | {Median(planRuns) / (slowest * rounds):0.00} | ≤ 1.5 ({(Median(planRuns) / (slowest * rounds) <= 1.5 ? "met" : "not met")}) |")
    .AppendLine()
    .AppendLine($"Discovery is about a millisecond; the rest is the probes. On {Environment.ProcessorCount} cores the client's and the servers' TLS handshakes and")
    .AppendLine("chain checks (Dovecot, Postfix and MailTls all run here) compete for the same CPU, so a probe inside a plan costs more")
    .AppendLine("than the same probe repeated warm; over a network, where a probe waits on round trips, the rounds overlap less with the CPU.")
    .AppendLine()
    .AppendLine("## Memory while planning against a hostile autoconfig server")
    .AppendLine()
    .AppendLine("20 plans for huge.mailtls.test, whose autoconfig file is 3 MiB (MailTls reads at most 1 MiB of a body), in one process.")
    .AppendLine()
    .AppendLine("| working set before | peak during | managed heap before | after the 1st plan | after the 20th |")
    .AppendLine("|---|---|---|---|---|")
    .AppendLine($"| {workingBefore / 1048576.0:0} MB | {workingPeak / 1048576.0:0} MB (+{(workingPeak - workingBefore) / 1048576.0:0}) | {managedBefore / 1048576.0:0.0} MB | {managedAfterEach[0] / 1048576.0:0.0} MB | {managedAfterEach[^1] / 1048576.0:0.0} MB |");
text.AppendLine()
    .Append(peerSection)
    .AppendLine()
    .Append(fleetSection)
    .AppendLine()
    .Append(importSection);
File.WriteAllText(resultsPath, text.ToString());
Directory.Delete(scratch, recursive: true);
Console.WriteLine(text);
return 0;

static void RunOpenssl(string host, int port, string extra, string root) =>
    Shell.Run("openssl", $"s_client -connect {host}:{port} {extra} -CAfile {root} -verify_return_error -brief".Split(' ', StringSplitOptions.RemoveEmptyEntries));

static double Median(List<double> values) => Shell.Median(values);

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        result[args[i]] = Path.GetFullPath(args[i + 1]);
    }

    foreach (var required in new[] { "--module", "--results" })
    {
        if (!result.ContainsKey(required))
        {
            throw new ArgumentException($"usage: MailTls.Bench --module <MailTls.psd1> --results <RESULTS.md> (missing {required})");
        }
    }

    return result;
}
