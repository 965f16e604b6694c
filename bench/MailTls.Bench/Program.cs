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
//  2. 200 probes with -ThrottleLimit 32 through the real module in pwsh, beside 200 `openssl s_client` runs 32 at a time.
// Writes bench/RESULTS.md. Benchmarks are not tests: nothing here passes or fails.
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

// Fan-out: the module in real pwsh (timed inside pwsh, so pwsh's own start-up is not counted).
var imaps = $"{good}:{Ports.Imaps}";
var script = $"Import-Module '{modulePath}'; $t = 1..{FanOut} | ForEach-Object {{ '{imaps}' }}; " +
    $"$null = $t | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate '{servers.Pki.RootPath}' -ThrottleLimit {Throttle}; " +
    $"$c = [Diagnostics.Stopwatch]::StartNew(); $r = $t | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate '{servers.Pki.RootPath}' -ThrottleLimit {Throttle}; $c.Stop(); " +
    "'{0} {1} {2}' -f $c.Elapsed.TotalMilliseconds, @($r).Count, @($r | Where-Object Verdict -eq 'Pass').Count";
var pwsh = Run("dotnet", $"pwsh -NoProfile -NonInteractive -Command \"{script.Replace("\"", "\\\"")}\"", Path.GetDirectoryName(resultsPath)!).Trim().Split(' ');
var moduleMs = double.Parse(pwsh[0], CultureInfo.InvariantCulture);
var moduleCount = int.Parse(pwsh[1], CultureInfo.InvariantCulture);
var modulePass = int.Parse(pwsh[2], CultureInfo.InvariantCulture);

var opensslClock = Stopwatch.StartNew();
Parallel.For(0, FanOut, new ParallelOptions { MaxDegreeOfParallelism = Throttle }, _ => RunOpenssl(good, Ports.Imaps, "", servers.Pki.RootPath));
opensslClock.Stop();

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
File.WriteAllText(resultsPath, text.ToString());
Console.WriteLine(text);
return 0;

static void RunOpenssl(string host, int port, string extra, string root)
{
    Run("openssl", $"s_client -connect {host}:{port} {extra} -CAfile {root} -verify_return_error -brief", null, stdinEmpty: true);
}

static string Run(string file, string arguments, string? directory, bool stdinEmpty = false)
{
    var start = new ProcessStartInfo(file, arguments)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        RedirectStandardInput = true,
        UseShellExecute = false,
        WorkingDirectory = directory ?? Environment.CurrentDirectory,
    };
    using var process = Process.Start(start)!;
    process.StandardInput.Close();
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {stderr.Result}");
    }

    return stdout.Result;
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

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
