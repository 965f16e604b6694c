using System;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailTls.Policy;
using MailTls.Tls;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>
    /// The subjectAltName names a report lists, read from the DER of the extension (System.Formats.Asn1), and whether
    /// the server's name is among them.
    /// </summary>
    public sealed class SubjectAlternativeNameTests
    {
        [Fact]
        public void EveryTextNameIsListedInOrderAndOtherKindsAreLeftOut()
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("mail.example.com");
            names.AddEmailAddress("postmaster@example.com");
            names.AddUserPrincipalName("alice@example.com"); // an otherName: not text, left out
            names.AddIpAddress(IPAddress.Parse("192.0.2.7"));
            names.AddIpAddress(IPAddress.Parse("2001:db8::25"));
            names.AddUri(new Uri("https://mail.example.com/"));
            names.AddDnsName("*.example.com");
            Assert.Equal("mail.example.com; postmaster@example.com; 192.0.2.7; 2001:db8::25; https://mail.example.com/; *.example.com", Evaluate(names.Build()));
        }

        [Fact]
        public void ACertificateWithoutTheExtensionHasNoNames() => Assert.Equal(string.Empty, Evaluate(null));

        [Fact]
        public void AStrayByteAndALongFormLengthAreReadAsTlsStacksAcceptThem()
        {
            // SEQUENCE { [2] "ma\xC3\xA4l.de", [2] with a non-minimal (BER) length "a.de" }
            var der = new byte[] { 0x30, 0x10, 0x82, 0x08, 0x6D, 0x61, 0xC3, 0xA4, 0x6C, 0x2E, 0x64, 0x65, 0x82, 0x81, 0x04, 0x61, 0x2E, 0x64, 0x65 };
            der[1] = (byte)(der.Length - 2);
            Assert.Equal("ma??l.de; a.de", Evaluate(new X509Extension("2.5.29.17", der, critical: false)));
        }

        [Theory]
        [InlineData("mail.example.com", true)]
        [InlineData("MAIL.Example.COM", true)]
        [InlineData("other.example.com", false)]
        [InlineData("imap.example.org", true)]   // the wildcard, one label
        [InlineData("a.imap.example.org", false)] // a wildcard stands for one label only
        [InlineData("example.org", false)]
        [InlineData("192.0.2.7", true)]
        [InlineData("2001:db8:0::25", true)]      // the same address, written otherwise
        [InlineData("192.0.2.9", false)]          // spelled by a dNSName only: an address matches iPAddress names only
        public void TheNameMatchesAsDotNetJudgesIt(string serverName, bool matches)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("mail.example.com");
            names.AddDnsName("*.example.org");
            names.AddDnsName("192.0.2.9");
            names.AddIpAddress(IPAddress.Parse("192.0.2.7"));
            names.AddIpAddress(IPAddress.Parse("2001:db8::25"));
            using var certificate = Certificate(names.Build());

            var (report, findings) = Evaluate(certificate, serverName);
            Assert.Equal(matches, report.NameMatches);
            Assert.Equal(!matches, findings.Contains(FindingCatalog.NameMismatch));
            // The evaluator answers some names from the names it read itself (the exact ones): it must agree with .NET.
            Assert.Equal(matches, certificate.MatchesHostname(serverName, allowWildcards: true, allowCommonName: false));
        }

        private static string Evaluate(X509Extension? extension)
        {
            using var certificate = Certificate(extension);
            return Evaluate(certificate, "mail.example.com").Report.SubjectAlternativeNames ?? string.Empty;
        }

        private static (EndpointReport Report, FindingList Findings) Evaluate(X509Certificate2 certificate, string serverName)
        {
            var observation = new TlsObservation();
            observation.ServerCertificates.Add(certificate);
            var report = new EndpointReport(new MailEndpoint(serverName, 993, MailProtocol.Imap, MailSecurity.Implicit));
            var findings = new FindingList(ProbePolicy.Baseline);
            CertificateEvaluator.Evaluate(observation, serverName, new X509Certificate2Collection(), ProbePolicy.Baseline, DateTime.UtcNow, report, findings);
            return (report, findings);
        }

        private static X509Certificate2 Certificate(X509Extension? extension)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=mail.example.com", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            if (extension != null)
            {
                request.CertificateExtensions.Add(extension);
            }

            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        }
    }
}
