using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace MailTls.TestServers
{
    /// <summary>A private Dovecot instance (its own config, base_dir and log) for one case.</summary>
    public sealed class Dovecot
    {
        private readonly string _config;

        /// <param name="directory">The instance's own folder.</param>
        /// <param name="serverCase">What it serves.</param>
        /// <param name="leaf">Its certificate.</param>
        /// <param name="listen">Addresses to listen on instead of the case's (the bench's fleet of loopback addresses).</param>
        /// <param name="processLimit">Login processes at once (Dovecot's default is 100): the bench's fleet holds 128 connections.</param>
        /// <param name="sharedLoginProcesses">
        /// IMAP login processes that each serve many connections (Dovecot's "high-performance" mode: service_count = 0, two
        /// kept ready) instead of one new process per connection: the bench's server that answers as fast as the client asks.
        /// </param>
        public Dovecot(string directory, ServerCase serverCase, LeafFiles leaf, IReadOnlyList<string>? listen = null, int? processLimit = null, bool sharedLoginProcesses = false)
        {
            Directory.CreateDirectory(Path.Combine(directory, "run"));
            Directory.CreateDirectory(Path.Combine(directory, "state"));
            // One mailbox with one message, for the real mail clients of the client-configurator tests.
            File.WriteAllText(Path.Combine(directory, "users"), $"{User}:{{PLAIN}}{Password}::::::\n");
            var inbox = Path.Combine(directory, "home", "Maildir");
            foreach (var folder in new[] { "cur", "new", "tmp" })
            {
                Directory.CreateDirectory(Path.Combine(inbox, folder));
            }

            File.WriteAllText(Path.Combine(inbox, "new", "1700000000.M1P1.mailtls"),
                "From: bob@mailtls.test\r\nTo: alice@mailtls.test\r\nSubject: MailTls test message\r\n\r\nHello over TLS.\r\n");
            Run("chown", $"-R nobody:nogroup {Path.Combine(directory, "home")}");
            _config = Path.Combine(directory, "dovecot.conf");
            AuthSocket = Path.Combine(directory, "run", "auth-mailtls");
            Log = Path.Combine(directory, "dovecot.log");
            var ssl = serverCase.NoStartTls ? "no" : "yes";
            var config = new StringBuilder()
                .AppendLine($"base_dir = {directory}/run")
                .AppendLine(processLimit is int limit ? $"default_process_limit = {limit}\ndefault_client_limit = {limit * 4}" : string.Empty)
                .AppendLine($"state_dir = {directory}/state")
                .AppendLine($"log_path = {Log}")
                .AppendLine($"instance_name = mailtls-{serverCase.Name}")
                .AppendLine("protocols = imap pop3")
                .AppendLine(listen != null ? $"listen = {string.Join(", ", listen)}" : $"listen = {serverCase.Address}{(serverCase.AlsoIPv6 ? ", ::1" : string.Empty)}")
                .AppendLine($"ssl = {ssl}")
                .AppendLine($"ssl_cert = <{leaf.Chain}")
                .AppendLine($"ssl_key = <{leaf.Key}")
                .AppendLine($"ssl_min_protocol = {(serverCase.Tls13Only ? "TLSv1.3" : serverCase.LegacyTls ? "TLSv1" : "TLSv1.2")}")
                .AppendLine(serverCase.LegacyTls || serverCase.SecurityLevel0 ? "ssl_cipher_list = ALL:@SECLEVEL=0" : string.Empty)
                // AES-256 only: a client offering only AES-128 and ChaCha20 cannot reach it.
                .AppendLine(serverCase.Tls13Only ? "ssl_cipher_suites = TLS_AES_256_GCM_SHA384" : string.Empty)
                .AppendLine($"disable_plaintext_auth = {(serverCase.PlaintextLogin ? "no" : "yes")}")
                .AppendLine("auth_mechanisms = plain login")
                .AppendLine("login_greeting = Dovecot ready.")
                .AppendLine($"passdb {{\n  driver = passwd-file\n  args = {directory}/users\n}}")
                .AppendLine($"userdb {{\n  driver = static\n  args = uid=nobody gid=nogroup home={directory}/home\n}}")
                .AppendLine("mail_location = maildir:~/Maildir")
                .AppendLine($"service imap-login {{\n{(sharedLoginProcesses ? "  service_count = 0\n  process_min_avail = 2\n" : string.Empty)}  inet_listener imap {{\n    port = {serverCase.Port(Ports.Imap)}\n  }}\n  inet_listener imaps {{\n    port = {(serverCase.NoStartTls ? 0 : serverCase.Port(Ports.Imaps))}\n    ssl = {ssl}\n  }}\n}}")
                .AppendLine($"service pop3-login {{\n  inet_listener pop3 {{\n    port = {serverCase.Port(Ports.Pop3)}\n  }}\n  inet_listener pop3s {{\n    port = {(serverCase.NoStartTls ? 0 : serverCase.Port(Ports.Pop3s))}\n    ssl = {ssl}\n  }}\n}}")
                .AppendLine("service auth {\n  unix_listener auth-mailtls {\n    mode = 0666\n  }\n}");
            File.WriteAllText(_config, config.ToString());
        }

        /// <summary>The one mailbox user (static test credentials, loopback only).</summary>
        public const string User = "alice@mailtls.test";

        /// <summary>Its password.</summary>
        public const string Password = "mailtls-test-password";

        /// <summary>The SASL socket Postfix authenticates through.</summary>
        public string AuthSocket { get; }

        public string Log { get; }

        /// <summary>The configuration file (doveadm -c it reload re-reads the certificate).</summary>
        public string Config => _config;

        public void Start() => Run("dovecot", $"-c {_config}");

        public void Stop() => Run("dovecot", $"-c {_config} stop", ignoreFailure: true);

        internal static void Run(string file, string arguments, bool ignoreFailure = false)
        {
            var start = new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(true);
                throw new TimeoutException($"'{file} {arguments}' did not finish in 60 s.");
            }

            if (process.ExitCode != 0 && !ignoreFailure)
            {
                throw new InvalidOperationException($"'{file} {arguments}' failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
            }
        }
    }
}
