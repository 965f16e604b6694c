using System;
using System.Collections;
using System.IO;
using MailTls.Policy;
using Xunit;

namespace MailTls.Core.Tests
{
    public sealed class PolicyReaderTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailtls-policy-" + Guid.NewGuid().ToString("N"));

        public PolicyReaderTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        private static ProbePolicy Read(Hashtable data) => PolicyReader.Read(data, "test", baseDirectory: null);

        [Fact]
        public void Reads_every_field_in_any_case()
        {
            var policy = Read(new Hashtable
            {
                ["name"] = "Contoso",
                ["BASEDON"] = "strict",
                ["MinimumTlsVersion"] = "TLS 1.3",
                ["MinimumDaysToExpiry"] = 45,
                ["AllowPlaintextLoginBeforeTls"] = true,
                ["RequiredTrust"] = "System",
                ["AllowedSecurity"] = new Hashtable { ["Imap"] = "Implicit", ["Smtp:25"] = new object[] { "StartTls" }, ["Smtp"] = new object[] { "Implicit", "StartTls" } },
                ["SeverityOverrides"] = new Hashtable { ["MTLS052"] = "Info", ["WeakCipher"] = "Warning" },
            });

            Assert.Equal(("Contoso", "Strict", 0x0304, 45, true, TrustRequirement.System),
                (policy.Name, policy.BasedOn, policy.MinimumTlsVersion, policy.MinimumDaysToExpiry, policy.AllowPlaintextLoginBeforeTls, policy.RequiredTrust));
            Assert.Equal(FindingSeverity.Info, policy.SeverityOf(FindingCatalog.CertificateExpiringSoon));
            Assert.Equal(FindingSeverity.Warning, policy.SeverityOf(FindingCatalog.WeakCipher));
            Assert.Equal(FindingSeverity.Info, policy.SeverityOf(FindingCatalog.PlaintextLoginBeforeTls));
            Assert.Equal(FindingSeverity.Failure, policy.SeverityOf(FindingCatalog.LegacyTlsAccepted)); // from Strict
            Assert.Equal(new[] { MailSecurity.Implicit }, policy.Disallowed(MailProtocol.Imap, 143, MailSecurity.StartTls));
            Assert.Null(policy.Disallowed(MailProtocol.Imap, 993, MailSecurity.Implicit));
            Assert.Equal(new[] { MailSecurity.StartTls }, policy.Disallowed(MailProtocol.Smtp, 25, MailSecurity.Implicit)); // the port's rule wins
            Assert.Null(policy.Disallowed(MailProtocol.Smtp, 465, MailSecurity.Implicit));
            Assert.Null(policy.Disallowed(MailProtocol.Pop3, 110, MailSecurity.None)); // no rule: allowed
        }

        [Fact]
        public void An_empty_policy_is_baseline_and_plaintext_login_can_be_made_a_failure()
        {
            var empty = Read(new Hashtable());
            Assert.Equal(("Custom", 0x0303, 30, TrustRequirement.Any), (empty.Name, empty.MinimumTlsVersion, empty.MinimumDaysToExpiry, empty.RequiredTrust));
            Assert.All(FindingCatalog.All, f => Assert.Equal(f.Baseline, empty.SeverityOf(f)));
            Assert.Equal(FindingSeverity.Failure, Read(new Hashtable { ["AllowPlaintextLoginBeforeTls"] = false }).SeverityOf(FindingCatalog.PlaintextLoginBeforeTls));
        }

