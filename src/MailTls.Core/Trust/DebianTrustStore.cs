using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Files;
using MailTls.Tls;

namespace MailTls.Trust
{
    /// <summary>
    /// Debian/Ubuntu's system store: a PEM file "mailtls-&lt;sha256 prefix&gt;.crt" in the local CA folder, then
    /// update-ca-certificates, which rebuilds /etc/ssl/certs and its bundle. The folders and the tool's options can be
    /// pointed elsewhere (the tests run the real tool on a sandbox; nothing else needs to).
    /// </summary>
    public sealed class DebianTrustStore : ITrustStore
    {
        private const string Prefix = "mailtls-";
        private readonly DebianLayout _layout;

        /// <summary>The store at the system's own paths, or at <paramref name="layout"/>.</summary>
        public DebianTrustStore(DebianLayout? layout = null) => _layout = layout ?? new DebianLayout();

        /// <inheritdoc />
        public string Name => "System";

        /// <inheritdoc />
        public string Location => _layout.LocalCertificates;

        /// <summary>The bundle update-ca-certificates writes (what OpenSSL, curl and mail clients read).</summary>
        public string Bundle => Path.Combine(_layout.EtcCertificates, "ca-certificates.crt");

        /// <inheritdoc />
        public Task<IReadOnlyList<MailRootCaEntry>> ListAsync(CancellationToken cancellationToken)
        {
            IReadOnlyList<MailRootCaEntry> entries = !Directory.Exists(_layout.LocalCertificates)
                ? Array.Empty<MailRootCaEntry>()
                : Directory.GetFiles(_layout.LocalCertificates, Prefix + "*.crt")
                    .OrderBy(p => p, StringComparer.Ordinal)
                    .SelectMany(path => CertificateFile.Load(path).Select(c => new MailRootCaEntry(Name, path, c, CertificateEvaluator.Sha256Hex(c.RawData))))
                    .ToArray();
            return Task.FromResult(entries);
        }

        /// <inheritdoc />
        public async Task<StoreChange> AddAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var path = PathFor(certificate);
            var pem = Pem(certificate);
            if (File.Exists(path) && File.ReadAllText(path) == pem && Linked(path))
            {
                return StoreChange.AlreadyDone;
            }

            cancellationToken.ThrowIfCancellationRequested();
            Directory.CreateDirectory(_layout.LocalCertificates);
            AtomicFile.WriteText(path, pem, _layout.Backups);
            try
            {
                // From here on the store is being changed: run to the end (no cancellation), then check.
                await UpdateAsync(fresh: false).ConfigureAwait(false);
                if (!Linked(path) || !BundleHas(certificate))
                {
                    throw new TrustStoreException("StoreUpdateUnverified", Bundle, $"update-ca-certificates ran, but '{Bundle}' does not hold the certificate.");
                }
            }
            catch
            {
                // Leave the store as it was: take our file back out and rebuild (the first error is the one to report).
                File.Delete(path);
                await TryUpdateAsync(fresh: true).ConfigureAwait(false);
                throw;
            }

            return StoreChange.Done;
        }

        /// <inheritdoc />
        public async Task<StoreChange> RemoveAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var path = PathFor(certificate);
            if (!File.Exists(path))
            {
                return StoreChange.AlreadyDone;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var backup = AtomicFile.Backup(path, _layout.Backups);
            File.Delete(path);
            try
            {
                // --fresh: Debian's way to drop the links of removed local certificates.
                await UpdateAsync(fresh: true).ConfigureAwait(false);
                if (Linked(path))
                {
                    throw new TrustStoreException("StoreUpdateUnverified", _layout.EtcCertificates, $"update-ca-certificates ran, but '{LinkFor(path)}' is still there.");
                }
            }
            catch
            {
                File.Copy(backup, path, overwrite: true);
                await TryUpdateAsync(fresh: false).ConfigureAwait(false);
                throw;
            }

            return StoreChange.Done;
        }

        private string PathFor(X509Certificate2 certificate) =>
            Path.Combine(_layout.LocalCertificates, Prefix + CertificateEvaluator.Sha256Hex(certificate.RawData).Substring(0, 16).ToLowerInvariant() + ".crt");

