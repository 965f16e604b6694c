using System;
using System.IO;
using System.Management.Automation;
using MailTls.Reports;

namespace MailTls.PowerShell.Commands
{
    /// <summary>
    /// Writes endpoint reports to a file an auditor or a CI system reads (CSV, JSON, JUnit), as they come down the
    /// pipeline. The file appears whole at the end (temporary file, then one rename); a run stopped with Ctrl+C still
    /// leaves a valid file with every report finished so far.
    /// </summary>
    [Cmdlet(VerbsData.Export, "MailTlsReport", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportMailTlsReportCommand : PSCmdlet, IDisposable
    {
        private ReportWriter? _writer;
        private Verdict _worst = Verdict.Pass;
        private bool _failed;

        /// <summary>A report from Test-MailEndpoint, live or deserialized (Import-Clixml, Invoke-Command).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>The file to write.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("FilePath")]
        public string Path { get; set; } = string.Empty;

        /// <summary>Csv, Json, JsonLines, JUnit or Html; default: from the extension (.csv, .json, .jsonl, .xml, .html).</summary>
        [Parameter]
        public ReportFormat? Format { get; set; }

        /// <summary>Refuse to replace an existing file.</summary>
        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        /// <summary>After the file is written, end with a terminating error if any verdict is at or above this one.</summary>
        [Parameter]
        [ValidateSet("Warn", "Fail")]
        public string? FailOn { get; set; }

        /// <summary>Emit the file written.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            var format = Format ?? ReportWriter.FormatOf(path);
            if (format == null)
            {
                Fail(new ArgumentException(Path), "ReportFormatUnknown", ErrorCategory.InvalidArgument,
                    $"'{Path}' does not say which format to write: name it .csv, .json, .jsonl, .xml (JUnit) or .html, or add -Format Csv|Json|JsonLines|JUnit|Html.");
                return;
            }

            if (NoClobber && File.Exists(path))
            {
                Fail(new IOException(path), "ReportExists", ErrorCategory.ResourceExists, $"'{path}' exists and -NoClobber was given: choose another name, or leave out -NoClobber to replace it.");
                return;
            }

            if (!Directory.Exists(System.IO.Path.GetDirectoryName(path)))
            {
                Fail(new DirectoryNotFoundException(path), "ReportFolderNotFound", ErrorCategory.ObjectNotFound, $"The folder of '{path}' does not exist: create it first, or write the report elsewhere.");
                return;
            }

            if (!ShouldProcess(path, $"Write a {format} report"))
            {
                _failed = true;
                return;
            }

            try
            {
                _writer = ReportWriter.Create(format.Value, path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                Fail(ex, "ReportUnwritable", ErrorCategory.WriteError, $"'{path}' cannot be written: {ex.Message}");
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (_writer == null || InputObject == null)
            {
                return;
            }

            var record = CmdletInput.ReadReport(this, InputObject);
            if (record == null)
            {
                return;
            }

            _writer.Write(record);
            if (Enum.TryParse<Verdict>(record.Verdict, out var verdict) && verdict > _worst)
            {
                _worst = verdict;
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (_writer == null)
            {
                return;
            }

            var count = _writer.Count;
            var path = _writer.Path;
            var failure = TryComplete();
            if (failure != null)
            {
                WriteError(CmdletInput.Record(failure, "ReportUnwritable", ErrorCategory.WriteError, path, $"'{path}' could not be completed: {failure.Message}. The old file, if any, is as it was."));
                return;
            }

            WriteVerbose($"Wrote {count} report(s) to '{path}'.");
            if (PassThru)
            {
                WriteObject(new FileInfo(path));
            }

            VerdictThreshold.ThrowIfReached(FailOn, _worst, count);
        }

        /// <summary>Ctrl+C or an error upstream: the reports finished so far still make a valid file.</summary>
        public void Dispose()
        {
            if (_writer != null && !_failed)
            {
                // No pipeline is left to report a failure on: the old file, if any, stays as it was.
                TryComplete();
            }

            _writer?.Dispose();
        }

        /// <summary>Completes the file; says why it could not be (it is then left as it was).</summary>
        private Exception? TryComplete()
        {
            try
            {
                _writer!.Complete();
                return null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                _failed = true;
                return ex;
            }
        }

        private void Fail(Exception exception, string errorId, ErrorCategory category, string message)
        {
            _failed = true;
            WriteError(CmdletInput.Record(exception, errorId, category, Path, message));
        }
    }
}
