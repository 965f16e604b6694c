using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Trust;

namespace MailTls.PowerShell
{
    /// <summary>What the trust-store cmdlets share: opening stores, waiting on the core with Ctrl+C, store errors.</summary>
    public abstract class TrustCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();

        /// <summary>Profile folders (NSS databases) for -Store Nss and for exemptions; none: the ones found in your home.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsNull]
        public string[]? ProfilePath { get; set; }

        /// <summary>Stops what is running (Ctrl+C).</summary>
        protected CancellationToken Cancellation => _cts.Token;

        /// <inheritdoc />
        protected override void StopProcessing() => _cts.Cancel();

        /// <inheritdoc />
        public void Dispose() => _cts.Cancel();

        /// <summary>Waits for the core, giving up at once on Ctrl+C.</summary>
        protected T Wait<T>(Task<T> task)
        {
            // WhenAny never throws, so the core's own exception (not an AggregateException) reaches the caller.
            Task.WhenAny(task, Task.Delay(Timeout.Infinite, _cts.Token)).GetAwaiter().GetResult();
            if (!task.IsCompleted)
            {
                throw new PipelineStoppedException();
            }

            return task.GetAwaiter().GetResult();
        }

        /// <summary>The profiles given, resolved to file-system paths.</summary>
        protected IReadOnlyList<string>? ResolvedProfiles()
        {
            if (ProfilePath == null)
            {
                return null;
            }

            var paths = new List<string>();
            foreach (var path in ProfilePath)
            {
                paths.Add(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
            }

            return paths;
        }

        /// <summary>Opens the named stores; one that is not available here is an error record (or skipped, when <paramref name="quiet"/>).</summary>
        protected IReadOnlyList<ITrustStore> OpenStores(IEnumerable<TrustStoreName> names, bool quiet = false)
        {
            var stores = new List<ITrustStore>();
            var profiles = ResolvedProfiles();
            foreach (var name in names)
            {
                try
                {
                    stores.AddRange(TrustStores.Open(name, profiles));
                }
                catch (TrustStoreException ex)
                {
                    if (!quiet)
                    {
                        WriteStoreError(ex);
                    }
                }
            }

            return stores;
        }

        /// <summary>A store that could not be changed, as an error record naming what to do.</summary>
        protected void WriteStoreError(TrustStoreException ex)
        {
            var category = ex.ErrorId switch
            {
                "StoreNotSupported" => ErrorCategory.NotImplemented,
                "StoreNotFound" or "ProfileNotFound" => ErrorCategory.ObjectNotFound,
                "ToolNotFound" => ErrorCategory.NotInstalled,
                _ => ErrorCategory.WriteError,
            };
            WriteError(CertificateInput.Record(ex, ex.ErrorId, category, ex.Target, ex.Message));
        }

        /// <summary>No permission to change a store: say how to run it.</summary>
        protected void WritePermissionError(Exception ex, ITrustStore store) =>
            WriteError(CertificateInput.Record(ex, "StorePermissionDenied", ErrorCategory.PermissionDenied, store.Location,
                $"Changing the {store.Name} store at '{store.Location}' needs administrator rights: run PowerShell as root (sudo pwsh) or as Administrator. ({ex.Message})"));
    }
}
