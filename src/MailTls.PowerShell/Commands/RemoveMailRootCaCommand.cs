using System;
using System.Linq;
using System.Management.Automation;
using MailTls.Trust;

namespace MailTls.PowerShell.Commands
{
    /// <summary>Removes root certificates MailTls placed in trust stores (from Get-MailRootCa, or by fingerprint).</summary>
    [Cmdlet(VerbsCommon.Remove, "MailRootCa", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(MailRootCaChange))]
    public sealed class RemoveMailRootCaCommand : TrustCmdlet
    {
        /// <summary>The SHA-256 (or SHA-1) fingerprint of the root to remove.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Thumbprint")]
        public string Sha256Fingerprint { get; set; } = string.Empty;

        /// <summary>The store it is in (from Get-MailRootCa); default: every store MailTls manages here.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public TrustStoreName[]? Store { get; set; }

        /// <summary>Emit one record per store saying what was done.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (!RootCaCandidate.IsFingerprint(Sha256Fingerprint))
            {
                WriteError(CmdletInput.Record(new ArgumentException(Sha256Fingerprint), "FingerprintInvalid", ErrorCategory.InvalidArgument, Sha256Fingerprint,
                    $"'{Sha256Fingerprint}' is not a certificate fingerprint. Give the SHA-256 (64 hex digits) or SHA-1 (40) fingerprint, as Get-MailRootCa shows it."));
                return;
            }

            var quiet = Store == null;
            var found = false;
            foreach (var store in OpenStores(Store ?? TrustStores.All, quiet))
            {
                try
                {
                    var entry = Wait(store.ListAsync(Cancellation)).FirstOrDefault(e => RootCaCandidate.Matches(e.Certificate, Sha256Fingerprint));
                    if (entry == null)
                    {
                        continue;
                    }

                    found = true;
                    if (store is NssTrustStore && TrustStores.IsProfileInUse(store.Location))
                    {
                        WriteProfileLocked(store.Location);
                        continue;
                    }

                    if (!ShouldProcess($"{store.Name} store '{store.Location}'", $"Stop trusting '{entry.Subject}' (SHA-256 {RootCaCandidate.DisplayFingerprint(entry.Certificate)})"))
                    {
                        continue;
                    }

                    var change = WaitToEnd(store.RemoveAsync(entry.Certificate, Cancellation));
                    if (store is ThunderbirdPolicyStore && change == StoreChange.Done)
                    {
                        WriteWarning($"Thunderbird no longer installs '{entry.Subject}', but profiles that started with the policy keep it in their own certificate database (cert9.db): remove it there in Thunderbird's certificate manager.");
                    }

                    if (PassThru)
                    {
                        WriteObject(new MailRootCaChange(store.Name, store.Location, entry.Subject, entry.Sha256Fingerprint, change == StoreChange.Done ? "Removed" : "AlreadyAbsent"));
                    }
                }
                catch (TrustStoreException ex)
                {
                    WriteStoreError(ex);
                }
                catch (UnauthorizedAccessException ex)
                {
                    WritePermissionError(ex, store);
                }
            }

            if (!found && PassThru)
            {
                // Idempotent: asking to remove what is not there is no error.
                WriteObject(new MailRootCaChange(string.Join(",", (Store ?? Array.Empty<TrustStoreName>()).Select(s => s.ToString())), string.Empty, string.Empty,
                    Sha256Fingerprint, "AlreadyAbsent"));
            }
        }
    }
}
