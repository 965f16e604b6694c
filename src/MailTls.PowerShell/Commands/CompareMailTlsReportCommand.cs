using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using MailTls.Reports;

namespace MailTls.PowerShell.Commands
{
    /// <summary>
    /// Lists what changed per endpoint since a reference run: verdict, TLS versions, certificate (thumbprint,
    /// expiry), trust and findings, so a runbook alerts on change, not on every run. The reference is a JSON report
    /// file (or JSON lines) or report objects; this run comes down the pipeline or from a file.
    /// </summary>
    [Cmdlet(VerbsData.Compare, "MailTlsReport", DefaultParameterSetName = ByPath)]
    [OutputType(typeof(ReportChange))]
    public sealed class CompareMailTlsReportCommand : PSCmdlet
    {
        private const string ByPath = "ReferencePath";
        private const string ByObject = "ReferenceObject";
        private ReportComparer? _comparer;
        private bool _piped;

        /// <summary>The reference run: a JSON report (Export-MailTlsReport -Format Json or JsonLines).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByPath)]
        public string ReferencePath { get; set; } = string.Empty;

        /// <summary>The reference run as report objects (Import-Clixml, an earlier Test-MailEndpoint, Invoke-Command).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ByObject)]
        public PSObject[] ReferenceObject { get; set; } = Array.Empty<PSObject>();

        /// <summary>This run: reports from the pipeline, live or deserialized.</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? DifferenceObject { get; set; }

        /// <summary>This run from a JSON report file instead of the pipeline.</summary>
        [Parameter(Position = 1)]
        public string? DifferencePath { get; set; }

        /// <summary>Also output the endpoints that did not change (Change = Unchanged).</summary>
        [Parameter]
        public SwitchParameter IncludeEqual { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            var reference = ParameterSetName == ByPath ? ReadFile(ReferencePath, "Reference") : ReadObjects(ReferenceObject);
            _comparer = new ReportComparer(reference);
            WriteVerbose($"The reference holds {_comparer.ReferenceCount} report(s).");
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (DifferenceObject == null)
            {
                return;
            }

            _piped = true;
            if (DifferencePath != null)
            {
                ThrowTerminatingError(CmdletInput.Record(new ArgumentException(DifferencePath), "DifferenceGivenTwice", ErrorCategory.InvalidArgument, DifferencePath,
                    "This run came both from -DifferencePath and from the pipeline: give one of them."));
            }

            if (TryRead(DifferenceObject, out var record))
            {
                Emit(_comparer!.Compare(record!));
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (DifferencePath != null && !_piped)
            {
                foreach (var record in ReadFile(DifferencePath, "Difference"))
                {
                    Emit(_comparer!.Compare(record));
                }
            }

            foreach (var removed in _comparer!.Removed())
            {
                WriteObject(removed);
            }
        }

        private void Emit(ReportChange change)
        {
            if (change.Change != ReportChangeKind.Unchanged || IncludeEqual)
            {
                WriteObject(change);
            }
        }

        private IReadOnlyList<ReportRecord> ReadFile(string path, string which)
        {
            var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            try
            {
                return ReportComparer.ReadFile(resolved);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                ThrowTerminatingError(CmdletInput.Record(ex, which + "NotFound", ErrorCategory.ObjectNotFound, path,
                    $"The report '{path}' does not exist. Give the JSON file an earlier run wrote (Export-MailTlsReport run.json)."));
            }
            catch (InvalidDataException ex)
            {
                ThrowTerminatingError(CmdletInput.Record(ex, which + "Unreadable", ErrorCategory.InvalidData, path,
                    $"{ex.Message} Compare reads the JSON (or JSON lines) reports of Export-MailTlsReport; for CliXml files use -ReferenceObject (Import-Clixml file)."));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(CmdletInput.Record(ex, which + "Unreadable", ErrorCategory.ReadError, path, $"The report '{path}' cannot be read: {ex.Message}"));
            }

            return Array.Empty<ReportRecord>(); // not reached: ThrowTerminatingError always throws
        }

        private List<ReportRecord> ReadObjects(IEnumerable<PSObject> items)
        {
            var records = new List<ReportRecord>();
            foreach (var item in items)
            {
                if (TryRead(item, out var record))
                {
                    records.Add(record!);
                }
            }

            return records;
        }

        private bool TryRead(PSObject item, out ReportRecord? record)
        {
            try
            {
                record = ReportRecord.Read(item, CmdletInput.PropertyOf);
                return true;
            }
            catch (FormatException ex)
            {
                WriteError(CmdletInput.Record(ex, "InputNotReport", ErrorCategory.InvalidType, item, ex.Message));
                record = null;
                return false;
            }
        }
    }
}
