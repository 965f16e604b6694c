using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading;

namespace MailTls.TestServers
{
    /// <summary>
    /// Every test server of the suites and the demo: one Dovecot per case, one Postfix for all cases, and the
    /// scripted servers. Start makes a fresh PKI and configuration under the given directory, stopping whatever
    /// an earlier, interrupted run left there.
    /// </summary>
    public sealed class TestServerSet : IDisposable
    {
        public const int ScriptedBasePort = 11000;
        private readonly List<Dovecot> _dovecots = new();
        private readonly List<ScriptedServer> _scripted = new();
        private Postfix? _postfix;
        private object? _drift;
        private ScriptedDnsServer? _dns;
        private Dnsmasq? _dnsmasq;
        private Nginx? _nginx;

        private TestServerSet(string directory)
        {
            Directory = directory;
            Pki = new TestPki(Path.Combine(directory, "pki"));
        }

        public string Directory { get; }

        public TestPki Pki { get; }

        /// <summary>Postfix's log (TLS connections are logged: smtpd_tls_loglevel 1).</summary>
        public string PostfixLog => _postfix?.Log ?? throw new InvalidOperationException("Postfix is not running.");

        public IReadOnlyList<ServerCase> Cases => ServerCase.All;

        public static int ScriptedPort(Script script) => ScriptedBasePort + (int)script;

        /// <summary>The host that stalls on every well-known mail port.</summary>
        public const string StallingHost = "127.0.0.51";

        /// <summary>Where the stalling host reports the most connections it held at once.</summary>
        public const int StallingStatsPort = 10000;

        /// <summary>The autoconfig file nginx serves for srv.mailtls.test (and, renamed, for aconly.mailtls.test): the good case's real servers.</summary>
        public const string AutoconfigXml = @"<?xml version=""1.0""?>
<clientConfig version=""1.1"">
  <emailProvider id=""srv.mailtls.test"">
    <domain>srv.mailtls.test</domain>
    <incomingServer type=""imap""><hostname>imap.%EMAILDOMAIN%</hostname><port>10993</port><socketType>SSL</socketType></incomingServer>
    <incomingServer type=""pop3""><hostname>pop.srv.mailtls.test</hostname><port>10110</port><socketType>STARTTLS</socketType></incomingServer>
    <outgoingServer type=""smtp""><hostname>smtp.srv.mailtls.test</hostname><port>10465</port><socketType>SSL</socketType></outgoingServer>
  </emailProvider>
</clientConfig>";

        public static TestServerSet Start(string directory)
        {
            StopStale(directory);
            System.IO.Directory.CreateDirectory(directory);
            var set = new TestServerSet(directory);
            try
            {
                set.StartAll();
                return set;
            }
            catch
            {
                set.Dispose();
                throw;
            }
        }

        /// <summary>Stops the daemons of an earlier run in <paramref name="directory"/> and removes it.</summary>
        public static void StopStale(string directory)
        {
            if (!System.IO.Directory.Exists(directory))
            {
                return;
            }

            foreach (var config in System.IO.Directory.GetFiles(directory, "dovecot.conf", SearchOption.AllDirectories))
            {
                Dovecot.Run("dovecot", $"-c {config} stop", ignoreFailure: true);
            }

            var postfixConfig = Path.Combine(directory, "postfix", "conf");
            if (System.IO.Directory.Exists(postfixConfig))
            {
                Dovecot.Run("postfix", $"-c {postfixConfig} stop", ignoreFailure: true);
            }

            System.IO.Directory.Delete(directory, recursive: true);
        }

