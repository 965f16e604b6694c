using System.IO;
using System.Linq;

namespace MailTls.Reports
{
    /// <summary>
    /// RFC 4180 CSV with a header row. Server-provided text that a spreadsheet would run as a formula (a cell starting
    /// with =, +, -, @, tab or CR) is prefixed with an apostrophe: an auditor opening the file runs nothing a server sent.
    /// </summary>
    public sealed class CsvReportWriter : ReportWriter
    {
        private static readonly string[] ServerText = { "Subject", "Issuer", "SubjectAlternativeNames", "Findings", "CipherSuite", "HostName" };
        private readonly StreamWriter _writer;

        /// <summary>A CSV report that will replace <paramref name="path"/>.</summary>
        public CsvReportWriter(string path)
            : base(path)
        {
            _writer = new StreamWriter(Stream, Utf8) { NewLine = "\r\n" };
            _writer.WriteLine(string.Join(",", ReportRecord.Columns.Select(Quote)));
        }

        /// <inheritdoc />
        protected override void WriteRecord(ReportRecord record) =>
            _writer.WriteLine(string.Join(",", ReportRecord.Columns.Select(c => Quote(Defuse(c, record.Column(c))))));

        /// <inheritdoc />
        protected override void Finish() => _writer.Flush();

        private static string? Defuse(string column, string? value) =>
            value != null && value.Length > 0 && ServerText.Contains(column) && "=+-@\t\r".IndexOf(value[0]) >= 0 ? "'" + value : value;

        private static string Quote(string? value) =>
            value == null ? string.Empty
            : value.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0 || value.Trim() != value ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