        // update-ca-certificates links each trusted file into the certificates folder as <name>.pem: our own entry's
        // link says whether *our* file is trusted, whatever other copies of the same CA the system has.
        private string LinkFor(string path) => Path.Combine(_layout.EtcCertificates, Path.GetFileNameWithoutExtension(path) + ".pem");

        private bool Linked(string path) => File.Exists(LinkFor(path));

        private bool BundleHas(X509Certificate2 certificate) =>
            File.Exists(Bundle) && File.ReadAllText(Bundle).Contains(Base64Body(certificate));

        private async Task TryUpdateAsync(bool fresh)
        {
            try
            {
                await UpdateAsync(fresh).ConfigureAwait(false);
            }
            catch (TrustStoreException)
            {
                // Rolling back after a failure: the caller reports that failure.
            }
        }

        /// <summary>Runs the tool to its end: killing it half-way would leave a partial bundle behind.</summary>
        private async Task UpdateAsync(bool fresh)
        {
            // A bundle.new left by an interrupted earlier run would be appended to, not replaced: remove it first.
            var stale = Bundle + ".new";
            if (File.Exists(stale))
            {
                File.Delete(stale);
            }

            var arguments = new List<string>();
            if (fresh)
            {
                arguments.Add("--fresh");
            }

            if (!_layout.IsSystem)
            {
                arguments.AddRange(new[]
                {
                    "--certsconf", _layout.CertificatesConf, "--certsdir", _layout.Certificates, "--localcertsdir", _layout.LocalCertificates,
                    "--etccertsdir", _layout.EtcCertificates, "--hooksdir", _layout.Hooks,
                });
            }

            var result = await ToolRunner.RunAsync(_layout.Tool, arguments, CancellationToken.None).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new TrustStoreException("StoreUpdateFailed", _layout.LocalCertificates, $"update-ca-certificates failed ({result.ExitCode}): {(result.Error + result.Output).Trim()}");
            }
        }

        internal static string Pem(X509Certificate2 certificate) =>
            "-----BEGIN CERTIFICATE-----\n" + Base64Body(certificate) + "\n-----END CERTIFICATE-----\n";

        private static string Base64Body(X509Certificate2 certificate)
        {
            var base64 = Convert.ToBase64String(certificate.RawData);
            return string.Join("\n", Enumerable.Range(0, (base64.Length + 63) / 64).Select(i => base64.Substring(i * 64, Math.Min(64, base64.Length - (i * 64)))));
        }
    }

    /// <summary>Where Debian's ca-certificates keeps things; the defaults are the system's own.</summary>
    public sealed class DebianLayout
    {
        /// <summary>The system's layout.</summary>
        public DebianLayout()
        {
        }

        /// <summary>The same layout under another root (for sandboxes).</summary>
        /// <param name="root">A folder standing for "/".</param>
        public DebianLayout(string root)
        {
            CertificatesConf = Path.Combine(root, "etc/ca-certificates.conf");
            Certificates = Path.Combine(root, "usr/share/ca-certificates");
            LocalCertificates = Path.Combine(root, "usr/local/share/ca-certificates");
            EtcCertificates = Path.Combine(root, "etc/ssl/certs");
            Hooks = Path.Combine(root, "etc/ca-certificates/update.d");
            Backups = Path.Combine(root, "var/backups/mailtls");
            IsSystem = false;
        }

        /// <summary>The list of enabled distribution certificates.</summary>
        public string CertificatesConf { get; } = "/etc/ca-certificates.conf";

        /// <summary>The distribution's certificates.</summary>
        public string Certificates { get; } = "/usr/share/ca-certificates";

        /// <summary>The local CA folder, where MailTls puts its files.</summary>
        public string LocalCertificates { get; } = "/usr/local/share/ca-certificates";

        /// <summary>The folder update-ca-certificates fills (links and the bundle).</summary>
        public string EtcCertificates { get; } = "/etc/ssl/certs";

        /// <summary>The hooks update-ca-certificates runs (e.g. for Java).</summary>
        public string Hooks { get; } = "/etc/ca-certificates/update.d";

        /// <summary>Where removed and replaced files are kept (never a folder the tool reads).</summary>
        public string Backups { get; } = "/var/backups/mailtls";

        /// <summary>The tool that rebuilds the store.</summary>
        public string Tool { get; set; } = "update-ca-certificates";

        internal bool IsSystem { get; } = true;
    }
}
