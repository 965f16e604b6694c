using System;
using System.Diagnostics;
using System.IO;

namespace MailTls.TestServers
{
    /// <summary>
    /// A real DNS server (dnsmasq) on 127.0.0.54:53 with the port-plan test zone: SRV records with priorities,
    /// weights and "." (not offered) targets, MX records, and every name under srv.mailtls.test resolving to the
    /// good mail server. It has no upstream: it answers its own zone and nothing else.
    /// </summary>
    public sealed class Dnsmasq : IDisposable
    {
        public const string Address = "127.0.0.54";
        public const string Domain = "srv.mailtls.test";

        /// <summary>A domain found only by its SRV records (they point at the good case's test ports).</summary>
        public const string SrvOnly = "srvonly.mailtls.test";

        /// <summary>A domain found only by its autoconfig file (served by nginx).</summary>
        public const string AutoconfigOnly = "aconly.mailtls.test";

        /// <summary>A domain found only by its MX record (mx.mxonly.mailtls.test, the standard-ports case).</summary>
        public const string MxOnly = "mxonly.mailtls.test";

        /// <summary>A domain found only by guessing imap., smtp. (the standard-ports case).</summary>
        public const string GuessOnly = "guessonly.mailtls.test";

        /// <summary>A domain whose 993 has a bad certificate (the self-signed case) and whose 143 a good one.</summary>
        public const string BadCertificate = "badcert.mailtls.test";

        /// <summary>A domain whose servers offer no TLS at all (the no-STARTTLS case, reached on 143 and 587).</summary>
        public const string PlaintextOnly = "plainonly.mailtls.test";

        /// <summary>The names the good case's certificate carries for the scenario domains it serves.</summary>
        public static readonly string[] GoodScenarioNames = { "*." + SrvOnly, "*." + AutoconfigOnly, "imap." + BadCertificate };

        /// <summary>The names the standard-ports case's certificate carries.</summary>
        public static readonly string[] StandardScenarioNames = { "*." + MxOnly, "*." + GuessOnly };
        private readonly Process _process;

        public Dnsmasq(string directory)
        {
            Directory.CreateDirectory(directory);
            var good = ServerCase.All[0].Address;
            var arguments = new[]
            {
                "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces",
                $"--listen-address={Address}", "--port=53", "--user=root", "--pid-file=", $"--log-facility={Path.Combine(directory, "dnsmasq.log")}",
                "--local=/mailtls.test/",
                $"--srv-host=_imaps._tcp.{Domain},imap2.{Domain},993,10,50",
                $"--srv-host=_imaps._tcp.{Domain},imap.{Domain},993,10,5",
                $"--srv-host=_imap._tcp.{Domain},imap.{Domain},143,20,0",
                $"--srv-host=_submissions._tcp.{Domain},smtp.{Domain},465,0,1",
                $"--srv-host=_submission._tcp.{Domain},smtp.{Domain},587,5,1",
                $"--srv-host=_pop3s._tcp.{Domain}",
                $"--srv-host=_pop3._tcp.{Domain}",
                $"--mx-host={Domain},mx2.{Domain},20",
                $"--mx-host={Domain},mx1.{Domain},10",
                $"--address=/{Domain}/{good}",
                $"--address=/httponly.mailtls.test/{good}",
                $"--address=/html.mailtls.test/{good}",
                $"--address=/huge.mailtls.test/{good}",
                $"--address=/slow.mailtls.test/{ScriptedServer.Address}",
                $"--srv-host=_imaps._tcp.{SrvOnly},imap.{SrvOnly},{Ports.Imaps},0,1",
                $"--srv-host=_submissions._tcp.{SrvOnly},smtp.{SrvOnly},{Ports.Smtps},0,1",
                $"--address=/imap.{SrvOnly}/{good}",
                $"--address=/smtp.{SrvOnly}/{good}",
                $"--address=/{AutoconfigOnly}/{good}",
                $"--mx-host={MxOnly},mx.{MxOnly},10",
                $"--address=/mx.{MxOnly}/{Standard}",
                $"--address=/imap.{GuessOnly}/{Standard}",
                $"--address=/smtp.{GuessOnly}/{Standard}",
                $"--srv-host=_imaps._tcp.{BadCertificate},imaps.{BadCertificate},{Ports.Imaps},0,1",
                $"--srv-host=_imap._tcp.{BadCertificate},imap.{BadCertificate},{Ports.Imap},0,1",
                $"--address=/imaps.{BadCertificate}/{Case("selfsigned")}",
                $"--address=/imap.{BadCertificate}/{good}",
                $"--srv-host=_imap._tcp.{PlaintextOnly},imap.{PlaintextOnly},{Ports.Imap},0,1",
                $"--srv-host=_submission._tcp.{PlaintextOnly},smtp.{PlaintextOnly},{Ports.Submission},0,1",
                $"--address=/{PlaintextOnly}/{Case("nostarttls")}",
            };
            var start = new ProcessStartInfo("dnsmasq") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            _process = Process.Start(start) ?? throw new InvalidOperationException("dnsmasq did not start.");
        }

        private static string Standard => Case("standard");

        private static string Case(string name) => System.Array.Find(ServerCase.All, c => c.Name == name)!.Address;

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }
    }
}
