using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Tls;

namespace MailTls.Trust
{
    /// <summary>
    /// Windows' Root store (LocalMachine: System; CurrentUser: User) through X509Store. MailTls's roots carry the
    /// friendly name "MailTls - &lt;subject CN&gt;", which the store keeps, so they are recognised from the store itself.
    /// Adding to CurrentUser\Root makes Windows show a confirmation dialog; LocalMachine needs an elevated session.
    /// </summary>
#if NET
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
    public sealed class WindowsTrustStore : ITrustStore
    {
        private const string FriendlyPrefix = "MailTls - ";
        private readonly StoreLocation _location;

        /// <summary>The Root store of <paramref name="location"/>.</summary>
        public WindowsTrustStore(StoreLocation location) => _location = location;

        /// <inheritdoc />
        public string Name => _location == StoreLocation.LocalMachine ? "System" : "User";

        /// <inheritdoc />
        public string Location => $@"Cert:\{_location}\Root";

        /// <inheritdoc />
        public Task<IReadOnlyList<MailRootCaEntry>> ListAsync(CancellationToken cancellationToken)
        {
            using var store = Open(OpenFlags.ReadOnly);
            IReadOnlyList<MailRootCaEntry> entries = store.Certificates.Cast<X509Certificate2>()
                .Where(c => c.FriendlyName.StartsWith(FriendlyPrefix, StringComparison.Ordinal))
                .Select(c => new MailRootCaEntry(Name, Location + "\\" + c.Thumbprint, c, CertificateEvaluator.Sha256Hex(c.RawData)))
                .ToArray();
            return Task.FromResult(entries);
        }

        /// <inheritdoc />
        public Task<StoreChange> AddAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            using var store = Open(OpenFlags.ReadWrite);
            if (store.Certificates.Find(X509FindType.FindByThumbprint, certificate.Thumbprint, validOnly: false).Count > 0)
            {
                return Task.FromResult(StoreChange.AlreadyDone);
            }

            // A copy without any key material, named so MailTls can find its own entries again.
            var copy = X509CertificateLoader.LoadCertificate(certificate.RawData);
            copy.FriendlyName = FriendlyPrefix + certificate.GetNameInfo(X509NameType.SimpleName, false);
            store.Add(copy);
            if (store.Certificates.Find(X509FindType.FindByThumbprint, certificate.Thumbprint, validOnly: false).Count == 0)
            {
                throw new TrustStoreException("StoreUpdateUnverified", Location, $"The certificate was added to {Location} but is not found there.");
            }

            return Task.FromResult(StoreChange.Done);
        }

        /// <inheritdoc />
        public Task<StoreChange> RemoveAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            using var store = Open(OpenFlags.ReadWrite);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, certificate.Thumbprint, validOnly: false)
                .Cast<X509Certificate2>().Where(c => c.FriendlyName.StartsWith(FriendlyPrefix, StringComparison.Ordinal)).ToArray();
            if (found.Length == 0)
            {
                return Task.FromResult(StoreChange.AlreadyDone);
            }

            var backups = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "MailTls", "backups");
            Directory.CreateDirectory(backups);
            foreach (var entry in found)
            {
                File.WriteAllBytes(Path.Combine(backups, $"{entry.Thumbprint}.{DateTime.UtcNow:yyyyMMddTHHmmssZ}.cer"), entry.RawData);
                store.Remove(entry);
            }

            return Task.FromResult(StoreChange.Done);
        }

        private X509Store Open(OpenFlags flags)
        {
            var store = new X509Store(StoreName.Root, _location);
            store.Open(flags | OpenFlags.OpenExistingOnly);
            return store;
        }
    }
}
