using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Trust
{
    /// <summary>What a change to a store did.</summary>
    public enum StoreChange
    {
        /// <summary>The certificate was added (or removed).</summary>
        Done,

        /// <summary>Nothing to do: it was already there (or already gone).</summary>
        AlreadyDone,
    }

    /// <summary>
    /// One trust store, driven with its own tool. Only what MailTls placed is listed or removed, recognised from the
    /// store itself (a file name, an NSS nickname), never from a ledger kept elsewhere.
    /// </summary>
    public interface ITrustStore
    {
        /// <summary>System, User, Nss or Thunderbird.</summary>
        string Name { get; }

        /// <summary>Where the store is (a folder, an NSS database).</summary>
        string Location { get; }

        /// <summary>The roots MailTls placed in this store.</summary>
        Task<IReadOnlyList<MailRootCaEntry>> ListAsync(CancellationToken cancellationToken);

        /// <summary>Adds a root; idempotent.</summary>
        /// <exception cref="TrustStoreException">The store could not be changed; it is as it was.</exception>
        Task<StoreChange> AddAsync(X509Certificate2 certificate, CancellationToken cancellationToken);

        /// <summary>Removes a root MailTls placed; idempotent.</summary>
        /// <exception cref="TrustStoreException">The store could not be changed; it is as it was.</exception>
        Task<StoreChange> RemoveAsync(X509Certificate2 certificate, CancellationToken cancellationToken);
    }
}
