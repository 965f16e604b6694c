using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Core.Tests.Clients;
using MailTls.TestServers;
using MailTls.Trust;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>A test that drives Debian's real store tools (update-ca-certificates, NSS certutil) on a sandbox.</summary>
    public sealed class StoreToolFactAttribute : FactAttribute
    {
        public StoreToolFactAttribute()
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/usr/sbin/update-ca-certificates") || !File.Exists("/usr/bin/certutil"))
            {
                Skip = "needs Debian's update-ca-certificates and NSS certutil (Linux only)";
            }
        }
    }

    /// <summary>Trust stores driven with their own tools, each on a sandbox, and proven with an independent verifier.</summary>
    public sealed class TrustStoreTests : IDisposable
    {
        private readonly string _sandbox = Path.Combine(Path.GetTempPath(), "mailtls-trust-" + Guid.NewGuid().ToString("N"));
        private readonly TestPki _pki;
        private readonly X509Certificate2 _root;
        private readonly LeafFiles _leaf;

        public TrustStoreTests()
        {
            _pki = new TestPki(Path.Combine(_sandbox, "pki"));
            _root = X509CertificateLoader.LoadCertificateFromFile(_pki.RootPath);
            _leaf = _pki.IssueLeaf("leaf", LeafKind.Good, IPAddress.Loopback);
        }

        [StoreToolFact]
        public async Task The_debian_store_trusts_a_root_through_update_ca_certificates_and_forgets_it_again()
        {
            var root = Path.Combine(_sandbox, "root");
            var layout = new DebianLayout(root);
            foreach (var folder in new[] { layout.Certificates, layout.LocalCertificates, layout.EtcCertificates, layout.Hooks })
            {
                Directory.CreateDirectory(folder);
            }

            // Like a real system, the sandbox has a distribution certificate too (with none at all, the tool would
            // leave an old bundle in place): the untrusted test root, which the test chain does not lead to.
            Directory.CreateDirectory(Path.Combine(layout.Certificates, "test"));
            File.Copy(_pki.UntrustedRootPath, Path.Combine(layout.Certificates, "test", "other.crt"));
            File.WriteAllText(layout.CertificatesConf, "test/other.crt\n");
            var store = new DebianTrustStore(layout);
            Assert.False(OpensslVerifies(store.Bundle));

            Assert.Equal(StoreChange.Done, await store.AddAsync(_root, CancellationToken.None));
            Assert.True(OpensslVerifies(store.Bundle)); // an independent verifier trusts the chain through the bundle
            Assert.Equal(StoreChange.AlreadyDone, await store.AddAsync(_root, CancellationToken.None));
            var entry = Assert.Single(await store.ListAsync(CancellationToken.None));
            Assert.Equal("System", entry.Store);
            Assert.Matches(@"/mailtls-[0-9a-f]{16}\.crt$", entry.Location);
            Assert.Equal(_root.Thumbprint, entry.Thumbprint);

            Assert.Equal(StoreChange.Done, await store.RemoveAsync(_root, CancellationToken.None));
            Assert.False(OpensslVerifies(store.Bundle));
            Assert.Empty(await store.ListAsync(CancellationToken.None));
            Assert.Single(Directory.GetFiles(layout.Backups)); // the removed file was kept
            Assert.Equal(StoreChange.AlreadyDone, await store.RemoveAsync(_root, CancellationToken.None));
        }

        [StoreToolFact]
        public async Task A_failing_update_leaves_the_debian_store_as_it_was()
        {
            var layout = new DebianLayout(Path.Combine(_sandbox, "root")) { Tool = "/bin/false" };
            Directory.CreateDirectory(layout.LocalCertificates);
            var store = new DebianTrustStore(layout);
            var error = await Assert.ThrowsAsync<TrustStoreException>(() => store.AddAsync(_root, CancellationToken.None));
            Assert.Equal("StoreUpdateFailed", error.ErrorId);
            Assert.Empty(Directory.GetFiles(layout.LocalCertificates)); // our file was taken back out
        }

        [UnixFact]
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        public async Task The_red_hat_store_trusts_a_root_through_its_anchors_folder_and_forgets_it_again()
        {
            // update-ca-trust is not in Debian. This stand-in does what it does to the layout (rebuild the extracted
            // bundle from every anchors folder, into --output) so that the store's own logic runs for real here.
            var root = Path.Combine(_sandbox, "rhel");
            var layout = new RedHatLayout(root) { Tool = Path.Combine(_sandbox, "update-ca-trust-stand-in") };
            Directory.CreateDirectory(layout.DistributionAnchors);
            File.Copy(_pki.UntrustedRootPath, Path.Combine(layout.DistributionAnchors, "distribution.pem"));
            File.WriteAllText(layout.Tool,
                "#!/bin/sh\n[ \"$1\" = extract ] && [ \"$2\" = --output ] || exit 2\nmkdir -p \"$3/pem\"\n" +
                $"cat {layout.DistributionAnchors}/* {layout.Anchors}/* > \"$3/pem/tls-ca-bundle.pem\" 2>/dev/null || true\n");
            File.SetUnixFileMode(layout.Tool, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            var store = new RedHatTrustStore(layout);

            Assert.Equal(StoreChange.Done, await store.AddAsync(_root, CancellationToken.None));
            Assert.True(OpensslVerifies(store.Bundle));
            Assert.Equal(StoreChange.AlreadyDone, await store.AddAsync(_root, CancellationToken.None));
            var entry = Assert.Single(await store.ListAsync(CancellationToken.None));
            Assert.StartsWith(layout.Anchors + "/mailtls-", entry.Location);

            Assert.Equal(StoreChange.Done, await store.RemoveAsync(_root, CancellationToken.None));
            Assert.False(OpensslVerifies(store.Bundle));
            Assert.True(File.Exists(store.Bundle)); // rebuilt, still with the distribution's CA
            Assert.Empty(await store.ListAsync(CancellationToken.None));
            Assert.Single(Directory.GetFiles(Path.Combine(root, "var/lib/mailtls/backups")));
        }

        [UnixFact]
        public async Task A_red_hat_tool_that_leaves_the_root_in_the_bundle_is_caught_and_the_file_put_back()
        {
            // A stand-in that never rebuilds: the bundle keeps the root after our file is gone, which must not pass.
            var root = Path.Combine(_sandbox, "rhel-stale");
            var layout = new RedHatLayout(root) { Tool = "/bin/true" };
            Directory.CreateDirectory(Path.Combine(layout.Extracted, "pem"));
            var store = new RedHatTrustStore(layout);
            File.WriteAllText(store.Bundle, File.ReadAllText(_pki.RootPath));
            Assert.Equal(StoreChange.Done, await store.AddAsync(_root, CancellationToken.None));

            var error = await Assert.ThrowsAsync<TrustStoreException>(() => store.RemoveAsync(_root, CancellationToken.None));
            Assert.Equal("StoreUpdateUnverified", error.ErrorId);
            Assert.Single(await store.ListAsync(CancellationToken.None)); // our file is back
        }

        [StoreToolFact]
        public async Task An_nss_entry_of_the_user_is_left_alone()
        {
            var database = Path.Combine(_sandbox, "own");
            Directory.CreateDirectory(database);
            Run("certutil", $"-N --empty-password -d sql:{database}");
            Run("certutil", $"-A -d sql:{database} -n MyCorpRoot -t CT,C,C -i {_pki.RootPath}");
            var store = new NssTrustStore(database);
            var error = await Assert.ThrowsAsync<TrustStoreException>(() => store.AddAsync(_root, CancellationToken.None));
            Assert.Equal("StoreConflict", error.ErrorId);
            Assert.Matches(@"MyCorpRoot\s+CT,C,C", Run("certutil", $"-L -d sql:{database}")); // its trust is untouched
            Assert.Empty(await store.ListAsync(CancellationToken.None));
        }

        [Fact]
        public void Nicknames_carry_no_colon()
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            var request = new CertificateRequest("CN=Corp: Mail Root", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            Assert.StartsWith("MailTls - Corp- Mail Root ", NssTrustStore.NicknameFor(certificate));
        }

        [StoreToolFact]
        public async Task An_nss_database_trusts_a_root_as_a_tls_ca_and_forgets_it_again()
        {
            var database = Path.Combine(_sandbox, "profile");
            Directory.CreateDirectory(database);
            Run("certutil", $"-N --empty-password -d sql:{database}");
            var store = new NssTrustStore(database);

            Assert.Equal(StoreChange.Done, await store.AddAsync(_root, CancellationToken.None));
            Assert.Equal(StoreChange.AlreadyDone, await store.AddAsync(_root, CancellationToken.None));
            var entry = Assert.Single(await store.ListAsync(CancellationToken.None));
            Assert.Equal(_root.Thumbprint, entry.Thumbprint);
            Assert.StartsWith(database + " : MailTls - MailTls Test Root CA ", entry.Location);
            // Independently: certutil lists it trusted as a CA for TLS servers, and verifies a server chain through it.
            var listing = Run("certutil", $"-L -d sql:{database}");
            Assert.Matches(@"MailTls - MailTls Test Root CA [0-9A-F]{8}\s+C,,", listing);
            Run("certutil", $"-A -d sql:{database} -n intermediate -t ,, -i {Path.Combine(_pki.Directory, "intermediate.pem")}");
            Run("certutil", $"-A -d sql:{database} -n leaf -t ,, -i {_leaf.Leaf}");
            Assert.Equal(0, RunExit("certutil", $"-V -d sql:{database} -n leaf -u V"));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(database, "mailtls-backups")));

            Assert.Equal(StoreChange.Done, await store.RemoveAsync(_root, CancellationToken.None));
            Assert.DoesNotContain("MailTls - ", Run("certutil", $"-L -d sql:{database}"));
            Assert.NotEqual(0, RunExit("certutil", $"-V -d sql:{database} -n leaf -u V")); // and no longer
            Assert.Equal(StoreChange.AlreadyDone, await store.RemoveAsync(_root, CancellationToken.None));
        }

        [Fact]
        public void Exemptions_of_one_server_are_removed_and_everything_else_is_kept()
        {
            var profile = Path.Combine(_sandbox, "thunderbird");
            Directory.CreateDirectory(profile);
            var file = new CertificateOverrideFile(profile);
            var lines = new[]
            {
                "# PSM Certificate Override Settings file",
                "# This is a generated file!  Do not edit.",
                "mail.example.com:993\tOID.2.16.840.1.101.3.4.2.1\tAB:CD\tU\tAAAA",
                "mail.example.com:993:\tOID.2.16.840.1.101.3.4.2.1\tAB:CD\t",
                "mail.example.com:465:\tOID.2.16.840.1.101.3.4.2.1\tEF:01\t",
                "[2001:db8::1]:993:\tOID.2.16.840.1.101.3.4.2.1\t12:34\t",
                "other.example.org:993\tOID.2.16.840.1.101.3.4.2.1\t56:78\tU\tBBBB",
                string.Empty,
            };
            File.WriteAllText(file.Path, string.Join("\n", lines));

            Assert.Equal(new[] { "mail.example.com:993", "mail.example.com:993", "mail.example.com:465", "[2001:db8::1]:993", "other.example.org:993" }, file.Hosts());
            var removed = file.Remove(new[] { "MAIL.example.com:993", "[2001:db8::1]:993" });
            Assert.Equal(3, removed.Count);
            Assert.Equal(new[] { lines[0], lines[1], lines[4], lines[6], string.Empty }, File.ReadAllText(file.Path).Split('\n'));
            Assert.Single(Directory.GetFiles(profile, "cert_override.txt.*.mailtls-backup"));
            Assert.Empty(file.Remove(new[] { "mail.example.com:993" })); // idempotent: nothing written
            Assert.Single(Directory.GetFiles(profile, "cert_override.txt.*.mailtls-backup"));
        }

        private bool OpensslVerifies(string bundle)
        {
            if (!File.Exists(bundle))
            {
                return false;
            }

            var intermediate = Path.Combine(_pki.Directory, "intermediate.pem");
            return RunExit("openssl", $"verify -CAfile {bundle} -untrusted {intermediate} {_leaf.Leaf}") == 0;
        }

        private static string Run(string file, string arguments)
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{file} {arguments}: {process.StandardError.ReadToEnd()}");
            return output;
        }

        private static int RunExit(string file, string arguments)
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }

        public void Dispose()
        {
            if (Directory.Exists(_sandbox))
            {
                Directory.Delete(_sandbox, recursive: true);
            }
        }
    }
}
