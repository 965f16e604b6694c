using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailTls.TestServers;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>
    /// The probe against the scripted servers: behaviour no real server shows. Every case must end within
    /// the probe's bound (3 x timeout + 2 s) with a clear finding and no exception.
    /// </summary>
    [Collection(ServerCollection.Name)]
    public class HostileServerTests
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
        private readonly ServerFixture _servers;

        public HostileServerTests(ServerFixture servers) => _servers = servers;

        private async Task<EndpointReport> ProbeAsync(Script script, MailProtocol protocol, MailSecurity security = MailSecurity.StartTls)
        {
            var clock = Stopwatch.StartNew();
            var report = await _servers.ProbeAddressAsync(ScriptedServer.Address, TestServerSet.ScriptedPort(script), protocol, security,
                configure: o => o.Timeout = Timeout);
            Assert.True(clock.Elapsed < TimeSpan.FromTicks(Timeout.Ticks * 3) + TimeSpan.FromSeconds(2), $"{script} took {clock.Elapsed}");
            return report;
        }

        [RealServerFact]
        public async Task Starttls_injection_is_a_finding_and_the_injected_bytes_are_not_data()
        {
            var report = await ProbeAsync(Script.SmtpStartTlsInjection, MailProtocol.Smtp);
            var finding = Assert.Single(report.Findings);
            Assert.Equal("StartTlsInjection", finding.Name);
            Assert.Contains("STARTTLS injection", finding.Message);
            Assert.Contains("250-injected.example", finding.Message);
            Assert.Equal(Verdict.Fail, report.Verdict);
            // The injected bytes were drained: the handshake ran on a clean stream, and the capabilities after TLS are
            // the server's real ones (AUTH PLAIN), not the injected AUTH CRAM-MD5 DIGEST-MD5.
            Assert.Equal("TLS 1.3", report.TlsVersion);
            Assert.True(report.ChainTrusted);
            Assert.Equal(new[] { "PLAIN" }, report.AuthMechanismsAfterTls);
        }

        [RealServerFact]
        public async Task Starttls_injection_in_a_later_segment_is_caught_in_the_handshake()
        {
            var report = await ProbeAsync(Script.SmtpStartTlsLateInjection, MailProtocol.Smtp);
            var finding = report.Findings.Single(f => f.Name == "StartTlsInjection");
            Assert.Contains("250-INJECTED-LATE", finding.Message);
            Assert.Equal(Verdict.Fail, report.Verdict);
            Assert.DoesNotContain("CRAM-MD5", report.AuthMechanismsAfterTls);
        }

        [RealServerFact]
        public async Task A_server_that_stalls_in_the_handshake_times_out()
        {
            var report = await ProbeAsync(Script.SmtpStallAfterStartTls, MailProtocol.Smtp);
            Assert.Contains(report.Findings, f => f.Name == "TimedOut" && f.Message.Contains("The TLS handshake did not complete within", StringComparison.Ordinal));
            Assert.Equal(Verdict.Error, report.Verdict);
        }

        [RealServerFact]
        public async Task Starttls_refused_with_454_is_a_finding()
        {
            var report = await ProbeAsync(Script.SmtpStartTls454, MailProtocol.Smtp);
            var finding = Assert.Single(report.Findings);
            Assert.Equal("StartTlsRefused", finding.Name);
            Assert.Contains("454", finding.Message);
            Assert.Equal(Verdict.Fail, report.Verdict);
        }

        [RealServerFact]
        public async Task A_server_closing_after_starttls_is_a_finding()
        {
            var report = await ProbeAsync(Script.SmtpCloseAfterStartTls, MailProtocol.Smtp);
            Assert.Contains(report.Findings, f => f.Name == "StartTlsClosed");
            Assert.Equal(Verdict.Fail, report.Verdict);
            Assert.Null(report.TlsVersion);
        }

        [RealServerFact]
        public async Task A_silent_server_times_out()
        {
            var report = await ProbeAsync(Script.Silent, MailProtocol.Smtp);
            Assert.Contains(report.Findings, f => f.Name == "TimedOut" && f.Message.Contains("The greeting did not complete within", StringComparison.Ordinal) && f.Message.Contains("timed out"));
            Assert.Equal(Verdict.Error, report.Verdict);
            Assert.True(report.Reachable);
        }

        [RealServerFact]
        public async Task A_dripping_server_is_cut_off_by_the_phase_timeout()
        {
            var report = await ProbeAsync(Script.Drip, MailProtocol.Smtp);
            var finding = report.Findings.Single(f => f.Name == "TimedOut");
            Assert.Contains("bytes received", finding.Message);
            Assert.Equal(Verdict.Error, report.Verdict);
        }

        [RealServerFact]
        public async Task A_100KB_banner_is_too_long()
        {
            var report = await ProbeAsync(Script.HugeBanner, MailProtocol.Smtp);
            var finding = Assert.Single(report.Findings);
            Assert.Equal("BannerTooLong", finding.Name);
            Assert.Contains("banner too long", finding.Message);
            Assert.Equal(Verdict.Fail, report.Verdict);
        }

        [RealServerFact]
        public async Task Garbage_instead_of_a_pop3_greeting_is_an_unexpected_reply()
        {
            var report = await ProbeAsync(Script.GarbagePop3, MailProtocol.Pop3);
            Assert.Contains(report.Findings, f => f.Name == "UnexpectedReply");
            Assert.Equal(Verdict.Error, report.Verdict);
        }

        [RealServerFact]
        public async Task Imap_preauth_where_starttls_was_asked_is_a_finding()
        {
            var report = await ProbeAsync(Script.ImapPreAuth, MailProtocol.Imap);
            Assert.Contains(report.Findings, f => f.Name == "ImapPreAuth");
            Assert.Equal(Verdict.Fail, report.Verdict);
            Assert.Null(report.TlsVersion);
        }

        [RealServerTheory]
        [InlineData(Script.Silent, false)]                  // waiting for the greeting
        [InlineData(Script.SmtpStallAfterStartTls, false)]  // inside the TLS handshake
        [InlineData(Script.SmtpStallAfterStartTls, true)]   // with the version probes and fallbacks in flight
        public async Task Cancellation_stops_a_probe_promptly(Script script, bool includeTlsVersions)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _servers.ProbeAddressAsync(ScriptedServer.Address, TestServerSet.ScriptedPort(script),
                MailProtocol.Smtp, MailSecurity.StartTls, configure: o => { o.Timeout = TimeSpan.FromSeconds(30); o.IncludeTlsVersions = includeTlsVersions; },
                cancellationToken: cts.Token));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        }
    }
}
