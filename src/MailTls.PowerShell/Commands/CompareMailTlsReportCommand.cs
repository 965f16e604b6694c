using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
        private int _compared;

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
            var reference = ParameterSetName == ByPath ? ReadFile(ReferencePath, "Reference").ToList() : ReadObjects(ReferenceObject);
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

            var record = CmdletInput.ReadReport(this, DifferenceObject);
            if (record != null)
            {
                Emit(_comparer!.Compare(record));
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

            if (_compared == 0 && _comparer!.ReferenceCount > 0)
            {
                WriteWarning("No report of this run came in (the command before this one may have failed), so every endpoint of the reference is listed as Removed.");
            }

            foreach (var removed in _comparer!.Removed())
            {
                WriteObject(removed);
            }
        }

        private void Emit(ReportChange change)
        {
            _compared++; // unchanged ones count as compared, shown or not
            if (change.Change != ReportChangeKind.Unchanged || IncludeEqual)
            {
                WriteObject(change);
            }
        }

        /// <summary>A report file's records as they are read; a file that cannot be read stops the command, naming it.</summary>
        private IEnumerable<ReportRecord> ReadFile(string path, string which)
        {
            var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            IEnumerator<ReportRecord>? records = null;
            try
            {
                records = ReportComparer.ReadFile(resolved).GetEnumerator();
            }
            catch (Exception ex)
            {
                Stop(ex, path, which);
            }

            using (records)
            {
                while (true)
                {
                    ReportRecord record;
                    try
                    {
                        if (!records!.MoveNext())
                        {
                            yield break;
                        }

                        record = records.Current;
                    }
                    catch (Exception ex)
                    {
                        Stop(ex, path, which);
                        yield break;
                    }

                    yield return record;
                }
            }
        }

        private void Stop(Exception ex, string path, string which)
        {
            switch (ex)
            {
                case FileNotFoundException _:
                case DirectoryNotFoundException _:
                    ThrowTerminatingError(CmdletInput.Record(ex, which + "NotFound", ErrorCategory.ObjectNotFound, path,
                        $"The report '{path}' does not exist. Give the JSON file an earlier run wrote (Export-MailTlsReport run.json)."));
                    break;
                case InvalidDataException _:
                    ThrowTerminatingError(CmdletInput.Record(ex, which + "Unreadable", ErrorCategory.InvalidData, path,
                        $"{ex.Message} Compare reads the JSON (or JSON lines) reports of Export-MailTlsReport; for CliXml files use -ReferenceObject (Import-Clixml file)."));
                    break;
                case IOException _:
                case UnauthorizedAccessException _:
                    ThrowTerminatingError(CmdletInput.Record(ex, which + "Unreadable", ErrorCategory.ReadError, path, $"The report '{path}' cannot be read: {ex.Message}"));
                    break;
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex).Throw(); // not a file problem: a defect, as it is
        }

        private List<ReportRecord> ReadObjects(IEnumerable<PSObject> items)
        {
            var records = new List<ReportRecord>();
            foreach (var item in items)
            {
                var record = CmdletInput.ReadReport(this, item);
                if (record != null)
                {
                    records.Add(record);
                }
            }

            return records;
        }
    }
}
