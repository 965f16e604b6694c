using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using MailTls.TestServers;
using Xunit;

namespace MailTls.Core.Tests.Clients
{
    /// <summary>
    /// The real clients from Debian prove the written settings: after the switch each one runs against the loopback
    /// Postfix/Dovecot of the suite and its own output (and the server's log) shows TLS on the new port.
    /// </summary>
    [Collection(ServerCollection.Name)]
    public sealed class RealClientTests : IDisposable
    {
        private readonly ServerFixture _servers;
        private readonly ClientSandbox _box = new ClientSandbox();

        public RealClientTests(ServerFixture servers) => _servers = servers;

        private static string Good => ServerFixture.Address("good");

        private string Root => _servers.Servers!.Pki.RootPath;

        /// <summary>
        /// The good server's own certificate: mbsync checks a host name against DNS names only (the test servers are
        /// addresses), and trusts a certificate listed in CertificateFile as it is (mbsync(1), "Host" certificates).
        /// </summary>
        private string ServerCertificate => Path.Combine(_servers.Servers!.Pki.Directory, "good", "leaf.pem");

        public void Dispose() => _box.Dispose();

        [RealServerTheory]
        [InlineData(MailSecurity.Implicit, Ports.Smtps)]
        [InlineData(MailSecurity.StartTls, Ports.Submission)]
        public void MsmtpSendsOverTlsOnTheNewPort(MailSecurity security, int port)
        {
            var rc = _box.Write("msmtprc", $"# written by a user\naccount test\nhost {Good}\nport {Ports.Smtp}\ntls off\ntls_trust_file {Root}\nauth off\nfrom alice@mailtls.test\n");
            _box.Switch(rc, "test", security, port);

            var (exit, output) = Run("msmtp", "Subject: MailTls\r\n\r\nHello.\r\n", "-C", rc, "-a", "test", "-d", "bob@mailtls.test");

            Assert.True(exit == 0, output);
            Assert.True(output.Contains("TLS session parameters:"), output);
            var tls = output.IndexOf("TLS session parameters:", StringComparison.Ordinal);
            var greeting = output.IndexOf("<-- 220", StringComparison.Ordinal);
            if (security == MailSecurity.Implicit)
            {
                Assert.True(tls < greeting, "implicit TLS: the handshake comes before the server's greeting");
                Assert.False(output.Contains("--> STARTTLS"), output);
            }
            else
            {
                Assert.True(output.Contains("--> STARTTLS"), output);
                Assert.True(tls > greeting, "STARTTLS: the handshake comes after the plaintext greeting");
            }
        }

        [RealServerTheory]
        [UnsupportedOSPlatform("windows")]
        [InlineData(MailSecurity.Implicit, Ports.Pop3s)]
        [InlineData(MailSecurity.StartTls, Ports.Pop3)]
        public void FetchmailFetchesOverTlsOnTheNewPort(MailSecurity security, int port)
        {
            var rc = _box.Write(".fetchmailrc", $"# fetchmail\npoll {Good} proto pop3\n  user \"{Dovecot.User}\" there with password \"{Dovecot.Password}\"\n  keep sslcertfile \"{Root}\" sslcommonname \"mail.mailtls.test\" sslproto ''\n");
            File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            _box.Switch(rc, Good, security, port);

            var (exit, output) = Run("fetchmail", null, "-f", rc, "-d0", "--nodetach", "-v", "-k", "-i", Path.Combine(_box.Home, "ids"), "--mda", "cat >/dev/null");

            Assert.True(exit == 0, output);
            Assert.True(output.Contains("SSL/TLS: using protocol TLSv1."), output);
            // fetchmail does not print the port; its own reading of the rewritten file does.
            Assert.Contains($"\"service\":\"{port}\"", Run("fetchmail", null, "-f", rc, "--configdump").Output);
            Assert.True(output.Contains("1 message"), output);
            if (security == MailSecurity.StartTls)
            {
                Assert.True(output.Contains("POP3> STLS"), output);
                Assert.True(output.Contains("upgrade to TLS succeeded"), output);
            }
            else
            {
                Assert.False(output.Contains("STLS"), output);
            }
        }

