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
    }
}
