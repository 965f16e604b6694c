using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MailTls.Files;
using MailTls.Tls;

namespace MailTls.Policy
{
    /// <summary>A policy that cannot be used: its file is missing or unreadable, or a field is unknown or has a bad value.</summary>
    public sealed class PolicyInvalidException : MailTlsException
    {
        /// <summary>A policy error <paramref name="errorId"/> (PolicyNotFound, PolicyUnreadable, PolicyFieldInvalid) about <paramref name="target"/>.</summary>
        public PolicyInvalidException(string errorId, string target, string message, Exception? inner = null)
            : base(errorId, target, message, inner)
        {
        }

        /// <summary>The field at fault, or null when the file as a whole is.</summary>
        public string? Field { get; internal set; }
    }

    /// <summary>
    /// Reads a user's policy: a JSON file here, or the plain data of a .psd1 file or hashtable (strings, numbers, flags,
    /// lists and dictionaries, keys in any case). Every field is optional; an unknown field or a bad value is refused
    /// with its name, so a typo never silently weakens an audit.
    /// </summary>
    public static class PolicyReader
    {
        /// <summary>The fields a policy may have.</summary>
        public static IReadOnlyList<string> Fields { get; } = new[]
        {
            "Name", "BasedOn", "MinimumTlsVersion", "AllowedSecurity", "AllowPlaintextLoginBeforeTls",
            "MinimumDaysToExpiry", "RequiredTrust", "TrustedRootCertificate", "SeverityOverrides",
        };

        /// <summary>Reads a JSON policy file.</summary>
        /// <param name="path">The file.</param>
        /// <returns>The policy.</returns>
        /// <exception cref="PolicyInvalidException">PolicyNotFound, PolicyUnreadable or PolicyFieldInvalid.</exception>
        public static ProbePolicy ReadJsonFile(string path)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                throw new PolicyInvalidException("PolicyNotFound", path, $"The policy file '{path}' does not exist. Give a path to a .json or .psd1 policy, or a built-in name: Baseline or Strict.", ex);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new PolicyInvalidException("PolicyUnreadable", path, $"The policy file '{path}' cannot be read: {ex.Message}", ex);
            }

