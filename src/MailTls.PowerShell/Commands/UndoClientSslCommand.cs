using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MailTls.Clients;

namespace MailTls.PowerShell.Commands
{
    /// <summary>Puts back the newest backup Set-ClientSsl took of a settings file (from a path, or piped change records).</summary>
    [Cmdlet(VerbsCommon.Undo, "ClientSsl", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ClientSslChange))]
    public sealed class UndoClientSslCommand : ClientCmdlet
    {
        private readonly HashSet<string> _done = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>The settings file or registry key (HKCU:\…) Set-ClientSsl changed (change records bind it by their ConfigPath).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ConfigPath", "FullName")]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Restore even while the client runs (it may then overwrite the restored file when it exits).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Emit one record per account setting the restore changed back.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (var given in Path)
            {
                var path = ResolveSettingsPath(given);
                if (_done.Add(path))
                {
                    Restore(path);
                }
            }
        }

        private void Restore(string path)
        {
            var backup = Engine.NewestBackup(path);
            if (backup != null && !ShouldProcess(path, ClientSslEngine.RegistryKeyPath(path) != null
                ? $"Restore the values saved in '{backup}' (the current values are kept in a .mailtls-undo-backup.reg)"
                : $"Restore the backup '{backup}' (the current file is kept as a .mailtls-undo-backup)"))
            {
                return;
            }

            try
            {
                var result = Engine.Undo(path, Force);
                WriteVerbose(result.Restored.Count == 0
                    ? $"'{path}' already has the content of its backup '{backup}': nothing to restore."
                    : $"Restored {string.Join(", ", result.Restored.Select(f => "'" + f + "'"))} from the backups of the same Set-ClientSsl run.");
                foreach (var change in result.Changes.Where(_ => PassThru))
                {
                    WriteObject(change);
                }
            }
            catch (ClientConfigException ex)
            {
                WriteClientError(ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                WriteAccessDenied(ex, path);
            }
        }
    }
}
