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
    /// A system store made of a folder of anchor files and a tool that rebuilds the bundles from it (Debian's
    /// update-ca-certificates, Red Hat's update-ca-trust). MailTls's file is "mailtls-&lt;sha256 prefix&gt;.crt": the name
    /// is how its entries are recognised, from the folder itself. The tool always runs to its end once the folder has
    /// changed (a tool killed half-way leaves a partial bundle), and a failed or unverified run puts the folder back.
    /// </summary>
    public abstract class AnchorFolderTrustStore : ITrustStore
    {
        private const string Prefix = "mailtls-";
        private const string Extension = ".crt";

        /// <summary>A store whose anchors are in <paramref name="anchors"/>; replaced files are kept in <paramref name="backups"/>.</summary>
        protected AnchorFolderTrustStore(string anchors, string backups)
        {
            Location = anchors;
            Backups = backups;
        }

        /// <inheritdoc />
        public string Name => "System";

        /// <inheritdoc />
        public string Location { get; }

        /// <summary>The PEM bundle the tool writes (what OpenSSL, curl and mail clients read).</summary>
        public abstract string Bundle { get; }

        /// <summary>Where removed and replaced files are kept (never a folder the tool reads).</summary>
        protected string Backups { get; }

        /// <inheritdoc />
        public Task<IReadOnlyList<MailRootCaEntry>> ListAsync(CancellationToken cancellationToken)
        {
            IReadOnlyList<MailRootCaEntry> entries = !Directory.Exists(Location)
                ? Array.Empty<MailRootCaEntry>()
                : Directory.GetFiles(Location, Prefix + "*" + Extension)
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
            if (File.Exists(path) && File.ReadAllText(path) == pem && IsTrusted(path, certificate))
            {
                return StoreChange.AlreadyDone;
            }

            cancellationToken.ThrowIfCancellationRequested();
            Directory.CreateDirectory(Location);
            AtomicFile.WriteText(path, pem, Backups);
            try
            {
                await UpdateAsync(removed: false).ConfigureAwait(false);
                if (!IsTrusted(path, certificate))
                {
                    throw new TrustStoreException("StoreUpdateUnverified", Bundle, $"{ToolName} ran, but '{Bundle}' does not hold the certificate.");
                }
            }
            catch
            {
                // Leave the store as it was: take our file back out and rebuild (the first error is the one to report).
                File.Delete(path);
                await TryUpdateAsync(removed: true).ConfigureAwait(false);
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
            var backup = AtomicFile.Backup(path, Backups);
            File.Delete(path);
            try
            {
                await UpdateAsync(removed: true).ConfigureAwait(false);
                var left = StillTrustedThrough(path, certificate);
                if (left != null)
                {
                    throw new TrustStoreException("StoreUpdateUnverified", left, $"{ToolName} ran, but '{left}' still holds the certificate.");
                }
            }
            catch
            {
                File.Copy(backup, path, overwrite: true);
                await TryUpdateAsync(removed: false).ConfigureAwait(false);
                throw;
            }

            return StoreChange.Done;
        }

        /// <summary>The tool's name, for messages.</summary>
        protected abstract string ToolName { get; }

        /// <summary>The tool to run.</summary>
        protected abstract string Tool { get; }

        /// <summary>The tool's arguments; <paramref name="removed"/>: a file was taken out of the folder.</summary>
        protected abstract IReadOnlyList<string> UpdateArguments(bool removed);

        /// <summary>Whether the rebuilt store trusts the certificate through our file at <paramref name="path"/>.</summary>
        protected abstract bool IsTrusted(string path, X509Certificate2 certificate);

        /// <summary>After our file was removed: what still trusts the certificate because of it (null: nothing).</summary>
        protected abstract string? StillTrustedThrough(string path, X509Certificate2 certificate);

        /// <summary>Work to do before every run of the tool.</summary>
        protected virtual void BeforeUpdate()
        {
        }

        /// <summary>Whether <paramref name="file"/> holds the certificate's PEM body.</summary>
        protected static bool FileHas(string file, X509Certificate2 certificate) =>
            File.Exists(file) && File.ReadAllText(file).Contains(Base64Body(certificate));

        private string PathFor(X509Certificate2 certificate) => Path.Combine(Location, FileNameFor(certificate));

        /// <summary>The name of MailTls's file for a certificate, in a folder a tool reads: mailtls-&lt;sha256 prefix&gt;.crt.</summary>
        internal static string FileNameFor(X509Certificate2 certificate) =>
            Prefix + CertificateEvaluator.Sha256Hex(certificate.RawData).Substring(0, 16).ToLowerInvariant() + Extension;

        /// <summary>Whether <paramref name="path"/> names one of MailTls's files (see <see cref="FileNameFor"/>).</summary>
        internal static bool IsOurFileName(string path) =>
            Path.GetFileName(path).StartsWith(Prefix, StringComparison.Ordinal) && path.EndsWith(Extension, StringComparison.Ordinal);

        private async Task TryUpdateAsync(bool removed)
        {
            try
            {
                await UpdateAsync(removed).ConfigureAwait(false);
            }
            catch (TrustStoreException)
            {
                // Rolling back after a failure: the caller reports that failure.
            }
        }

        /// <summary>Runs the tool to its end, whatever the caller's cancellation.</summary>
        private async Task UpdateAsync(bool removed)
        {
            BeforeUpdate();
            ToolResult result;
            try
            {
                result = await ToolRunner.RunAsync(Tool, UpdateArguments(removed), CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                SystemTrustChanges.Changed(); // whatever the tool got through, the store's files may have changed
            }

            if (result.ExitCode != 0)
            {
                throw new TrustStoreException("StoreUpdateFailed", Location, $"{ToolName} failed ({result.ExitCode}): {(result.Error + result.Output).Trim()}");
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
}
