using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace MailTls.Reports
{
    /// <summary>
    /// One self-contained HTML page for an auditor: totals by verdict, a chart of verdicts and one of certificate
    /// expiry over the next 90 days, a sortable table and each endpoint's findings with their remedies. It loads
    /// nothing (a Content-Security-Policy forbids any request), and every piece of report text, much of it sent by the
    /// servers, is HTML-escaped. The table rows and details stream into scratch files and go under the totals and
    /// charts at the end, so memory stays flat however many reports come.
    /// </summary>
    public sealed class HtmlReportWriter : ReportWriter
    {
        private static readonly string[] Verdicts = { "Pass", "Warn", "Fail", "Error" };
        private static readonly string[] ExpiryBuckets = { "expired", "0-6", "7-13", "14-20", "21-27", "28-34", "35-41", "42-48", "49-55", "56-62", "63-69", "70-76", "77-83", "84-90" };

        private readonly FileStream _rowsFile;
        private readonly FileStream _detailsFile;
        private readonly StreamWriter _rows;
        private readonly StreamWriter _details;
        private readonly DateTime _written = DateTime.UtcNow;
        private readonly Dictionary<string, int> _verdicts = Verdicts.ToDictionary(v => v, _ => 0);
        private readonly int[] _expiry = new int[ExpiryBuckets.Length];

        /// <summary>An HTML report that will replace <paramref name="path"/>.</summary>
        public HtmlReportWriter(string path)
            : base(path)
        {
            try
            {
                _rowsFile = CreateScratch(".rows");
                _detailsFile = CreateScratch(".details");
            }
            catch
            {
                _rowsFile?.Dispose();
                Dispose(); // the temporary report goes too
                throw;
            }

            _rows = new StreamWriter(_rowsFile, Utf8, 65536, leaveOpen: true);
            _details = new StreamWriter(_detailsFile, Utf8, 65536, leaveOpen: true);
        }

        /// <inheritdoc />
        protected override void Abandon()
        {
            // Disposed before they were made when the constructor failed.
            _rows?.Dispose();
            _details?.Dispose();
            _rowsFile?.Dispose();
            _detailsFile?.Dispose();
        }

        /// <inheritdoc />
        protected override void WriteRecord(ReportRecord record)
        {
            var id = "e" + (Count + 1).ToString(CultureInfo.InvariantCulture);
            var verdict = Verdicts.Contains(record.Verdict) ? record.Verdict : "Error";
            _verdicts[verdict]++;
            if (record.DaysToExpiry is int days && days <= 90)
            {
                _expiry[days < 0 ? 0 : 1 + (days / 7)]++;
            }

            var worst = record.Findings.OrderByDescending(f => f.Severity).FirstOrDefault();
            _rows.Write($"<tr class=\"{verdict}\">");
            Cell(_rows, $"<a href=\"#{id}\">{Html(record.Endpoint)}</a>", record.Endpoint, raw: true);
            Cell(_rows, record.Protocol);
            Cell(_rows, record.Security);
            Cell(_rows, $"<span class=\"verdict {verdict}\">{verdict}</span>", Array.IndexOf(Verdicts, verdict).ToString(CultureInfo.InvariantCulture), raw: true);
            Cell(_rows, record.TlsVersion ?? string.Empty);
            Cell(_rows, Flag(record.ChainTrusted));
            Cell(_rows, record.DaysToExpiry?.ToString(CultureInfo.InvariantCulture) ?? string.Empty, record.DaysToExpiry?.ToString(CultureInfo.InvariantCulture) ?? "99999");
            Cell(_rows, record.Findings.Count.ToString(CultureInfo.InvariantCulture));
            Cell(_rows, worst == null ? string.Empty : $"{worst.Id} {worst.Name}");
            _rows.WriteLine("</tr>");

            _details.WriteLine($"<details id=\"{id}\" class=\"{verdict}\"><summary>{Html(record.Endpoint)} {Html(record.Protocol)} {Html(record.Security)}: <span class=\"verdict {verdict}\">{verdict}</span></summary>");
            _details.Write("<dl>");
            Fact("Address", record.IPAddress);
            Fact("Policy", record.Policy);
            Fact("TLS", record.TlsVersion == null ? null : $"{record.TlsVersion} {record.CipherSuite}");
            Fact("Accepted TLS versions", record.AcceptedTlsVersions.Count == 0 ? null : string.Join(", ", record.AcceptedTlsVersions));
            Fact("Subject", record.Subject);
            Fact("Issuer", record.Issuer);
            Fact("Names", record.SubjectAlternativeNames);
            Fact("Valid", record.NotAfter == null ? null : $"{Date(record.NotBefore)} to {Date(record.NotAfter)} ({record.DaysToExpiry} days left)");
            Fact("Chain trusted", Flag(record.ChainTrusted));
            Fact("Name matches", Flag(record.NameMatches));
            Fact("Key", record.KeyAlgorithm == null ? null : $"{record.KeyAlgorithm} {record.KeySize} bits, signed {record.SignatureAlgorithm}");
            Fact("SHA-256", record.Sha256Fingerprint);
            _details.WriteLine("</dl>");
            if (record.Findings.Count == 0)
            {
                _details.WriteLine("<p>No findings.</p>");
            }
            else
            {
                _details.WriteLine("<table class=\"findings\"><thead><tr><th>Id</th><th>Severity</th><th>Finding</th><th>Remediation</th></tr></thead><tbody>");
                foreach (var finding in record.Findings)
                {
                    _details.WriteLine($"<tr class=\"{finding.Severity}\"><td>{Html(finding.Id)} {Html(finding.Name)}</td><td>{finding.Severity}</td><td>{Html(finding.Message)}</td><td>{Html(finding.Remediation)}</td></tr>");
                }

                _details.WriteLine("</tbody></table>");
            }

            _details.WriteLine("</details>");
        }

        /// <inheritdoc />
        protected override void Finish()
        {
            _rows.Flush();
            _details.Flush();
            using (var page = new StreamWriter(Stream, Utf8, 65536, leaveOpen: true))
            {
                page.WriteLine("<!DOCTYPE html>");
                page.WriteLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
                // Nothing may be fetched: no scripts, styles, images or fonts from anywhere but this file.
                page.WriteLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">");
                page.WriteLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
                page.WriteLine($"<title>MailTls report, {Count} endpoints, {Date(_written)}</title>");
                page.WriteLine("<style>" + Style + "</style></head><body>");
                page.WriteLine($"<h1>MailTls report</h1><p class=\"meta\">{Count} endpoints, written {_written.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC on {Html(Environment.MachineName)}.</p>");
                page.Write("<section id=\"summary\">");
                page.Write($"<div class=\"count total\"><span id=\"count-Total\">{Count}</span> endpoints</div>");
                foreach (var verdict in Verdicts)
                {
                    page.Write($"<div class=\"count {verdict}\"><span id=\"count-{verdict}\">{_verdicts[verdict]}</span> {verdict}</div>");
                }

                page.WriteLine("</section>");
                page.WriteLine("<section class=\"charts\">");
                Chart(page, "verdict-chart", "Verdicts", Verdicts, Verdicts.Select(v => _verdicts[v]).ToArray(), Verdicts);
                Chart(page, "expiry-chart", "Certificates expiring in the next 90 days (days left)", ExpiryBuckets, _expiry, ExpiryBuckets.Select((_, i) => i == 0 ? "Error" : i < 5 ? "Fail" : "Warn").ToArray());
                page.WriteLine("</section>");
                page.WriteLine("<h2>Endpoints</h2><p class=\"hint\">Select a column heading to sort; select an endpoint for its findings.</p>");
                page.WriteLine("<table id=\"endpoints\"><thead><tr>"
                    + string.Concat(new[] { "Endpoint", "Protocol", "Security", "Verdict", "TLS", "Trusted", "Days to expiry", "Findings", "Worst finding" }
                        .Select((h, i) => $"<th data-column=\"{i}\" data-type=\"{(i == 3 || i == 6 || i == 7 ? "number" : "text")}\">{h}</th>"))
                    + "</tr></thead><tbody>");
                page.Flush();
                _rowsFile.Position = 0;
                _rowsFile.CopyTo(Stream);
                page.WriteLine("</tbody></table>");
                page.WriteLine("<h2>Details</h2>");
                page.Flush();
                _detailsFile.Position = 0;
                _detailsFile.CopyTo(Stream);
                page.WriteLine("<script>" + Script + "</script>");
                page.WriteLine("</body></html>");
            }

            _rows.Dispose();
            _details.Dispose();
            _rowsFile.Dispose();
            _detailsFile.Dispose();
        }

        private static void Cell(TextWriter writer, string text, string? sortKey = null, bool raw = false) =>
            writer.Write($"<td data-sort=\"{Html(sortKey ?? text)}\">{(raw ? text : Html(text))}</td>");

        private void Fact(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                _details.Write($"<dt>{name}</dt><dd>{Html(value!)}</dd>");
            }
        }

        /// <summary>A bar chart as inline SVG: each bar carries its label and count, for people and for tests.</summary>
        private static void Chart(TextWriter page, string id, string title, IReadOnlyList<string> labels, IReadOnlyList<int> counts, IReadOnlyList<string> classes)
        {
            const int Height = 120;
            const int Bar = 40;
            const int Left = 12; // room for the first label, which is wider than its bar
            var max = Math.Max(1, counts.Max());
            var width = Left + (labels.Count * (Bar + 8));
            page.WriteLine($"<figure><figcaption>{Html(title)}</figcaption><svg id=\"{id}\" role=\"img\" aria-label=\"{Html(title)}\" width=\"{width}\" height=\"{Height + 40}\" viewBox=\"0 0 {width} {Height + 40}\">");
            for (var i = 0; i < labels.Count; i++)
            {
                var height = counts[i] == 0 ? 0 : Math.Max(2, counts[i] * Height / max);
                var x = Left + (i * (Bar + 8));
                page.WriteLine($"<g class=\"bar {classes[i]}\" data-label=\"{Html(labels[i])}\" data-count=\"{counts[i]}\"><title>{Html(labels[i])}: {counts[i]}</title>"
                    + $"<rect x=\"{x}\" y=\"{Height - height + 14}\" width=\"{Bar}\" height=\"{height}\"></rect>"
                    + $"<text x=\"{x + (Bar / 2)}\" y=\"{Height - height + 10}\" text-anchor=\"middle\">{counts[i]}</text>"
                    + $"<text x=\"{x + (Bar / 2)}\" y=\"{Height + 30}\" text-anchor=\"middle\" class=\"label\">{Html(labels[i])}</text></g>");
            }

            page.WriteLine("</svg></figure>");
        }

        private static string Flag(bool? value) => value == null ? string.Empty : value.Value ? "yes" : "no";

        private static string Date(DateTime? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? string.Empty;

        /// <summary>Text as HTML: markup characters escaped, and characters no page should hold (controls) replaced.</summary>
        private static string Html(string text)
        {
            var clean = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                clean.Append(char.IsControl(c) && c != '\n' && c != '\t' ? '\uFFFD' : c);
            }

            return WebUtility.HtmlEncode(clean.ToString());
        }

        private const string Style =
            "body{font-family:system-ui,sans-serif;margin:2em;color:#222}h1{margin-bottom:0}.meta,.hint{color:#666}"
            + "#summary{display:flex;gap:1em;margin:1em 0}.count{padding:.6em 1em;border-radius:6px;background:#eee;font-size:1.1em}.count span{font-weight:bold;font-size:1.4em;margin-right:.3em}"
            + ".Pass{--c:#2e7d32}.Warn{--c:#f9a825}.Fail{--c:#c62828}.Error{--c:#6a1b9a}.count.Pass,.count.Warn,.count.Fail,.count.Error{border-left:6px solid var(--c)}"
            + ".charts{display:flex;gap:3em;flex-wrap:wrap}figure{margin:0}figcaption{font-weight:bold;margin-bottom:.5em}svg text{font-size:11px;fill:#333}.bar rect{fill:var(--c,#888)}"
            + "table{border-collapse:collapse;margin:.5em 0}th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}"
            + "#endpoints th{cursor:pointer;background:#f4f4f4;user-select:none}#endpoints th[aria-sort=ascending]::after{content:' \\25B2'}#endpoints th[aria-sort=descending]::after{content:' \\25BC'}"
            + ".verdict{font-weight:bold;color:var(--c)}details{margin:.4em 0;padding:.4em .8em;border-left:4px solid var(--c,#888);background:#fafafa}summary{cursor:pointer}"
            + "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{color:#666}dd{margin:0;word-break:break-all}"
            + ".findings tr.Failure td:nth-child(2){color:#c62828}.findings tr.Error td:nth-child(2){color:#6a1b9a}.findings tr.Warning td:nth-child(2){color:#b26a00}";

        // Sorting: a heading sorts by its cells' data-sort (numbers as numbers); the page's address can ask for an
        // order (#sort=<column>-asc|desc) so a sorted view can be shared and opened again.
        private const string Script =
            "(function(){var t=document.getElementById('endpoints');if(!t)return;var hs=t.tHead.rows[0].cells;"
            + "function sort(i,dir){var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),num=hs[i].getAttribute('data-type')==='number';"
            + "rows.sort(function(a,c){var x=a.cells[i].getAttribute('data-sort'),y=c.cells[i].getAttribute('data-sort');"
            + "var r=num?(parseFloat(x)-parseFloat(y)):x.localeCompare(y);return dir==='desc'?-r:r;});"
            + "rows.forEach(function(r){b.appendChild(r);});for(var k=0;k<hs.length;k++)hs[k].removeAttribute('aria-sort');"
            + "hs[i].setAttribute('aria-sort',dir==='desc'?'descending':'ascending');}"
            + "for(var i=0;i<hs.length;i++)(function(i){hs[i].addEventListener('click',function(){"
            + "sort(i,hs[i].getAttribute('aria-sort')==='ascending'?'desc':'asc');});})(i);"
            + "var m=/#sort=(\\d+)-(asc|desc)/.exec(location.hash);if(m&&hs[+m[1]])sort(+m[1],m[2]);})();";
    }
}