        [Theory]
        [InlineData("MinimumTlsVersion", "1.4", "MinimumTlsVersion")]
        [InlineData("MinimumDaysToExpiry", "thirty", "MinimumDaysToExpiry")]
        [InlineData("MinimumDaysToExpiry", -1, "MinimumDaysToExpiry")]
        [InlineData("MinimumDaysToExpiry", 1.5, "MinimumDaysToExpiry")]
        [InlineData("AllowPlaintextLoginBeforeTls", "yes", "AllowPlaintextLoginBeforeTls")]
        [InlineData("RequiredTrust", "Anything", "RequiredTrust")]
        [InlineData("BasedOn", "Lenient", "BasedOn")]
        [InlineData("Name", 5, "Name")]
        [InlineData("MinimumTlsVersoin", "1.2", "MinimumTlsVersoin")]
        public void Names_the_field_with_a_bad_value(string field, object value, string named)
        {
            var error = Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { [field] = value }));
            Assert.Equal(("PolicyFieldInvalid", named), (error.ErrorId, error.Field));
            Assert.Contains(named, error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Names_the_entry_of_a_bad_map()
        {
            Assert.Equal("AllowedSecurity.Smtp:99999", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["AllowedSecurity"] = new Hashtable { ["Smtp:99999"] = "Implicit" } })).Field);
            Assert.Equal("AllowedSecurity.Imap", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["AllowedSecurity"] = new Hashtable { ["Imap"] = "SSL" } })).Field);
            Assert.Equal("AllowedSecurity.Imap", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["AllowedSecurity"] = new Hashtable { ["Imap"] = new object[0] } })).Field);
            Assert.Equal("AllowedSecurity.Nntp", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["AllowedSecurity"] = new Hashtable { ["Nntp"] = "Implicit" } })).Field);
            Assert.Equal("AllowedSecurity", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["AllowedSecurity"] = "Implicit" })).Field);
            Assert.Equal("SeverityOverrides.MTLS999", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["SeverityOverrides"] = new Hashtable { ["MTLS999"] = "Info" } })).Field);
            Assert.Equal("SeverityOverrides.MTLS052", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["SeverityOverrides"] = new Hashtable { ["MTLS052"] = "Low" } })).Field);
            // "A, B" is two words, not one: Enum.TryParse would OR them into a third value (Implicit, None = None).
            Assert.Equal("AllowedSecurity.Imap", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["AllowedSecurity"] = new Hashtable { ["Imap"] = "Implicit, None" } })).Field);
            Assert.Equal("SeverityOverrides.MTLS052", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["SeverityOverrides"] = new Hashtable { ["MTLS052"] = "Warning,Failure" } })).Field);
            Assert.Equal("MinimumDaysToExpiry", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["MinimumDaysToExpiry"] = 'x' })).Field);
            Assert.Equal("MinimumDaysToExpiry", Assert.Throws<PolicyInvalidException>(() => Read(new Hashtable { ["MinimumDaysToExpiry"] = DateTime.Now })).Field);
        }

        [Fact]
        public void Reads_a_json_file_with_its_roots_relative_to_the_file()
        {
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Policy Root", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            File.WriteAllBytes(Path.Combine(_folder, "root.cer"), root.RawData);
            var path = Path.Combine(_folder, "audit.json");
            File.WriteAllText(path, "{ // comments are allowed\n \"MinimumTlsVersion\": \"1.3\", \"MinimumDaysToExpiry\": 14, \"RequiredTrust\": \"TrustedRoots\", \"TrustedRootCertificate\": [\"root.cer\"], \"AllowedSecurity\": { \"Pop3\": [\"Implicit\"] } }");

            var policy = PolicyReader.ReadJsonFile(path);

            Assert.Equal(("audit", 0x0304, 14, TrustRequirement.TrustedRoots), (policy.Name, policy.MinimumTlsVersion, policy.MinimumDaysToExpiry, policy.RequiredTrust));
            Assert.Equal(root.Thumbprint, Assert.Single(policy.TrustedRoots).Thumbprint);
            Assert.NotNull(policy.Disallowed(MailProtocol.Pop3, 110, MailSecurity.StartTls));
        }

        [Fact]
        public void Refuses_missing_malformed_and_non_object_files_and_missing_roots()
        {
            Assert.Equal("PolicyNotFound", Assert.Throws<PolicyInvalidException>(() => PolicyReader.ReadJsonFile(Path.Combine(_folder, "none.json"))).ErrorId);
            var bad = Path.Combine(_folder, "bad.json");
            File.WriteAllText(bad, "{ \"MinimumTlsVersion\": ");
            Assert.Equal("PolicyUnreadable", Assert.Throws<PolicyInvalidException>(() => PolicyReader.ReadJsonFile(bad)).ErrorId);
            File.WriteAllText(bad, "[ \"1.2\" ]");
            Assert.Equal("PolicyUnreadable", Assert.Throws<PolicyInvalidException>(() => PolicyReader.ReadJsonFile(bad)).ErrorId);
            File.WriteAllText(bad, "{ \"TrustedRootCertificate\": \"missing.pem\" }");
            var error = Assert.Throws<PolicyInvalidException>(() => PolicyReader.ReadJsonFile(bad));
            Assert.Equal(("PolicyFieldInvalid", "TrustedRootCertificate"), (error.ErrorId, error.Field));
            Assert.Contains(Path.Combine(_folder, "missing.pem"), error.Message, StringComparison.Ordinal);
        }
    }
}
