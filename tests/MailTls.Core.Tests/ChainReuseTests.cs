using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailTls.Policy;
using MailTls.Tls;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>
    /// The chain the handshake built is the evaluator's answer when it was built the way the evaluator would build it,
    /// and only then (a probe builds one chain, not two; a chain of the wrong kind is never taken for the right one).
    /// </summary>
    public sealed class ChainReuseTests
    {
        private static readonly X509Certificate2 Leaf = SelfSigned("CN=mail.example.com");
        private static readonly X509Certificate2Collection OtherRoot = new X509Certificate2Collection(SelfSigned("CN=Some Other Root"));

        [Fact]
        public void The_handshakes_check_against_the_given_roots_is_taken_as_it_is()
        {
            // The self-signed leaf is not one of the given roots, so a chain built here would not trust it: the verdict is the handshake's.
            var platform = new ChainVerdict(ChainTrust.GivenRoots, trusted: true, new HashSet<X509ChainStatusFlags>(), length: 2);
            Assert.True(Evaluate(platform, OtherRoot, ProbePolicy.Baseline).ChainTrusted);
            Assert.False(Evaluate(null, OtherRoot, ProbePolicy.Baseline).ChainTrusted);
        }

        [Fact]
        public void A_check_against_the_systems_roots_does_not_answer_for_the_given_roots_only()
        {
            var platform = new ChainVerdict(ChainTrust.System, trusted: true, new HashSet<X509ChainStatusFlags>(), length: 2);
            var pinned = PolicyReader.Read(new System.Collections.Hashtable { ["RequiredTrust"] = "TrustedRoots" }, "test", baseDirectory: null);
            Assert.False(Evaluate(platform, OtherRoot, pinned).ChainTrusted);
            Assert.True(Evaluate(platform, new X509Certificate2Collection(), ProbePolicy.Baseline).ChainTrusted); // no roots given: the system's answer is the answer
        }

        [Fact]
        public void An_untrusted_handshake_chain_keeps_its_reasons()
        {
            var platform = new ChainVerdict(ChainTrust.System, trusted: false, new HashSet<X509ChainStatusFlags> { X509ChainStatusFlags.PartialChain }, length: 1);
            var report = Evaluate(platform, new X509Certificate2Collection(), ProbePolicy.Baseline);
            Assert.False(report.ChainTrusted);
            Assert.Equal(new[] { "PartialChain" }, report.ChainStatus);
        }

        private static EndpointReport Evaluate(ChainVerdict? platform, X509Certificate2Collection roots, ProbePolicy policy)
        {
            var observation = new TlsObservation { PlatformChain = platform };
            observation.ServerCertificates.Add(Leaf);
            var report = new EndpointReport(new MailEndpoint("mail.example.com", 993, MailProtocol.Imap, MailSecurity.Implicit));
            CertificateEvaluator.Evaluate(observation, "mail.example.com", roots, policy, DateTime.UtcNow, report, new FindingList(policy));
            return report;
        }

        private static X509Certificate2 SelfSigned(string subject)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        }
    }
}
