namespace MailTls
{
    /// <summary>The file formats Export-MailTlsReport writes.</summary>
    public enum ReportFormat
    {
        /// <summary>Comma-separated values, one row per endpoint, flat columns (Import-Csv, spreadsheets).</summary>
        Csv,

        /// <summary>A JSON array of reports with their findings (ConvertFrom-Json, Compare-MailTlsReport).</summary>
        Json,

        /// <summary>JUnit XML, one test case per endpoint, so CI systems show failing endpoints.</summary>
        JUnit,

        /// <summary>One self-contained HTML page an auditor opens: totals, charts, a sortable table and each endpoint's findings.</summary>
        Html,

        /// <summary>JSON lines: one report per line, so the files of a sharded scan merge by concatenation.</summary>
        JsonLines,
    }
}
