using System.Linq;
using System.Management.Automation;
using MailTls.Trust;

namespace MailTls.PowerShell.Commands
{
    /// <summary>Lists the root certificates MailTls placed in trust stores, as the stores themselves show them.</summary>
    [Cmdlet(VerbsCommon.Get, "MailRootCa")]
    [OutputType(typeof(MailRootCaEntry))]
    public sealed class GetMailRootCaCommand : TrustCmdlet
    {
        /// <summary>The stores to list (default: every store available on this machine).</summary>
        [Parameter(Position = 0)]
        public TrustStoreName[]? Store { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            // Without -Store, look wherever MailTls can manage a store here, quietly skipping what this machine lacks.
            var quiet = Store == null;
            var names = Store ?? TrustStores.All;
            foreach (var store in OpenStores(names, quiet).GroupBy(s => s.Name + "|" + s.Location).Select(g => g.First()))
            {
                try
                {
                    foreach (var entry in Wait(store.ListAsync(Cancellation)))
                    {
                        WriteObject(entry);
                    }
                }
                catch (TrustStoreException ex)
                {
                    WriteStoreError(ex);
                }
                catch (System.IO.InvalidDataException ex)
                {
                    // A damaged file in the store: say which, and go on with the other stores.
                    WriteError(CmdletInput.Record(ex, "StoreEntryInvalid", ErrorCategory.InvalidData, store.Location, ex.Message));
                }
            }
        }
    }
}
