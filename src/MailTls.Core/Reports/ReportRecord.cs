using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MailTls.Reports
{
    /// <summary>
    /// An endpoint report reduced to the flat values every report format writes. It is read by property name, so a
    /// report that went through remoting, Export-Clixml or JSON (a deserialized copy with the same properties) gives
    /// the same record as the live object.
    /// </summary>
    public sealed class ReportRecord
    {
        private ReportRecord()
        {
        }

        /// <summary>The columns of the flat formats (CSV), in order.</summary>
        public static IReadOnlyList<string> Columns { get; } = new[]
        {
            "HostName", "IPAddress", "Port", "Protocol", "Security", "Verdict", "Policy", "TlsVersion", "CipherSuite", "StartTlsOffered", "ChainTrusted",
            "NameMatches", "Subject", "Issuer", "SubjectAlternativeNames", "Thumbprint", "Sha256Fingerprint", "NotBefore", "NotAfter", "DaysToExpiry",
            "KeyAlgorithm", "KeySize", "SignatureAlgorithm", "AcceptedTlsVersions", "FindingIds", "Findings", "DurationMs", "Attempts",
        };

        /// <summary>The host name probed.</summary>
        public string HostName { get; private set; } = string.Empty;

        /// <summary>The address connected to.</summary>
        public string? IPAddress { get; private set; }

        /// <summary>The port.</summary>
        public int Port { get; private set; }

        /// <summary>Smtp, Imap or Pop3.</summary>
        public string Protocol { get; private set; } = string.Empty;

        /// <summary>Implicit, StartTls or None.</summary>
        public string Security { get; private set; } = string.Empty;

        /// <summary>Pass, Warn, Fail or Error.</summary>
        public string Verdict { get; private set; } = string.Empty;

        /// <summary>The policy the verdict was reached under.</summary>
        public string? Policy { get; private set; }

        /// <summary>How many times the endpoint was probed (more than 1 after a transient failure).</summary>
        public int Attempts { get; private set; } = 1;

        /// <summary>The TLS version negotiated.</summary>
        public string? TlsVersion { get; private set; }

        /// <summary>The cipher suite negotiated.</summary>
        public string? CipherSuite { get; private set; }

        /// <summary>Whether STARTTLS was offered (null where not asked).</summary>
        public bool? StartTlsOffered { get; private set; }

        /// <summary>Whether the chain is trusted.</summary>
        public bool? ChainTrusted { get; private set; }

        /// <summary>Whether the certificate names the host.</summary>
        public bool? NameMatches { get; private set; }

        /// <summary>The certificate's subject (server-provided text).</summary>
        public string? Subject { get; private set; }

        /// <summary>The certificate's issuer (server-provided text).</summary>
        public string? Issuer { get; private set; }

        /// <summary>The certificate's names (server-provided text).</summary>
        public string? SubjectAlternativeNames { get; private set; }

        /// <summary>SHA-1 thumbprint.</summary>
        public string? Thumbprint { get; private set; }

        /// <summary>SHA-256 fingerprint.</summary>
        public string? Sha256Fingerprint { get; private set; }

        /// <summary>Start of validity (UTC).</summary>
        public DateTime? NotBefore { get; private set; }

        /// <summary>End of validity (UTC).</summary>
        public DateTime? NotAfter { get; private set; }

        /// <summary>Days left.</summary>
        public int? DaysToExpiry { get; private set; }

        /// <summary>The key algorithm.</summary>
        public string? KeyAlgorithm { get; private set; }

        /// <summary>The key size in bits.</summary>
        public int? KeySize { get; private set; }

        /// <summary>The signature algorithm.</summary>
        public string? SignatureAlgorithm { get; private set; }

        /// <summary>The TLS versions accepted (with -IncludeTlsVersions).</summary>
        public IReadOnlyList<string> AcceptedTlsVersions { get; private set; } = Array.Empty<string>();

        /// <summary>The findings.</summary>
        public IReadOnlyList<Finding> Findings { get; private set; } = Array.Empty<Finding>();

        /// <summary>How long the probe took, in milliseconds.</summary>
        public long DurationMs { get; private set; }

        /// <summary>host:port, as users name an endpoint.</summary>
        public string Endpoint => (HostName.IndexOf(':') >= 0 ? "[" + HostName + "]" : HostName) + ":" + Port.ToString(CultureInfo.InvariantCulture);

        /// <summary>Reads a report (live or deserialized) through <paramref name="property"/>.</summary>
        /// <param name="report">The report.</param>
        /// <param name="property">Reads a property of an object by name (null when it has none).</param>
        /// <exception cref="FormatException">The object is not a report (no HostName, Port and Verdict).</exception>
        public static ReportRecord Read(object report, Func<object, string, object?> property)
        {
            string? Text(string name) => TextOf(property(report, name));
            var host = Text("HostName");
            var port = Text("Port");
            var verdict = Text("Verdict");
            if (string.IsNullOrEmpty(host) || !int.TryParse(port, NumberStyles.Integer, CultureInfo.InvariantCulture, out var portNumber) || string.IsNullOrEmpty(verdict))
            {
                throw new FormatException("This is not an endpoint report: it has no HostName, Port and Verdict. Pipe the output of Test-MailEndpoint (or of Import-Clixml on it).");
            }

            return new ReportRecord
            {
                HostName = host!,
                IPAddress = Text("IPAddress"),
                Port = portNumber,
                Protocol = Text("Protocol") ?? string.Empty,
                Security = Text("Security") ?? string.Empty,
                Verdict = verdict!,
                Policy = Text("Policy"),
                Attempts = Number(Text("Attempts")) ?? 1,
                TlsVersion = Text("TlsVersion"),
                CipherSuite = Text("CipherSuite"),
                StartTlsOffered = Flag(Text("StartTlsOffered")),
                ChainTrusted = Flag(Text("ChainTrusted")),
                NameMatches = Flag(Text("NameMatches")),
                Subject = Text("Subject"),
                Issuer = Text("Issuer"),
                SubjectAlternativeNames = Text("SubjectAlternativeNames"),
                Thumbprint = Text("Thumbprint"),
                Sha256Fingerprint = Text("Sha256Fingerprint"),
                NotBefore = Date(property(report, "NotBefore")),
                NotAfter = Date(property(report, "NotAfter")),
                DaysToExpiry = Number(Text("DaysToExpiry")),
                KeyAlgorithm = Text("KeyAlgorithm"),
                KeySize = Number(Text("KeySize")),
                SignatureAlgorithm = Text("SignatureAlgorithm"),
                AcceptedTlsVersions = Items(property(report, "AcceptedTlsVersions")).Select(TextOf).Where(v => v != null).Select(v => v!).ToArray(),
                Findings = Items(property(report, "Findings"))
                    .Select(f => new Finding(TextOf(property(f, "Id")) ?? string.Empty, TextOf(property(f, "Name")) ?? string.Empty,
                        Enum.TryParse<FindingSeverity>(TextOf(property(f, "Severity")), out var severity) ? severity : FindingSeverity.Info,
                        TextOf(property(f, "Message")) ?? string.Empty, TextOf(property(f, "Remediation")) ?? string.Empty))
                    .ToArray(),
                // A live or deserialized report has Duration; one read back from a JSON report has DurationMs.
                DurationMs = (long)(Duration(property(report, "Duration"))?.TotalMilliseconds ?? Number(Text("DurationMs")) ?? 0),
            };
        }

        /// <summary>The value of a flat column, as text (dates in ISO 8601 UTC, lists joined with "; ").</summary>
        public string? Column(string name) => name switch
        {
            "HostName" => HostName,
            "IPAddress" => IPAddress,
            "Port" => Port.ToString(CultureInfo.InvariantCulture),
            "Protocol" => Protocol,
            "Security" => Security,
            "Verdict" => Verdict,
            "Policy" => Policy,
            "Attempts" => Attempts.ToString(CultureInfo.InvariantCulture),
            "TlsVersion" => TlsVersion,
            "CipherSuite" => CipherSuite,
            "StartTlsOffered" => TextOf(StartTlsOffered),
            "ChainTrusted" => TextOf(ChainTrusted),
            "NameMatches" => TextOf(NameMatches),
            "Subject" => Subject,
            "Issuer" => Issuer,
            "SubjectAlternativeNames" => SubjectAlternativeNames,
            "Thumbprint" => Thumbprint,
            "Sha256Fingerprint" => Sha256Fingerprint,
            "NotBefore" => TextOf(NotBefore),
            "NotAfter" => TextOf(NotAfter),
            "DaysToExpiry" => TextOf(DaysToExpiry),
            "KeyAlgorithm" => KeyAlgorithm,
            "KeySize" => TextOf(KeySize),
            "SignatureAlgorithm" => SignatureAlgorithm,
            "AcceptedTlsVersions" => string.Join("; ", AcceptedTlsVersions),
            "FindingIds" => string.Join("; ", Findings.Select(f => f.Id)),
            "Findings" => string.Join("; ", Findings.Select(f => $"{f.Id} {f.Severity}: {f.Message}")),
            "DurationMs" => DurationMs.ToString(CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such column."),
        };

        private static string? TextOf(object? value) => value switch
        {
            null => null,
            bool flag => flag ? "True" : "False",
            DateTime date => date.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            IFormattable formattable when !(value is Enum) => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };

        private static bool? Flag(string? text) => bool.TryParse(text, out var flag) ? flag : null;

        private static int? Number(string? text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

        private static DateTime? Date(object? value) => value switch
        {
            DateTime date => date.ToUniversalTime(),
            string text when DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
            _ => Unwrapped(value) is DateTime inner ? inner.ToUniversalTime() : null,
        };

        private static TimeSpan? Duration(object? value) => value is TimeSpan span ? span : Unwrapped(value) is TimeSpan inner ? inner : null;

        // A PowerShell wrapper keeps its base object in "ImmediateBaseObject"; the core does not reference PowerShell.
        private static object? Unwrapped(object? value) => value?.GetType().GetProperty("ImmediateBaseObject")?.GetValue(value);

        private static IEnumerable<object> Items(object? value) =>
            value is string || value == null ? Array.Empty<object>()
            : value is IEnumerable items ? items.Cast<object>().Where(i => i != null)
            : Unwrapped(value) is IEnumerable inner && !(inner is string) ? inner.Cast<object>().Where(i => i != null)
            : new[] { value };
    }
}