            object? data;
            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                data = JsonData.Plain(document.RootElement);
            }
            catch (JsonException ex)
            {
                throw new PolicyInvalidException("PolicyUnreadable", path, $"The policy file '{path}' is not valid JSON ({ex.Message}). Fix the file; see about_MailTls for its fields.", ex);
            }

            if (!(data is IDictionary dictionary))
            {
                throw new PolicyInvalidException("PolicyUnreadable", path, $"The policy file '{path}' must hold one JSON object with policy fields ({string.Join(", ", Fields)}).");
            }

            return Read(dictionary, path, Path.GetDirectoryName(Path.GetFullPath(path)), Path.GetFileNameWithoutExtension(path));
        }

        /// <summary>Reads a policy from plain data (a parsed .psd1 or a hashtable).</summary>
        /// <param name="data">Field name → value.</param>
        /// <param name="source">What the data is, for messages: a path, or "the -Policy hashtable".</param>
        /// <param name="baseDirectory">Relative certificate paths are resolved against this folder.</param>
        /// <param name="defaultName">The policy's name when it has no Name field (a file's name); null: "Custom".</param>
        /// <returns>The policy.</returns>
        /// <exception cref="PolicyInvalidException">PolicyFieldInvalid naming the field.</exception>
        public static ProbePolicy Read(IDictionary data, string source, string? baseDirectory, string? defaultName = null)
        {
            if (data is null)
            {
                throw new ArgumentNullException(nameof(data));
            }

            var fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in data)
            {
                var key = entry.Key?.ToString() ?? string.Empty;
                var known = Fields.FirstOrDefault(f => string.Equals(f, key, StringComparison.OrdinalIgnoreCase));
                if (known == null)
                {
                    throw Invalid(source, key, $"'{key}' is not a policy field. The fields are: {string.Join(", ", Fields)}.");
                }

                fields[known] = entry.Value;
            }

            var basedOn = Text(fields, "BasedOn", source) ?? ProbePolicy.Baseline.Name;
            var start = ProbePolicy.FromName(basedOn) ?? throw Invalid(source, "BasedOn", $"'{basedOn}' is not a built-in policy: use Baseline or Strict.");
            var name = Text(fields, "Name", source) ?? defaultName ?? "Custom";
            var allowLogin = Flag(fields, "AllowPlaintextLoginBeforeTls", source);
            var trust = Text(fields, "RequiredTrust", source) is string trustText
                ? ParseEnum<TrustRequirement>(trustText) ?? throw Invalid(source, "RequiredTrust", $"'{trustText}' is not a trust requirement: use Any, System or TrustedRoots.")
                : TrustRequirement.Any;
            // With RequiredTrust = TrustedRoots and no roots here, they may come from -TrustedRootCertificate: the cmdlet checks.
            var roots = Roots(fields, source, baseDirectory);
            return new ProbePolicy(
                name,
                strict: ReferenceEquals(start, ProbePolicy.Strict),
                minimumTlsVersion: TlsVersion(fields, source),
                minimumDaysToExpiry: Days(fields, source),
                allowPlaintextLoginBeforeTls: allowLogin,
                requiredTrust: trust,
                trustedRoots: roots,
                allowedSecurity: Rules(fields, source),
                overrides: Overrides(fields, source));
        }

        private static int TlsVersion(Dictionary<string, object?> fields, string source)
        {
            var text = Text(fields, "MinimumTlsVersion", source);
            if (text == null)
            {
                return ProbePolicy.DefaultMinimumTlsVersion;
            }

            // "1.2", "TLS 1.2", "TLS1.2" and "Tls12" all mean TLS 1.2.
            var compact = new string(text.Where(c => !char.IsWhiteSpace(c) && c != '.' && c != 'v').ToArray()).ToUpperInvariant();
            compact = compact.StartsWith("TLS", StringComparison.Ordinal) ? compact.Substring(3) : compact;
            return compact switch
            {
                "10" => 0x0301,
                "11" => 0x0302,
                "12" => 0x0303,
                "13" => 0x0304,
                _ => throw Invalid(source, "MinimumTlsVersion", $"'{text}' is not a TLS version: use 1.0, 1.1, 1.2 or 1.3."),
            };
        }

        private static int Days(Dictionary<string, object?> fields, string source)
        {
            if (!fields.TryGetValue("MinimumDaysToExpiry", out var value) || value == null)
            {
                return ProbePolicy.DefaultMinimumDaysToExpiry;
            }

            if (!(value is int || value is long || value is short || value is byte || value is double || value is float || value is decimal))
            {
                throw Invalid(source, "MinimumDaysToExpiry", $"'{value}' is not a number of days: give a whole number from 0 to 3650.");
            }

            var days = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            if (days < 0 || days > 3650 || Math.Floor(days) != days)
            {
                throw Invalid(source, "MinimumDaysToExpiry", $"{value} is not a number of days: give a whole number from 0 to 3650.");
            }

            return (int)days;
        }

        private static IReadOnlyList<X509Certificate2> Roots(Dictionary<string, object?> fields, string source, string? baseDirectory)
        {
            var roots = new List<X509Certificate2>();
            foreach (var item in Items(fields, "TrustedRootCertificate", source))
            {
                var path = baseDirectory == null ? item : Path.Combine(baseDirectory, item);
                try
                {
                    roots.AddRange(CertificateFile.Load(path));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is PrivateKeyMaterialException)
                {
                    throw Invalid(source, "TrustedRootCertificate", $"'{path}' cannot be used as a root: {ex.Message}", ex);
                }
            }

            return roots;
        }

        private static IReadOnlyList<SecurityRule> Rules(Dictionary<string, object?> fields, string source)
        {
            var rules = new List<SecurityRule>();
            if (!fields.TryGetValue("AllowedSecurity", out var value) || value == null)
            {
                return rules;
            }

            if (!(value is IDictionary map))
            {
                throw Invalid(source, "AllowedSecurity", "AllowedSecurity must map a protocol, or protocol:port, to the modes allowed, e.g. @{ Imap = 'Implicit'; 'Smtp:587' = 'StartTls' }.");
            }

            foreach (DictionaryEntry entry in map)
            {
                var key = entry.Key?.ToString() ?? string.Empty;
                var field = "AllowedSecurity." + key;
                var parts = key.Split(':');
                var protocol = ParseEnum<MailProtocol>(parts[0].Trim());
                int port = 0;
                if (protocol == null || parts.Length > 2 || (parts.Length == 2 && (!int.TryParse(parts[1], out port) || port < 1 || port > 65535)))
                {
                    throw Invalid(source, field, $"'{key}' is not a protocol or protocol:port: use Smtp, Imap or Pop3, optionally with a port (Smtp:587).");
                }

                var modes = new List<MailSecurity>();
                foreach (var mode in Strings(entry.Value, source, field))
                {
                    modes.Add(ParseEnum<MailSecurity>(mode) ?? throw Invalid(source, field, $"'{mode}' is not a security mode: use Implicit, StartTls or None."));
                }

                if (modes.Count == 0)
                {
                    throw Invalid(source, field, $"{field} allows no mode at all; name at least one of Implicit, StartTls or None.");
                }

                rules.Add(new SecurityRule(protocol.Value, parts.Length == 2 ? port : (int?)null, modes));
            }

            return rules;
        }

        private static IReadOnlyDictionary<string, FindingSeverity> Overrides(Dictionary<string, object?> fields, string source)
        {
            var overrides = new Dictionary<string, FindingSeverity>(StringComparer.Ordinal);
            if (!fields.TryGetValue("SeverityOverrides", out var value) || value == null)
            {
                return overrides;
            }

            if (!(value is IDictionary map))
            {
                throw Invalid(source, "SeverityOverrides", "SeverityOverrides must map finding ids or names to a severity, e.g. @{ MTLS042 = 'Failure'; CertificateExpiringSoon = 'Info' }.");
            }

            foreach (DictionaryEntry entry in map)
            {
                var key = entry.Key?.ToString() ?? string.Empty;
                var field = "SeverityOverrides." + key;
                var definition = FindingCatalog.Find(key) ?? throw Invalid(source, field, $"'{key}' is not a finding id or name (see about_MailTls_Findings).");
                var text = entry.Value as string;
                var severity = text == null ? null : ParseEnum<FindingSeverity>(text);
                overrides[definition.Id] = severity ?? throw Invalid(source, field, $"'{entry.Value}' is not a severity: use Info, Warning, Failure or Error.");
            }

            return overrides;
        }

        private static string? Text(Dictionary<string, object?> fields, string field, string source)
        {
            if (!fields.TryGetValue(field, out var value) || value == null)
            {
                return null;
            }

            return value is string text && text.Trim().Length > 0 ? text.Trim() : throw Invalid(source, field, $"{field} must be a word, not '{value}'.");
        }

        private static bool? Flag(Dictionary<string, object?> fields, string field, string source)
        {
            if (!fields.TryGetValue(field, out var value) || value == null)
            {
                return null;
            }

            return value is bool flag ? flag : throw Invalid(source, field, $"{field} must be true or false ($true or $false in a .psd1), not '{value}'.");
        }

        private static IEnumerable<string> Items(Dictionary<string, object?> fields, string field, string source) =>
            fields.TryGetValue(field, out var value) && value != null ? Strings(value, source, field) : Array.Empty<string>();

        private static IReadOnlyList<string> Strings(object? value, string source, string field)
        {
            var items = value is string one ? new object?[] { one } : value is IEnumerable many && !(value is IDictionary) ? many.Cast<object?>().ToArray() : null;
            if (items == null || items.Any(i => !(i is string s) || s.Trim().Length == 0))
            {
                throw Invalid(source, field, $"{field} must be a word or a list of words, not '{value}'.");
            }

            return items.Select(i => ((string)i!).Trim()).ToArray();
        }

        // One name only: Enum.TryParse would also take numbers and "A, B" (the two OR-ed together), which must not
        // silently become a third value.
        private static T? ParseEnum<T>(string text)
            where T : struct =>
            !text.All(char.IsDigit) && text.IndexOf(',') < 0 && Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(typeof(T), value) ? value : (T?)null;

        private static PolicyInvalidException Invalid(string source, string field, string message, Exception? inner = null) =>
            new PolicyInvalidException("PolicyFieldInvalid", source, $"Policy {source}, field {field}: {message}", inner) { Field = field };
    }
}
