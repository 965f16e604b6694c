using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace MailTls.Reports
{
    /// <summary>
    /// JUnit XML: one test case per endpoint (class MailTls.&lt;protocol&gt;), a Fail verdict as a failure, an Error
    /// verdict as an error, warnings in system-out. The totals head the file, so the test cases go to a scratch file
    /// first and are copied under the totals at the end: memory stays flat however many reports come.
    /// </summary>
    public sealed class JUnitReportWriter : ReportWriter
    {
        private static readonly XmlWriterSettings Fragment = new XmlWriterSettings { ConformanceLevel = ConformanceLevel.Fragment, Indent = true, Encoding = Utf8, CloseOutput = false };
        private readonly FileStream _cases;
        private readonly XmlWriter _xml;
        private readonly DateTime _started = DateTime.UtcNow;
        private int _failures;
        private int _errors;
        private long _milliseconds;

        /// <summary>A JUnit report that will replace <paramref name="path"/>.</summary>
        public JUnitReportWriter(string path)
            : base(path)
        {
            try
            {
                _cases = CreateScratch(".cases");
            }
            catch
            {
                Dispose(); // the temporary report goes too
                throw;
            }

            _xml = XmlWriter.Create(_cases, Fragment);
        }

        /// <inheritdoc />
        protected override void Abandon()
        {
            // Null when the constructor failed.
            _xml?.Dispose();
            _cases?.Dispose();
        }

        /// <inheritdoc />
        protected override void WriteRecord(ReportRecord record)
        {
            _milliseconds += record.DurationMs;
            _xml.WriteStartElement("testcase");
            _xml.WriteAttributeString("classname", "MailTls." + record.Protocol);
            _xml.WriteAttributeString("name", Safe($"{record.Endpoint} {record.Security}"));
            _xml.WriteAttributeString("time", Seconds(record.DurationMs));
            var problems = record.Findings.Where(f => f.Severity >= FindingSeverity.Failure).ToArray();
            if (record.Verdict == "Fail" || record.Verdict == "Error")
            {
                var error = record.Verdict == "Error";
                if (error)
                {
                    _errors++;
                }
                else
                {
                    _failures++;
                }

                var first = problems.FirstOrDefault();
                _xml.WriteStartElement(error ? "error" : "failure");
                _xml.WriteAttributeString("message", Safe(first == null ? record.Verdict : $"{first.Id} {first.Name}: {first.Message}"));
                _xml.WriteAttributeString("type", first?.Id ?? record.Verdict);
                _xml.WriteString(Safe(string.Join("\n", problems.Select(f => $"{f.Id} {f.Name} ({f.Severity}): {f.Message}\n  Remediation: {f.Remediation}"))));
                _xml.WriteEndElement();
            }

            var notes = record.Findings.Where(f => f.Severity < FindingSeverity.Failure).ToArray();
            if (notes.Length > 0)
            {
                _xml.WriteElementString("system-out", Safe(string.Join("\n", notes.Select(f => $"{f.Id} {f.Name} ({f.Severity}): {f.Message}"))));
            }

            _xml.WriteEndElement();
            _xml.Flush();
        }

        /// <inheritdoc />
        protected override void Finish()
        {
            _xml.Dispose();
            using (var head = XmlWriter.Create(Stream, new XmlWriterSettings { Indent = true, Encoding = Utf8, CloseOutput = false }))
            {
                head.WriteStartDocument();
                head.WriteStartElement("testsuites");
                Totals(head, suite: false);
                head.WriteStartElement("testsuite");
                Totals(head, suite: true);
                head.WriteAttributeString("timestamp", _started.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
                head.WriteAttributeString("hostname", Safe(Environment.MachineName));

                // The cases are already XML: copied in as they are, between the suite's tags.
                head.WriteString(string.Empty);
                head.Flush();
                _cases.Position = 0;
                _cases.CopyTo(Stream);
                head.WriteRaw("\n");
                head.WriteEndElement();
                head.WriteEndElement();
                head.WriteEndDocument();
            }

            _cases.Dispose();
        }

        /// <remarks>The attributes Jenkins' junit-4.xsd allows: <c>skipped</c> on a suite only, not on the suites around it.</remarks>
        private void Totals(XmlWriter writer, bool suite)
        {
            writer.WriteAttributeString("name", "MailTls");
            writer.WriteAttributeString("tests", Count.ToString(CultureInfo.InvariantCulture));
            writer.WriteAttributeString("failures", _failures.ToString(CultureInfo.InvariantCulture));
            writer.WriteAttributeString("errors", _errors.ToString(CultureInfo.InvariantCulture));
            if (suite)
            {
                writer.WriteAttributeString("skipped", "0");
            }

            writer.WriteAttributeString("time", Seconds(_milliseconds));
        }

        private static string Seconds(long milliseconds) => (milliseconds / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

        /// <summary>Server-provided text with the characters XML cannot hold replaced (a hostile banner must not break the file).</summary>
        private static string Safe(string text)
        {
            var builder = new StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                if (char.IsSurrogatePair(text, i))
                {
                    builder.Append(text, i++, 2);
                }
                else
                {
                    builder.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '\uFFFD');
                }
            }

            return builder.ToString();
        }
    }
}
