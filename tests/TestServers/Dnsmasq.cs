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
            };
            var start = new ProcessStartInfo("dnsmasq") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            _process = Process.Start(start) ?? throw new InvalidOperationException("dnsmasq did not start.");
        }

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
