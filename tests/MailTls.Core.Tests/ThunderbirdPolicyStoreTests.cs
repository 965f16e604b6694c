using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using MailTls.TestServers;
using MailTls.Trust;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>Thunderbird's policies.json as a store: MailTls's entries are added and removed, everything else is kept.</summary>
    public sealed class ThunderbirdPolicyStoreTests : IDisposable
    {
        private readonly string _sandbox = Path.Combine(Path.GetTempPath(), "mailtls-policy-" + Guid.NewGuid().ToString("N"));
        private readonly X509Certificate2 _root;
        private readonly string _policy;

        public ThunderbirdPolicyStoreTests()
        {
            var pki = new TestPki(Path.Combine(_sandbox, "pki"));
            _root = X509CertificateLoader.LoadCertificateFromFile(pki.RootPath);
            _policy = Path.Combine(_sandbox, "policies", "policies.json");
        }

        [Fact]
        public async Task A_new_policy_file_installs_the_root_from_a_file_beside_it_and_forgets_it_again()
        {
            var store = new ThunderbirdPolicyStore(_policy);
            Assert.Empty(await store.ListAsync(CancellationToken.None));

            Assert.Equal(StoreChange.Done, await store.AddAsync(_root, CancellationToken.None));
            var install = Install();
            var path = Assert.Single(install);
            Assert.Matches(@"/mailtls-[0-9a-f]{16}\.crt$", path);
            Assert.Equal(Path.GetDirectoryName(_policy), Path.GetDirectoryName(path));
            Assert.Equal(_root.RawData, X509CertificateLoader.LoadCertificateFromFile(path).RawData);
            Assert.Equal(StoreChange.AlreadyDone, await store.AddAsync(_root, CancellationToken.None));
            var entry = Assert.Single(await store.ListAsync(CancellationToken.None));
            Assert.Equal(("Thunderbird", _policy, _root.Thumbprint), (entry.Store, entry.PolicyPath, entry.Thumbprint));

            Assert.Equal(StoreChange.Done, await store.RemoveAsync(_root, CancellationToken.None));
            Assert.Empty(Install());
            Assert.False(File.Exists(path));
            Assert.Equal(StoreChange.AlreadyDone, await store.RemoveAsync(_root, CancellationToken.None));
        }

        [Fact]
        public async Task Other_policies_and_install_entries_are_kept()
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_policy)!);
            File.WriteAllText(_policy, "{\n  \"policies\": {\n    \"DisableAppUpdate\": true,\n    \"Certificates\": { \"Install\": [\"corp.der\", \"/opt/ca/other.pem\"], \"ImportEnterpriseRoots\": true },\n    \"Proxy\": { \"Mode\": \"none\" }\n  }\n}\n");
            var store = new ThunderbirdPolicyStore(_policy);

            await store.AddAsync(_root, CancellationToken.None);
            var root = JsonNode.Parse(File.ReadAllText(_policy))!;
            Assert.True(root["policies"]!["DisableAppUpdate"]!.GetValue<bool>());
            Assert.Equal("none", root["policies"]!["Proxy"]!["Mode"]!.GetValue<string>());
            Assert.True(root["policies"]!["Certificates"]!["ImportEnterpriseRoots"]!.GetValue<bool>());
            Assert.Equal(new[] { "corp.der", "/opt/ca/other.pem" }, Install().Take(2));
            Assert.Equal(3, Install().Length);
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(_policy)!, "policies.json.*.mailtls-backup")); // the old file was kept

            await store.RemoveAsync(_root, CancellationToken.None);
            Assert.Equal(new[] { "corp.der", "/opt/ca/other.pem" }, Install()); // only MailTls's entry went
        }

        [Theory]
        [InlineData("{ \"policies\": { \"Certificates\": ")]
        [InlineData("[1, 2]")]
        [InlineData("{ \"policies\": { \"Certificates\": { \"Install\": \"one.pem\" } } }")]
        [InlineData("{ \"policies\": { \"Certificates\": [] } }")]
        public async Task A_policy_file_that_is_not_one_is_reported_and_left_as_it_was(string text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_policy)!);
            File.WriteAllText(_policy, text);
            var store = new ThunderbirdPolicyStore(_policy);

            var error = await Assert.ThrowsAsync<TrustStoreException>(() => store.AddAsync(_root, CancellationToken.None));
            Assert.Equal("PolicyFileInvalid", error.ErrorId);
            Assert.Equal(text, File.ReadAllText(_policy));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(_policy)!)); // no certificate file either
        }

        private string[] Install() =>
            JsonNode.Parse(File.ReadAllText(_policy))!["policies"]!["Certificates"]!["Install"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

        public void Dispose()
        {
            if (Directory.Exists(_sandbox))
            {
                Directory.Delete(_sandbox, recursive: true);
            }
        }
    }
}
