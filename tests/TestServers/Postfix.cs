using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MailTls.TestServers
{
    /// <summary>
    /// One private Postfix instance with three smtpd listeners per case (STARTTLS relay, STARTTLS submission,
    /// implicit-TLS submission), each configured with -o overrides for the case's certificate and policy.
    /// </summary>
    public sealed class Postfix
    {
        private readonly string _config;

        public Postfix(string directory, IEnumerable<(ServerCase Case, LeafFiles Leaf, string AuthSocket)> cases)
        {
            _config = Path.Combine(directory, "conf");
            var queue = Path.Combine(directory, "queue");
            var data = Path.Combine(directory, "data");
            Directory.CreateDirectory(_config);
            Directory.CreateDirectory(queue);
            Directory.CreateDirectory(data);
            Dovecot.Run("chown", $"postfix {data}");
            Log = Path.Combine(directory, "maillog");
            File.WriteAllText(Path.Combine(_config, "main.cf"), new StringBuilder()
                .AppendLine("compatibility_level = 3.6")
                .AppendLine($"queue_directory = {queue}")
                .AppendLine($"data_directory = {data}")
                .AppendLine("mail_owner = postfix")
                .AppendLine("setgid_group = postdrop")
                .AppendLine("inet_interfaces = loopback-only")
                .AppendLine("inet_protocols = ipv4")
                .AppendLine("myhostname = mail.mailtls.test")
                .AppendLine("mydestination =")
                .AppendLine($"maillog_file = {Log}")
                .AppendLine($"maillog_file_prefixes = {directory}")
                .AppendLine("smtpd_tls_security_level = may")
                .AppendLine("smtpd_tls_protocols = >=TLSv1.2")
                .AppendLine("smtpd_tls_mandatory_protocols = >=TLSv1.2")
                .AppendLine("smtpd_sasl_type = dovecot")
                .AppendLine("smtpd_sasl_auth_enable = yes")
                .AppendLine("smtpd_tls_auth_only = yes")
                .AppendLine("smtpd_tls_loglevel = 1")
                // Mail the real clients send is accepted and thrown away: nothing leaves the machine, not even a DNS query.
                .AppendLine("default_transport = discard")
                .AppendLine("relay_transport = discard")
                .AppendLine("smtp_dns_support_level = disabled")
                .ToString());

            var master = new StringBuilder();
            foreach (var (serverCase, leaf, authSocket) in cases)
            {
                var options = new List<string>
                {
                    $"-o smtpd_tls_cert_file={leaf.Chain}",
                    $"-o smtpd_tls_key_file={leaf.Key}",
                    $"-o smtpd_sasl_path={authSocket}",
                };
                if (serverCase.NoStartTls)
                {
                    options.Add("-o smtpd_tls_security_level=none");
                }

                if (serverCase.PlaintextLogin)
                {
                    options.Add("-o smtpd_tls_auth_only=no");
                }

                if (serverCase.Tls13Only)
                {
                    options.Add("-o smtpd_tls_protocols=>=TLSv1.3");
                    options.Add("-o smtpd_tls_mandatory_protocols=>=TLSv1.3");
                }

                if (serverCase.LegacyTls)
                {
                    // OpenSSL 3 refuses TLS 1.0 below security level 0.
                    options.Add("-o smtpd_tls_protocols=<=TLSv1");
                    options.Add("-o smtpd_tls_mandatory_protocols=<=TLSv1");
                    options.Add("-o smtpd_tls_ciphers=low");
                    options.Add("-o smtpd_tls_mandatory_ciphers=low");
                    // AES-256-CBC only: BouncyCastle's default client offers no AES-256 suite, so this needs the full list.
                    options.Add("-o tls_low_cipherlist=ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0");
                }

                if (serverCase.ConnectionLimit > 0)
                {
                    // Postfix exempts its own networks (loopback included) from client limits unless the exceptions are emptied.
                    options.Add($"-o smtpd_client_connection_count_limit={serverCase.ConnectionLimit}");
                    options.Add("-o smtpd_client_event_limit_exceptions=");
                }

                if (serverCase.SecurityLevel0)
                {
                    options.Add("-o tls_medium_cipherlist=DEFAULT:@SECLEVEL=0");
                }

                var common = string.Join(" ", options);
                master.AppendLine($"{serverCase.Address}:{serverCase.Port(Ports.Smtp)} inet n - n - - smtpd {common}");
                master.AppendLine($"{serverCase.Address}:{serverCase.Port(Ports.Submission)} inet n - n - - smtpd {common}");
                if (!serverCase.NoStartTls)
                {
                    master.AppendLine($"{serverCase.Address}:{serverCase.Port(Ports.Smtps)} inet n - n - - smtpd {common} -o smtpd_tls_wrappermode=yes");
                }
            }

            foreach (var service in new[]
            {
                "postlog unix-dgram n - n - 1 postlogd", "pickup unix n - n 60 1 pickup", "cleanup unix n - n - 0 cleanup",
                "qmgr unix n - n 300 1 qmgr", "tlsmgr unix - - n 1000? 1 tlsmgr", "rewrite unix - - n - - trivial-rewrite",
                "bounce unix - - n - 0 bounce", "defer unix - - n - 0 bounce", "trace unix - - n - 0 bounce",
                "verify unix - - n - 1 verify", "flush unix n - n 1000? 0 flush", "proxymap unix - - n - - proxymap",
                "smtp unix - - n - - smtp", "relay unix - - n - - smtp", "showq unix n - n - - showq",
                "error unix - - n - - error", "retry unix - - n - - error", "discard unix - - n - - discard",
                "local unix - n n - - local", "lmtp unix - - n - - lmtp", "anvil unix - - n - 1 anvil",
                "scache unix - - n - 1 scache",
            })
            {
                master.AppendLine(service);
            }

            File.WriteAllText(Path.Combine(_config, "master.cf"), master.ToString());
        }

        public string Log { get; }

        public void Start() => Dovecot.Run("postfix", $"-c {_config} start");

        public void Stop() => Dovecot.Run("postfix", $"-c {_config} stop", ignoreFailure: true);
    }
}
