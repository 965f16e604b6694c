using System;
using System.Linq;
using System.Threading.Tasks;
using MailTls.Policy;
using MailTls.TestServers;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>The probe against real Postfix and Dovecot, one case per certificate or configuration problem.</summary>
    [Collection(ServerCollection.Name)]
    public class RealServerTests
    {
        private readonly ServerFixture _servers;

        public RealServerTests(ServerFixture servers) => _servers = servers;

        public static TheoryData<int, MailProtocol, MailSecurity> GoodEndpoints => new()
        {
            { Ports.Smtp, MailProtocol.Smtp, MailSecurity.StartTls },
            { Ports.Submission, MailProtocol.Smtp, MailSecurity.StartTls },
            { Ports.Smtps, MailProtocol.Smtp, MailSecurity.Implicit },
            { Ports.Imap, MailProtocol.Imap, MailSecurity.StartTls },
            { Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit },
            { Ports.Pop3, MailProtocol.Pop3, MailSecurity.StartTls },
            { Ports.Pop3s, MailProtocol.Pop3, MailSecurity.Implicit },
        };

        [RealServerTheory]
        [MemberData(nameof(GoodEndpoints))]
        public async Task A_good_server_passes_with_full_tls_facts(int port, MailProtocol protocol, MailSecurity security)
        {
            var report = await _servers.ProbeAsync("good", port, protocol, security);

            if (protocol == MailProtocol.Pop3 && security == MailSecurity.StartTls)
            {
                // Dovecot lists USER before STLS even though it refuses plaintext login: offered, not proven
                // accepted, so Baseline warns (and Strict fails).
                var finding = Assert.Single(report.Findings);
                Assert.Equal("PlaintextLoginBeforeTls", finding.Name);
                Assert.Equal(Verdict.Warn, report.Verdict);
            }
            else
            {
                Assert.Empty(report.Findings);
                Assert.Equal(Verdict.Pass, report.Verdict);
            }

            Assert.True(report.Reachable);
            Assert.Equal("127.0.0.11", report.IPAddress);
            Assert.Contains(report.TlsVersion, new[] { "TLS 1.2", "TLS 1.3" });
            Assert.False(string.IsNullOrEmpty(report.CipherSuite));
            Assert.True(report.ChainTrusted);
            Assert.True(report.NameMatches);
            Assert.Equal("CN=mail.mailtls.test, O=MailTls tests", report.Subject);
            Assert.Equal(2, report.Chain.Count); // leaf and intermediate, each once
            Assert.Equal("mail.mailtls.test; *.srv.mailtls.test; *.srvonly.mailtls.test; *.aconly.mailtls.test; imap.badcert.mailtls.test; 127.0.0.11; ::1", report.SubjectAlternativeNames);
            Assert.Equal(64, report.Sha256Fingerprint!.Length);
            Assert.InRange(report.DaysToExpiry!.Value, 170, 180);
            Assert.Equal("ECDSA", report.KeyAlgorithm);
            Assert.Equal(256, report.KeySize);
            Assert.NotEmpty(report.CapabilitiesAfterTls);
            Assert.Contains("PLAIN", report.AuthMechanismsAfterTls);
            Assert.Matches("^(220 mail.mailtls.test ESMTP Postfix|\\* OK .*Dovecot ready\\.|\\+OK Dovecot ready\\.)$", report.Greeting);
            if (security == MailSecurity.StartTls)
            {
                Assert.True(report.StartTlsOffered);
                Assert.NotEmpty(report.CapabilitiesBeforeTls);
                Assert.Empty(report.AuthMechanismsBeforeTls); // login only after TLS on this server
            }
            else
            {
                Assert.Null(report.StartTlsOffered);
                Assert.Empty(report.CapabilitiesBeforeTls);
            }
        }

        [RealServerFact]
        public async Task An_ipv6_endpoint_is_probed_like_any_other()
        {
            var report = await _servers.ProbeAddressAsync("::1", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit);
            Assert.Equal("::1", report.IPAddress);
            Assert.Equal("[::1]:10993", report.Target);
            Assert.True(report.NameMatches);
            Assert.Equal(Verdict.Pass, report.Verdict);
        }

        [RealServerFact]
        public async Task The_probe_never_sends_credentials()
        {
            foreach (var (port, protocol, security) in new[] { (Ports.Submission, MailProtocol.Smtp, MailSecurity.StartTls), (Ports.Imap, MailProtocol.Imap, MailSecurity.StartTls), (Ports.Pop3, MailProtocol.Pop3, MailSecurity.StartTls) })
            {
                var report = await _servers.ProbeAsync("plaintextlogin", port, protocol, security);
                var sent = report.Transcript!.Where(l => l.StartsWith("C: ", StringComparison.Ordinal)).Select(l => l.Substring(3).ToUpperInvariant()).ToArray();
                Assert.NotEmpty(sent);
                Assert.DoesNotContain(sent, l => l.StartsWith("AUTH", StringComparison.Ordinal) || l.Contains(" LOGIN ") || l.Contains(" AUTHENTICATE ")
                    || l.StartsWith("USER", StringComparison.Ordinal) || l.StartsWith("PASS", StringComparison.Ordinal) || l.StartsWith("APOP", StringComparison.Ordinal));
            }
        }

        [RealServerFact]
        public async Task Without_the_private_root_the_chain_is_untrusted()
        {
            var report = await _servers.ProbeAsync("good", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit, trustTestRoot: false);
            Assert.Equal(Verdict.Fail, report.Verdict);
            Assert.False(report.ChainTrusted);
            Assert.Contains(report.Findings, f => f.Name == "UntrustedRoot");
            Assert.Equal("TLS 1.3", report.TlsVersion); // a certificate problem never empties the report
            Assert.NotNull(report.Certificate);
        }

        [RealServerTheory]
        [InlineData("expired", "CertificateExpired", Verdict.Fail)]
        [InlineData("notyetvalid", "CertificateNotYetValid", Verdict.Fail)]
        [InlineData("expiringsoon", "CertificateExpiringSoon", Verdict.Warn)]
        [InlineData("wrongname", "NameMismatch", Verdict.Fail)]
        [InlineData("selfsigned", "SelfSigned", Verdict.Fail)]
        [InlineData("nointermediate", "IncompleteChain", Verdict.Fail)]
        [InlineData("untrustedroot", "UntrustedRoot", Verdict.Fail)]
        [InlineData("wrongusage", "WrongKeyUsage", Verdict.Fail)]
        public async Task Certificate_problems_are_findings_with_a_full_report(string serverCase, string finding, Verdict verdict)
        {
            foreach (var (port, protocol, security) in new[] { (Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit), (Ports.Submission, MailProtocol.Smtp, MailSecurity.StartTls) })
            {
                var report = await _servers.ProbeAsync(serverCase, port, protocol, security);
                Assert.Equal(new[] { finding }, report.Findings.Select(f => f.Name)); // that problem, and nothing else
                Assert.Equal(verdict, report.Verdict);
                Assert.NotNull(report.TlsVersion);
                Assert.NotNull(report.CipherSuite);
                Assert.NotNull(report.Certificate);
                Assert.NotEmpty(report.Chain);
                Assert.NotNull(report.ChainTrusted);
                Assert.NotEmpty(report.CapabilitiesAfterTls);
            }
        }

        [RealServerTheory]
        [InlineData("weakkey", "WeakKey", "RSA 1024")]
        [InlineData("sha1", "Sha1Signature", "sha1ECDSA")]
        public async Task Weak_keys_and_signatures_are_findings(string serverCase, string finding, string evidence)
        {
            var report = await _servers.ProbeAsync(serverCase, Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit);
            Assert.Contains(report.Findings, f => f.Name == finding && f.Message.Contains(evidence));
            Assert.Equal(Verdict.Fail, report.Verdict);
            Assert.NotNull(report.TlsVersion);
        }

        [RealServerFact]
        public async Task The_servers_saw_no_login_attempt_from_any_probe_connection()
        {
            // Server-side evidence, covering the extra connections (version probes) that keep no transcript.
            foreach (var (port, protocol) in new[] { (Ports.Submission, MailProtocol.Smtp), (Ports.Imap, MailProtocol.Imap), (Ports.Pop3, MailProtocol.Pop3) })
            {
                var report = await _servers.ProbeAsync("plaintextlogin", port, protocol, MailSecurity.StartTls, configure: o => o.IncludeTlsVersions = true);
                Assert.NotNull(report.AcceptedTlsVersions);
            }

            var dovecotLog = System.IO.Path.Combine(ServerFixture.StateDirectory, "dovecot", "plaintextlogin", "dovecot.log");
            var postfixLog = System.IO.Path.Combine(ServerFixture.StateDirectory, "postfix", "maillog");
            var postfixLines = Array.Empty<string>();
            for (var i = 0; i < 40; i++)
            {
                // Postfix names the client (us, from 127.0.0.1), not the listener: every session of the suite counts.
                postfixLines = System.IO.File.ReadAllLines(postfixLog).Where(l => l.Contains("disconnect from")).ToArray();
                if (postfixLines.Length >= 5)
                {
                    break;
                }

                await Task.Delay(100); // postlogd writes asynchronously
            }

            Assert.True(postfixLines.Length >= 5, "postfix: " + string.Join("\n", postfixLines));
            Assert.All(postfixLines, l => Assert.DoesNotContain(" auth=", l)); // Postfix counts AUTH commands here
            var dovecotLines = System.IO.File.ReadAllLines(dovecotLog).Where(l => l.Contains("-login: Info: Disconnected")).ToArray();
            Assert.True(dovecotLines.Length >= 10, "dovecot: " + string.Join("\n", System.IO.File.ReadAllLines(dovecotLog).TakeLast(20)));
            // Dovecot says why each login process ended; neither reason allows a login attempt.
            Assert.All(dovecotLines, l => Assert.True(l.Contains("(no auth attempts") || l.Contains("(disconnected before auth was ready"), l));
        }

        [RealServerFact]
        public async Task Expiry_messages_say_when()
        {
            var expired = await _servers.ProbeAsync("expired", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit);
            Assert.True(expired.DaysToExpiry < 0);
            Assert.Contains("expired", expired.Findings.Single(f => f.Name == "CertificateExpired").Message);
            var notYet = await _servers.ProbeAsync("notyetvalid", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit);
            Assert.Contains("not yet valid", notYet.Findings.Single(f => f.Name == "CertificateNotYetValid").Message);
        }

        [RealServerFact]
        public async Task A_name_the_certificate_does_not_carry_is_a_mismatch_and_the_right_name_matches()
        {
            var wrong = await _servers.ProbeAsync("good", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit, serverName: "imap.other.test");
            Assert.False(wrong.NameMatches);
            Assert.Contains(wrong.Findings, f => f.Name == "NameMismatch" && f.Message.Contains("imap.other.test"));
            var right = await _servers.ProbeAsync("good", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit, serverName: "mail.mailtls.test");
            Assert.True(right.NameMatches);
            Assert.Equal(Verdict.Pass, right.Verdict);
        }

        [RealServerFact]
        public async Task A_tls13_only_server_accepts_exactly_tls13()
        {
            var report = await _servers.ProbeAsync("tls13only", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit, configure: o => o.IncludeTlsVersions = true);
            Assert.Equal("TLS 1.3", report.TlsVersion);
            Assert.Equal(new[] { "TLS 1.3" }, report.AcceptedTlsVersions);
            Assert.Equal(Verdict.Pass, report.Verdict);
        }

        [RealServerFact]
        public async Task Accepted_versions_of_a_modern_server_are_12_and_13()
        {
            var report = await _servers.ProbeAsync("good", Ports.Submission, MailProtocol.Smtp, MailSecurity.StartTls, configure: o => o.IncludeTlsVersions = true);
            Assert.Equal(new[] { "TLS 1.2", "TLS 1.3" }, report.AcceptedTlsVersions);
            Assert.DoesNotContain(report.Findings, f => f.Name == "LegacyTlsAccepted");
        }

        [RealServerTheory]
        [InlineData(Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit)]
        [InlineData(Ports.Submission, MailProtocol.Smtp, MailSecurity.StartTls)]
        public async Task With_one_connection_per_host_the_version_questions_wait_their_turn(int port, MailProtocol protocol, MailSecurity security)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var report = await _servers.ProbeAsync("good", port, protocol, security, configure: o => { o.IncludeTlsVersions = true; o.MaxConnectionsPerHost = 1; });
            Assert.Equal(new[] { "TLS 1.2", "TLS 1.3" }, report.AcceptedTlsVersions);
            Assert.Equal(Verdict.Pass, report.Verdict);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}"); // no question waited out a timeout for a slot
        }

        [RealServerFact]
        public async Task A_server_that_still_accepts_tls10_is_flagged()
        {
            var report = await _servers.ProbeAsync("legacytls", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit, configure: o => o.IncludeTlsVersions = true);
            Assert.Equal("TLS 1.3", report.TlsVersion);
            Assert.Contains("TLS 1.0", report.AcceptedTlsVersions!);
            Assert.Contains(report.Findings, f => f.Name == "LegacyTlsAccepted" && f.Severity == FindingSeverity.Warning);
            var strict = await _servers.ProbeAsync("legacytls", Ports.Imaps, MailProtocol.Imap, MailSecurity.Implicit, configure: o => { o.IncludeTlsVersions = true; o.Policy = ProbePolicy.Strict; });
            Assert.Equal(Verdict.Fail, strict.Verdict);
        }

        [RealServerTheory]
        [InlineData(Ports.Smtps, MailSecurity.Implicit)]
        [InlineData(Ports.Submission, MailSecurity.StartTls)]
        public async Task A_tls10_only_server_is_still_reported_in_full(int port, MailSecurity security)
        {
            // Debian's OpenSSL refuses TLS 1.0; the report must still name the version, cipher and certificate.
            var report = await _servers.ProbeAsync("legacytls", port, MailProtocol.Smtp, security);
            Assert.Equal("TLS 1.0", report.TlsVersion);
            Assert.NotNull(report.CipherSuite);
            Assert.NotNull(report.Certificate);
            Assert.True(report.ChainTrusted);
            Assert.Contains(report.Findings, f => f.Name == "LegacyTlsNegotiated" && f.Message.Contains("TLS 1.0"));
            Assert.Contains(report.Findings, f => f.Name == "ObservedWithFallbackStack");
            // Only AES-256-CBC is configured: the fallback stack must offer more than BouncyCastle's defaults.
            Assert.Equal("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", report.CipherSuite);
            Assert.DoesNotContain(report.Findings, f => f.Name == "PlatformTlsRefused" || f.Name == "WeakCipher");
            Assert.Equal(Verdict.Fail, report.Verdict);
            Assert.Empty(report.CapabilitiesAfterTls); // no application data over such a session
        }

        [RealServerTheory]
        [InlineData(Ports.Submission, MailProtocol.Smtp, "SMTP AUTH")]
        [InlineData(Ports.Imap, MailProtocol.Imap, "LOGINDISABLED")]
        [InlineData(Ports.Pop3, MailProtocol.Pop3, "USER")]
        public async Task Plaintext_login_before_tls_warns_under_baseline_and_fails_under_strict(int port, MailProtocol protocol, string evidence)
        {
            var baseline = await _servers.ProbeAsync("plaintextlogin", port, protocol, MailSecurity.StartTls);
            var finding = Assert.Single(baseline.Findings);
            Assert.Equal("PlaintextLoginBeforeTls", finding.Name);
            Assert.Contains(evidence, finding.Message);
            Assert.Equal(Verdict.Warn, baseline.Verdict);
            var strict = await _servers.ProbeAsync("plaintextlogin", port, protocol, MailSecurity.StartTls, configure: o => o.Policy = ProbePolicy.Strict);
            Assert.Equal(Verdict.Fail, strict.Verdict);
        }

        [RealServerTheory]
        [InlineData(Ports.Submission, MailProtocol.Smtp)]
        [InlineData(Ports.Imap, MailProtocol.Imap)]
        [InlineData(Ports.Pop3, MailProtocol.Pop3)]
        public async Task A_server_without_starttls_fails(int port, MailProtocol protocol)
        {
            var report = await _servers.ProbeAsync("nostarttls", port, protocol, MailSecurity.StartTls);
            Assert.False(report.StartTlsOffered);
            Assert.Contains(report.Findings, f => f.Name == "StartTlsNotOffered");
            Assert.Equal(Verdict.Fail, report.Verdict);
            Assert.Null(report.TlsVersion);
        }

        [RealServerFact]
        public async Task Security_none_reads_the_plaintext_service_and_is_never_pass()
        {
            var offered = await _servers.ProbeAsync("good", Ports.Imap, MailProtocol.Imap, MailSecurity.None);
            Assert.True(offered.StartTlsOffered);
            Assert.NotEmpty(offered.CapabilitiesBeforeTls);
            Assert.Contains(offered.Findings, f => f.Name == "PlaintextSessionStartTlsAvailable");
            Assert.Equal(Verdict.Warn, offered.Verdict);
            Assert.Null(offered.TlsVersion);

            var none = await _servers.ProbeAsync("nostarttls", Ports.Smtp, MailProtocol.Smtp, MailSecurity.None);
            Assert.False(none.StartTlsOffered);
            Assert.Contains(none.Findings, f => f.Name == "PlaintextSession");
            Assert.Equal(Verdict.Fail, none.Verdict);
        }

        [RealServerFact]
        public async Task A_plaintext_service_on_an_implicit_tls_port_is_named()
        {
            var report = await _servers.ProbeAsync("good", Ports.Smtp, MailProtocol.Smtp, MailSecurity.Implicit);
            var finding = Assert.Single(report.Findings);
            Assert.Equal("PlaintextOnImplicitPort", finding.Name);
            Assert.Contains("220 mail.mailtls.test", finding.Message);
            Assert.Equal(Verdict.Fail, report.Verdict);
        }

        [RealServerFact]
        public async Task Tls_on_a_plaintext_port_is_named()
        {
            var report = await _servers.ProbeAsync("good", Ports.Imaps, MailProtocol.Imap, MailSecurity.StartTls, configure: o => o.Timeout = TimeSpan.FromSeconds(2));
            // The silence is explained, so the wrong mode is a Fail, not an unreachable Error.
            var finding = Assert.Single(report.Findings);
            Assert.Equal("TlsOnPlaintextPort", finding.Name);
            Assert.Contains("TLS 1.3", finding.Message);
            Assert.Equal(Verdict.Fail, report.Verdict);
        }

        [RealServerFact]
        public async Task A_closed_port_is_an_error_report_not_an_exception()
        {
            var report = await _servers.ProbeAsync("good", 1, MailProtocol.Smtp, MailSecurity.StartTls);
            Assert.False(report.Reachable);
            var finding = Assert.Single(report.Findings);
            Assert.Equal("ConnectionRefused", finding.Name);
            Assert.Contains("connection refused", finding.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(Verdict.Error, report.Verdict);
        }

        [RealServerFact]
        public async Task The_transcript_is_kept_only_when_asked()
        {
            var without = await _servers.ProbeAsync("good", Ports.Imap, MailProtocol.Imap, MailSecurity.StartTls, configure: o => o.IncludeTranscript = false);
            Assert.Null(without.Transcript);
            var with = await _servers.ProbeAsync("good", Ports.Imap, MailProtocol.Imap, MailSecurity.StartTls);
            Assert.Contains(with.Transcript!, l => l == "C: MTLS1 STARTTLS");
            Assert.Contains(with.Transcript!, l => l.StartsWith("-- TLS established: TLS 1.3", StringComparison.Ordinal));
            Assert.Contains(with.Transcript!, l => l.StartsWith("S: * CAPABILITY", StringComparison.Ordinal) || l.Contains("CAPABILITY"));
        }
    }
}
