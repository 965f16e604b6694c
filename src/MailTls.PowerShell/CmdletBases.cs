using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Trust;

namespace MailTls.PowerShell
{
    /// <summary>A cmdlet that waits on the core: Ctrl+C (StopProcessing) cancels, and a cancelled wait ends the pipeline as a stop.</summary>
    public abstract class AsyncCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();

        /// <summary>Stops what is running (Ctrl+C).</summary>
        protected CancellationToken Cancellation => _cts.Token;

        /// <inheritdoc />
        protected override void StopProcessing() => _cts.Cancel();

        /// <inheritdoc />
        /// <remarks>
        /// Work still in flight (after Ctrl+C) ends on the cancelled token. The source is left to the garbage collector:
        /// that work may still touch it while it unwinds.
        /// </remarks>
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

            return Result(task);
        }

        /// <summary>The task's result; the core giving up on Ctrl+C ends the pipeline as a stop, not as an error.</summary>
        protected T Result<T>(Task<T> task)
        {
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_cts.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }
    }

    /// <summary>What the trust-store cmdlets share: opening stores, waiting on the core with Ctrl+C, store errors.</summary>
    public abstract class TrustCmdlet : AsyncCmdlet
    {
        /// <summary>Profile folders (NSS databases) for -Store Nss and for exemptions; none: the ones found in your home.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsNull]
        public string[]? ProfilePath { get; set; }

        /// <summary>Thunderbird's policies.json for -Store Thunderbird; none: the one Thunderbird reads on this machine.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsNull]
        public string? PolicyPath { get; set; }

        /// <summary>The macOS keychain for -Store System or User; none: the System keychain or the login keychain.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsNull]
        public string? KeychainPath { get; set; }

        /// <summary>
        /// Waits for a store change to finish even on Ctrl+C: stopping a store's tool half-way would leave the store
        /// half-written. The stop is honoured as soon as the change (and its check or rollback) is done.
        /// </summary>
        protected T WaitToEnd<T>(Task<T> task)
        {
            var result = Result(task);
            if (Stopping)
            {
                throw new PipelineStoppedException();
            }

            return result;
        }

        /// <summary>The mail client has the profile open: nothing is changed there.</summary>
        protected void WriteProfileLocked(string profile) =>
            WriteError(CmdletInput.Record(new System.IO.IOException("profile in use"), "ProfileLocked", ErrorCategory.ResourceUnavailable, profile,
                $"The profile '{profile}' is open in a mail client (it has a lock). Exit Thunderbird (or SeaMonkey, Firefox) and run the command again: the client rewrites its settings on exit."));

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
            var selection = new StoreSelection
            {
                ProfilePaths = ResolvedProfiles(),
                PolicyPath = PolicyPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PolicyPath),
                KeychainPath = KeychainPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(KeychainPath),
            };
            foreach (var name in names)
            {
                try
                {
                    stores.AddRange(TrustStores.Open(name, selection));
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
                "ToolTimedOut" => ErrorCategory.OperationTimeout,
                "StoreConflict" => ErrorCategory.ResourceExists,
                "StorePermissionDenied" => ErrorCategory.PermissionDenied,
                "PolicyFileInvalid" => ErrorCategory.InvalidData,
                _ => ErrorCategory.WriteError,
            };
            WriteError(CmdletInput.Record(ex, ex.ErrorId, category, ex.Target, ex.Message));
        }

        /// <summary>No permission to change a store: say how to run it.</summary>
        protected void WritePermissionError(Exception ex, ITrustStore store) =>
            WriteError(CmdletInput.Record(ex, "StorePermissionDenied", ErrorCategory.PermissionDenied, store.Location,
                $"Changing the {store.Name} store at '{store.Location}' needs administrator rights: run PowerShell as root (sudo pwsh) or as Administrator. ({ex.Message})"));
    }
}
