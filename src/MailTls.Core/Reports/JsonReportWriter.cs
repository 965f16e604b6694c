using System.Text.Json;

namespace MailTls.Reports
{
    /// <summary>
    /// A JSON array of reports, each with its findings, streamed with Utf8JsonWriter; or JSON lines, one report per
    /// line, the form shards of a fleet scan write and merge by concatenation.
    /// </summary>
    public sealed class JsonReportWriter : ReportWriter
    {
        private readonly Utf8JsonWriter _json;
        private readonly bool _lines;

        /// <summary>A JSON report that will replace <paramref name="path"/>.</summary>
        /// <param name="path">The file.</param>
        /// <param name="lines">One compact object per line instead of an indented array.</param>
        public JsonReportWriter(string path, bool lines = false)
            : base(path)
        {
            _lines = lines;
            // Lines are separate top-level values, which the writer's validation would refuse.
            _json = new Utf8JsonWriter(Stream, new JsonWriterOptions { Indented = !lines, SkipValidation = lines });
            if (!lines)
            {
                _json.WriteStartArray();
            }
        }

        /// <inheritdoc />
        protected override void WriteRecord(ReportRecord record)
        {
            _json.WriteStartObject();
            foreach (var column in ReportRecord.Columns)
            {
                switch (column)
                {
                    case "Port":
                        _json.WriteNumber(column, record.Port);
                        break;
                    case "DurationMs":
                        _json.WriteNumber(column, record.DurationMs);
                        break;
                    case "Attempts":
                        _json.WriteNumber(column, record.Attempts);
                        break;
                    case "DaysToExpiry":
                        Number(column, record.DaysToExpiry);
                        break;
                    case "KeySize":
                        Number(column, record.KeySize);
                        break;
                    case "StartTlsOffered":
                        Flag(column, record.StartTlsOffered);
                        break;
                    case "ChainTrusted":
                        Flag(column, record.ChainTrusted);
                        break;
                    case "NameMatches":
                        Flag(column, record.NameMatches);
                        break;
                    case "AcceptedTlsVersions":
                        _json.WriteStartArray(column);
                        foreach (var version in record.AcceptedTlsVersions)
                        {
                            _json.WriteStringValue(version);
                        }

                        _json.WriteEndArray();
                        break;
                    case "FindingIds":
                        break;
                    case "Findings":
                        _json.WriteStartArray(column);
                        foreach (var finding in record.Findings)
                        {
                            _json.WriteStartObject();
                            _json.WriteString("Id", finding.Id);
                            _json.WriteString("Name", finding.Name);
                            _json.WriteString("Severity", finding.Severity.ToString());
                            _json.WriteString("Message", finding.Message);
                            _json.WriteString("Remediation", finding.Remediation);
                            _json.WriteEndObject();
                        }

                        _json.WriteEndArray();
                        break;
                    default:
                        var value = record.Column(column);
                        if (value == null)
                        {
                            _json.WriteNull(column);
                        }
                        else
                        {
                            _json.WriteString(column, value);
                        }

                        break;
                }
            }

            _json.WriteEndObject();

            // Out of memory as it comes: the writer's buffer holds one report at most.
            _json.Flush();
            if (_lines)
            {
                Stream.WriteByte((byte)'\n');
                _json.Reset();
            }
        }

        // Numbers and flags as JSON numbers and booleans (null where the probe did not get that far).
        private void Number(string column, int? value)
        {
            if (value.HasValue)
            {
                _json.WriteNumber(column, value.Value);
            }
            else
            {
                _json.WriteNull(column);
            }
        }

        private void Flag(string column, bool? value)
        {
            if (value.HasValue)
            {
                _json.WriteBoolean(column, value.Value);
            }
            else
            {
                _json.WriteNull(column);
            }
        }

        /// <inheritdoc />
        protected override void Finish()
        {
            if (!_lines)
            {
                _json.WriteEndArray();
                _json.Flush();
                Stream.WriteByte((byte)'\n');
            }
        }
    }
}
