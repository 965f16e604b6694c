using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailTls.TestServers;
using MailTls.Trust;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>
    /// The macOS keychain store's logic, against a simulation of the security tool (its commands, outputs and exit
    /// codes as Apple's sources print them). The real tool is exercised by the Pester test on macOS.
    /// </summary>
    public sealed class MacKeychainStoreTests : IDisposable
    {
        private const string Keychain = "/Users/alice/Library/Keychains/login.keychain-db";
        private readonly string _sandbox = Path.Combine(Path.GetTempPath(), "mailtls-keychain-" + Guid.NewGuid().ToString("N"));
        private readonly X509Certificate2 _root;
        private readonly SecuritySimulation _security = new SecuritySimulation();

        public MacKeychainStoreTests()
        {
            _root = X509CertificateLoader.LoadCertificateFromFile(new TestPki(Path.Combine(_sandbox, "pki")).RootPath);
        }

        [Fact]
        public async Task A_root_is_trusted_marked_listed_and_removed_with_its_trust_and_marker()
        {
            var store = new MacKeychainStore(system: false, Keychain, _security);
            Assert.Equal(StoreChange.Done, await store.AddAsync(_root, CancellationToken.None));
            Assert.Contains(Sha256, _security.Certificates.Keys);
            Assert.Contains(Sha256, _security.UserTrust);
            Assert.Contains(Sha256, _security.Markers);
            Assert.DoesNotContain(_security.Commands, c => c.Split(' ').Contains("-d")); // the user's trust settings, not the admin's

            Assert.Equal(StoreChange.AlreadyDone, await store.AddAsync(_root, CancellationToken.None));
            var entry = Assert.Single(await store.ListAsync(CancellationToken.None));
            Assert.Equal(("User", Keychain, _root.Thumbprint), (entry.Store, entry.KeychainPath, entry.Thumbprint));

            Assert.Equal(StoreChange.Done, await store.RemoveAsync(_root, CancellationToken.None));
            Assert.Empty(_security.Certificates);
            Assert.Empty(_security.UserTrust);
            Assert.Empty(_security.Markers);
            Assert.Equal(StoreChange.AlreadyDone, await store.RemoveAsync(_root, CancellationToken.None));
        }

        [Fact]
        public async Task A_root_the_user_trusted_himself_is_left_alone()
        {
            _security.Certificates[Sha256] = _root.RawData;
            _security.UserTrust.Add(Sha256);
            var store = new MacKeychainStore(system: false, Keychain, _security);

            Assert.Equal(StoreChange.AlreadyDone, await store.AddAsync(_root, CancellationToken.None));
            Assert.Empty(await store.ListAsync(CancellationToken.None)); // not MailTls's: not listed
            Assert.Equal(StoreChange.AlreadyDone, await store.RemoveAsync(_root, CancellationToken.None));
            Assert.Contains(Sha256, _security.Certificates.Keys);
            Assert.Contains(Sha256, _security.UserTrust);
        }

        [Fact]
        public async Task An_untrusted_item_of_the_user_is_a_conflict_and_is_not_changed()
        {
            _security.Certificates[Sha256] = _root.RawData;
            var store = new MacKeychainStore(system: false, Keychain, _security);

            var error = await Assert.ThrowsAsync<TrustStoreException>(() => store.AddAsync(_root, CancellationToken.None));
            Assert.Equal("StoreConflict", error.ErrorId);
            Assert.Empty(_security.UserTrust);
            Assert.Empty(_security.Markers);
        }

        [Fact]
        public async Task The_system_store_without_an_administrator_says_so_and_leaves_the_keychain_as_it_was()
        {
            _security.AdminAuthorized = false;
            var store = new MacKeychainStore(system: true, null, _security);
            Assert.Equal("/Library/Keychains/System.keychain", store.Location);

            var error = await Assert.ThrowsAsync<TrustStoreException>(() => store.AddAsync(_root, CancellationToken.None));
            Assert.Equal("StorePermissionDenied", error.ErrorId);
            Assert.Contains("sudo", error.Message);
            Assert.Contains(_security.Commands, c => c.StartsWith("add-trusted-cert -d ", StringComparison.Ordinal));
            Assert.Empty(_security.Certificates); // the copy the tool had already put in the keychain was taken out
            Assert.Empty(_security.Markers);
        }

        [Fact]
        public async Task The_system_store_uses_the_admin_trust_settings()
        {
            var store = new MacKeychainStore(system: true, null, _security);
            Assert.Equal(StoreChange.Done, await store.AddAsync(_root, CancellationToken.None));
            Assert.Contains(Sha256, _security.AdminTrust);
            Assert.Empty(_security.UserTrust);
            Assert.Equal(StoreChange.Done, await store.RemoveAsync(_root, CancellationToken.None));
            Assert.Empty(_security.AdminTrust);
        }

        private string Sha256 => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(_root.RawData));

        public void Dispose()
        {
            if (Directory.Exists(_sandbox))
            {
                Directory.Delete(_sandbox, recursive: true);
            }
        }

        /// <summary>
        /// A simulation of the security commands the store uses, with one keychain: certificates, generic password
        /// items, and user and admin trust settings (kept apart from the keychain, by certificate hash, as macOS does).
        /// </summary>
        private sealed class SecuritySimulation : ISecurityTool
        {
            public Dictionary<string, byte[]> Certificates { get; } = new Dictionary<string, byte[]>();

            public HashSet<string> Markers { get; } = new HashSet<string>();

            public HashSet<string> UserTrust { get; } = new HashSet<string>();

            public HashSet<string> AdminTrust { get; } = new HashSet<string>();

            public bool AdminAuthorized { get; set; } = true;

            public List<string> Commands { get; } = new List<string>();

            public Task<ToolResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
            {
                Commands.Add(string.Join(" ", arguments));
                var admin = arguments.Contains("-d");
                var trust = admin ? AdminTrust : UserTrust;
                switch (arguments[0])
                {
                    case "dump-keychain":
                        return Ok(string.Concat(Markers.Select(m =>
                            $"keychain: \"{arguments[1]}\"\nversion: 512\nclass: \"genp\"\nattributes:\n    \"acct\"<blob>=\"{m}\"\n    \"labl\"<blob>=\"MailTls - x\"\n    \"svce\"<blob>=\"{MacKeychainStore.MarkerService}\"\n")));
                    case "find-certificate":
                        return Ok(string.Concat(Certificates.Values.Select(Pem)));
                    case "add-trusted-cert":
                        var added = Hash(File.ReadAllBytes(arguments[^1]));
                        Certificates[added.Hash] = added.Der; // -k: into the keychain first, then the trust settings
                        if (admin && !AdminAuthorized)
                        {
                            return Fail(1, "SecTrustSettingsSetTrustSettings: The authorization was denied since no user interaction was possible.");
                        }

                        trust.Add(added.Hash);
                        return Ok(string.Empty);
                    case "remove-trusted-cert":
                        return trust.Remove(Hash(File.ReadAllBytes(arguments[^1])).Hash) ? Ok(string.Empty) : Fail(1, "SecTrustSettingsRemoveTrustSettings: The specified item could not be found in the keychain.");
                    case "verify-cert":
                        var checkedHash = Hash(File.ReadAllBytes(arguments[2])).Hash;
                        return UserTrust.Contains(checkedHash) || AdminTrust.Contains(checkedHash) ? Ok("...certificate verification successful.") : Fail(1, "Cert Verify Result: CSSMERR_TP_NOT_TRUSTED");
                    case "add-generic-password":
                        Markers.Add(arguments[arguments.ToList().IndexOf("-a") + 1]);
                        return Ok(string.Empty);
                    case "delete-generic-password":
                        return Markers.Remove(arguments[arguments.ToList().IndexOf("-a") + 1]) ? Ok(string.Empty) : Fail(44, "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.");
                    case "delete-certificate":
                        return Certificates.Remove(arguments[2]) ? Ok(string.Empty) : Fail(1, $"Unable to delete certificate matching \"{arguments[2]}\"");
                    default:
                        return Fail(2, "Usage: unknown command " + arguments[0]);
                }
            }

            private static (string Hash, byte[] Der) Hash(byte[] file)
            {
                var text = Encoding.ASCII.GetString(file);
                var der = Convert.FromBase64String(string.Concat(text.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
                return (Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(der)), der);
            }

            private static string Pem(byte[] der) => "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n";

            private static Task<ToolResult> Ok(string output) => Task.FromResult(new ToolResult(0, output, string.Empty));

            private static Task<ToolResult> Fail(int code, string error) => Task.FromResult(new ToolResult(code, string.Empty, error));
        }
    }
}