        private void StartAll()
        {
            var postfixCases = new List<(ServerCase, LeafFiles, string)>();
            foreach (var serverCase in Cases)
            {
                // The good case also serves the port-plan zone (every name under srv.mailtls.test resolves to it).
                var leaf = serverCase.AlsoIPv6
                    ? Pki.IssueLeaf(serverCase.Name, serverCase.Leaf, new[] { "mail.mailtls.test", "*." + Dnsmasq.Domain }.Concat(Dnsmasq.GoodScenarioNames).ToArray(), serverCase.IPAddress, System.Net.IPAddress.IPv6Loopback)
                    : serverCase.StandardPorts
                    ? Pki.IssueLeaf(serverCase.Name, serverCase.Leaf, new[] { "mail.mailtls.test" }.Concat(Dnsmasq.StandardScenarioNames).ToArray(), serverCase.IPAddress)
                    : Pki.IssueLeaf(serverCase.Name, serverCase.Leaf, serverCase.IPAddress);
                var dovecot = new Dovecot(Path.Combine(Directory, "dovecot", serverCase.Name), serverCase, leaf);
                if (serverCase.Name == "drift")
                {
                    // What the drift test deploys in place of the first certificate: a renewal that is short-lived.
                    var renewal = Pki.IssueLeaf("drift-renewal", LeafKind.ExpiringSoon, serverCase.IPAddress);
                    _drift = new { config = dovecot.Config, chain = leaf.Chain, key = leaf.Key, renewalChain = renewal.Chain, renewalKey = renewal.Key };
                }

                dovecot.Start();
                _dovecots.Add(dovecot);
                postfixCases.Add((serverCase, leaf, dovecot.AuthSocket));
            }

            _postfix = new Postfix(Path.Combine(Directory, "postfix"), postfixCases);
            _postfix.Start();

            var scriptedLeaf = Pki.IssueLeaf("scripted", LeafKind.Good, System.Net.IPAddress.Parse(ScriptedServer.Address));
            using var pem = X509Certificate2.CreateFromPemFile(scriptedLeaf.Leaf, scriptedLeaf.Key);
            var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pfx), null);
            var context = System.Net.Security.SslStreamCertificateContext.Create(certificate, new X509Certificate2Collection(X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Pki.Directory, "intermediate.pem"))), offline: true);
            foreach (var script in Enum.GetValues<Script>().Where(s => s != Script.SilentStats))
            {
                _scripted.Add(new ScriptedServer(script, ScriptedPort(script), context));
            }

            _scripted.Add(new ScriptedServer(Script.SilentStats, ScriptedPort(Script.SilentStats), context, _scripted.Single(s => s.Script == Script.Silent)));
            // A host that accepts on every well-known mail port and never answers, counting what it holds at once: a port
            // plan must keep to its per-host limit and its time there. Its stats port says the peak since last asked. It
            // counts a client gone 100 ms after it has seen the client's close, as Postfix's anvil does (later than the client).
            var stalling = new ConnectionCounter();
            foreach (var port in new[] { 25, 587, 465, 143, 993, 110, 995 })
            {
                _scripted.Add(new ScriptedServer(Script.Silent, port, context, address: StallingHost, counter: stalling));
            }

            _scripted.Add(new ScriptedServer(Script.SilentStats, StallingStatsPort, context, address: StallingHost, counter: stalling));
            // A web server that never answers, for slow.mailtls.test's autoconfig addresses.
            _scripted.Add(new ScriptedServer(Script.Silent, 443, context));
            _dns = new ScriptedDnsServer();
            _dnsmasq = new Dnsmasq(Path.Combine(Directory, "dnsmasq"));
            _nginx = new Nginx(Path.Combine(Directory, "nginx"), Pki, AutoconfigXml);

            WaitForListeners();
        }

        private void WaitForListeners()
        {
            var pending = Cases.SelectMany(c => new[] { (c.Address, c.Port(Ports.Imap)), (c.Address, c.Port(Ports.Pop3)), (c.Address, c.Port(Ports.Smtp)) })
                .Append((Dnsmasq.Address, 53)).Append((ServerCase.All[0].Address, 443)).Append((ServerCase.All[0].Address, 80)).ToList();
            var clock = Stopwatch.StartNew();
            while (pending.Count > 0)
            {
                pending.RemoveAll(target => Accepts(target.Address, target.Item2));
                if (pending.Count == 0)
                {
                    return;
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException("Test servers did not start listening: " + string.Join(", ", pending.Select(p => $"{p.Address}:{p.Item2}")));
                }

                Thread.Sleep(200);
            }
        }

        private static bool Accepts(string address, int port)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(address, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        /// <summary>Where everything listens, for Pester and the demo (state.json).</summary>
        public void WriteState(string path)
        {
            var state = new
            {
                root = Pki.RootPath,
                untrustedRoot = Pki.UntrustedRootPath,
                ports = new { smtp = Ports.Smtp, submission = Ports.Submission, smtps = Ports.Smtps, imap = Ports.Imap, imaps = Ports.Imaps, pop3 = Ports.Pop3, pop3s = Ports.Pop3s },
                cases = Cases.ToDictionary(c => c.Name, c => c.Address),
                scripted = Enum.GetValues<Script>().ToDictionary(s => s.ToString(), s => $"{ScriptedServer.Address}:{ScriptedPort(s)}"),
                dns = ScriptedDnsServer.Address,
                zone = new { server = Dnsmasq.Address, domain = Dnsmasq.Domain },
                drift = _drift,
                stalling = new { host = StallingHost, stats = $"{StallingHost}:{StallingStatsPort}" },
            };
            File.WriteAllText(path, JsonSerializer.Serialize(state, new JsonSerializerOptions { WriteIndented = true }));
        }

        public void Dispose()
        {
            foreach (var scripted in _scripted)
            {
                scripted.Dispose();
            }

            _dns?.Dispose();
            _dnsmasq?.Dispose();
            _nginx?.Dispose();

            _postfix?.Stop();
            System.Threading.Tasks.Parallel.ForEach(_dovecots, dovecot => dovecot.Stop());
        }
    }
}