        [RealServerFact]
        public void MbsyncSyncsOverImaps()
        {
            var mail = Path.Combine(_box.Home, "Mail");
            Directory.CreateDirectory(mail);
            var rc = _box.Write(".mbsyncrc",
                $"IMAPAccount test\nHost {Good}\nPort {Ports.Imap}\nUser {Dovecot.User}\nPass {Dovecot.Password}\nSSLType None\nCertificateFile {ServerCertificate}\n\n"
                + "IMAPStore test-remote\nAccount test\n\nMaildirStore test-local\nPath " + mail + "/\nInbox " + mail + "/INBOX\n\n"
                + "Channel test\nFar :test-remote:\nNear :test-local:\nPatterns INBOX\nCreate Near\nSync Pull\nSyncState *\n");
            _box.Switch(rc, "test", MailSecurity.Implicit, Ports.Imaps);

            var (exit, output) = Run("mbsync", null, "-c", rc, "-V", "test");

            Assert.True(exit == 0, output);
            Assert.True(output.Contains($"({Good}:{Ports.Imaps})"), output);
            Assert.True(output.Contains("Connection is now encrypted"), output);
            Assert.Single(Directory.GetFiles(Path.Combine(mail, "INBOX"), "*", SearchOption.AllDirectories), f => f.Contains("/new/") || f.Contains("/cur/"));
        }

        [RealServerFact]
        [UnsupportedOSPlatform("windows")]
        public void GetmailFetchesOverPop3s()
        {
            var folder = Path.Combine(_box.Home, ".getmail");
            var rc = _box.Write(".getmail/getmailrc",
                $"[retriever]\ntype = SimplePOP3Retriever\nserver = {Good}\nport = {Ports.Pop3}\nusername = {Dovecot.User}\npassword = {Dovecot.Password}\nca_certs = {Root}\n\n"
                + "[destination]\ntype = MDA_external\npath = /usr/bin/true\nallow_root_commands = true\n\n[options]\nverbose = 2\nread_all = true\ndelete = false\n");
            _box.Switch(rc, "retriever", MailSecurity.Implicit, Ports.Pop3s);

            var (exit, output) = Run("getmail", null, "--trace", "-g", folder, "-r", rc);

            Assert.True(exit == 0, output);
            Assert.True(output.Contains($"POP3 SSL connection") && output.Contains($"{Good}:{Ports.Pop3s}"), output);
            Assert.True(output.Contains("1 messages"), output);
        }

        [RealServerTheory]
        [InlineData(MailSecurity.Implicit, Ports.Smtps)]
        [InlineData(MailSecurity.StartTls, Ports.Submission)]
        public void NeoMuttSendsOverTlsOnTheNewPort(MailSecurity security, int port)
        {
            var rc = _box.Write(".muttrc", $"# neomutt\nset from = alice@mailtls.test\nset smtp_url = \"smtp://{Good}:{Ports.Smtp}/\"\n"
                + $"set ssl_ca_certificates_file = \"{Root}\"\nset ssl_force_tls = no\nset ssl_starttls = no\nset copy = no\n");
            _box.Switch(rc, "smtp_url", security, port);
            var log = _servers.Servers!.PostfixLog;
            var logged = File.Exists(log) ? new FileInfo(log).Length : 0;

            var (exit, output) = Run("neomutt", "Hello over TLS.\n", "-n", "-F", rc, "-s", "MailTls", "bob@mailtls.test");

            Assert.True(exit == 0, output);
            var url = File.ReadAllText(rc);
            Assert.Contains(security == MailSecurity.Implicit ? $"smtps://{Good}:{port}/" : $"smtp://{Good}:{port}/", url);
            var newLog = WaitForLog(log, logged, "TLS connection established");
            Assert.True(newLog.Contains("TLS connection established from"), newLog);
        }

        /// <summary>Postfix writes its log a moment after the session: what it added since <paramref name="offset"/>, once it holds <paramref name="text"/>.</summary>
        private static string WaitForLog(string log, long offset, string text)
        {
            var added = string.Empty;
            for (var attempt = 0; attempt < 50 && !added.Contains(text); attempt++)
            {
                System.Threading.Thread.Sleep(100);
                using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                stream.Seek(offset, SeekOrigin.Begin);
                added = new StreamReader(stream).ReadToEnd();
            }

            return added;
        }

        private (int Exit, string Output) Run(string tool, string? input, params string[] arguments)
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // The client's own state (fetchmail ids, mbsync state) stays in the sandbox.
            start.Environment["HOME"] = _box.Home;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(input ?? string.Empty);
            process.StandardInput.Close();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(true);
                throw new TimeoutException($"{tool} did not finish in 60 s.");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
