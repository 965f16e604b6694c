using System;
using System.IO;
using System.Text;
using MailTls.Files;

namespace MailTls.Reports
{
    /// <summary>
    /// Writes reports one at a time as they come (10,000 reports never sit in memory), to a temporary file beside the
    /// target that <see cref="Complete"/> closes validly and renames over it in one step: the target is either the old
    /// file or a whole report, never half of one. A run stopped early still completes what it has.
    /// </summary>
    public abstract class ReportWriter : IDisposable
    {
        private readonly string _temporary;
        private bool _ended;
        private bool _completed;

        /// <summary>A writer that will replace <paramref name="path"/>.</summary>
        protected ReportWriter(string path)
        {
            Path = System.IO.Path.GetFullPath(path);
            _temporary = AtomicFile.TemporaryBeside(Path);
            Stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        }

        /// <summary>The report file.</summary>
        public string Path { get; }

        /// <summary>How many reports were written.</summary>
        public int Count { get; private set; }

        /// <summary>The temporary file's stream.</summary>
        protected FileStream Stream { get; }

        /// <summary>UTF-8 without a byte order mark.</summary>
        protected static Encoding Utf8 { get; } = new UTF8Encoding(false);

        /// <summary>The writer for <paramref name="format"/>.</summary>
        public static ReportWriter Create(ReportFormat format, string path) => format switch
        {
            ReportFormat.Csv => new CsvReportWriter(path),
            ReportFormat.Json => new JsonReportWriter(path),
            ReportFormat.JsonLines => new JsonReportWriter(path, lines: true),
            ReportFormat.JUnit => new JUnitReportWriter(path),
            ReportFormat.Html => new HtmlReportWriter(path),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "No such format."),
        };

        /// <summary>The format a file name's extension means (.csv, .json, .xml), or null.</summary>
        public static ReportFormat? FormatOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => ReportFormat.Csv,
            ".json" => ReportFormat.Json,
            ".jsonl" or ".ndjson" => ReportFormat.JsonLines,
            ".xml" => ReportFormat.JUnit,
            ".html" or ".htm" => ReportFormat.Html,
            _ => null,
        };

        /// <summary>Writes one report.</summary>
        public void Write(ReportRecord record)
        {
            if (_ended)
            {
                throw new InvalidOperationException("The report is complete.");
            }

            WriteRecord(record);
            Count++;
        }

        /// <summary>Ends the file validly, flushes it to disk and renames it over the target.</summary>
        /// <remarks>If this fails (a full disk), the target stays as it was and <see cref="Dispose"/> removes the temporary file.</remarks>
        public void Complete()
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            Finish();
            Stream.Flush(flushToDisk: true);
            Stream.Dispose();
            AtomicFile.Rename(_temporary, Path);
            _completed = true;
        }

        /// <summary>Abandons the report unless it was completed: the target is left as it was, and no temporary file stays.</summary>
        public void Dispose()
        {
            if (!_completed)
            {
                _ended = true;
                _completed = true;
                Abandon();
                Stream.Dispose();
                File.Delete(_temporary);
            }

            GC.SuppressFinalize(this);
        }

        /// <summary>Closes what a format keeps besides the file (scratch files) when the report is abandoned.</summary>
        protected virtual void Abandon()
        {
        }

        /// <summary>
        /// A scratch file beside the report for parts that are written as reports come but belong below what is known
        /// only at the end (totals, charts); it deletes itself when closed.
        /// </summary>
        protected FileStream CreateScratch(string suffix) =>
            new FileStream(AtomicFile.TemporaryBeside(Path, suffix), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 65536, FileOptions.DeleteOnClose);

        /// <summary>Writes one report in this format.</summary>
        protected abstract void WriteRecord(ReportRecord record);

        /// <summary>Writes what closes the file (totals, closing brackets).</summary>
        protected abstract void Finish();
    }
}
