using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using MailTls.Files;

namespace MailTls.Reports
{
    /// <summary>
    /// What changed per endpoint between a reference run and this one: verdict, policy, TLS (version, versions
    /// accepted, cipher), certificate (thumbprint, expiry, trust, name) and findings, so a runbook alerts on change
    /// rather than on every run. The reference is held by endpoint; this run streams through <see cref="Compare"/>,
    /// and <see cref="Removed"/> lists what it never saw.
    /// </summary>
    public sealed class ReportComparer
    {
        private static readonly string[] Compared = { "Verdict", "Policy", "TlsVersion", "AcceptedTlsVersions", "CipherSuite", "ChainTrusted", "NameMatches", "Thumbprint", "NotAfter", "FindingIds" };

        private readonly Dictionary<string, List<ReportRecord>> _reference = new Dictionary<string, List<ReportRecord>>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<ReportRecord> _seen = new HashSet<ReportRecord>();

        /// <summary>A comparer against <paramref name="reference"/>.</summary>
        public ReportComparer(IEnumerable<ReportRecord> reference)
        {
            foreach (var record in reference ?? throw new ArgumentNullException(nameof(reference)))
            {
                var key = Key(record);
                if (!_reference.TryGetValue(key, out var group))
                {
                    _reference[key] = group = new List<ReportRecord>();
                }

                group.Add(record);
            }
        }

        /// <summary>How many reports the reference holds.</summary>
        public int ReferenceCount => _reference.Values.Sum(g => g.Count);

        /// <summary>The change for one report of this run against its reference (Added when it has none).</summary>
        public ReportChange Compare(ReportRecord current)
        {
            var before = Match(current);
            if (before == null)
            {
                return Change(current, ReportChangeKind.Added, null, current.Verdict, Array.Empty<ReportDifference>(), current.Findings.Select(f => f.Id).ToArray(), Array.Empty<string>());
            }

            _seen.Add(before);
            var differences = Compared
                .Select(p => (Property: p, Before: before.Column(p), After: current.Column(p)))
                .Where(d => !string.Equals(d.Before ?? string.Empty, d.After ?? string.Empty, StringComparison.Ordinal))
                // Reports written before policies were recorded have none: that is not a change of policy.
                .Where(d => !(d.Property == "Policy" && d.Before == null))
                .Select(d => new ReportDifference(d.Property, d.Before, d.After))
                .ToArray();
            var was = before.Findings.Select(f => f.Id).ToArray();
            var now = current.Findings.Select(f => f.Id).ToArray();
            return Change(current, differences.Length == 0 ? ReportChangeKind.Unchanged : ReportChangeKind.Changed, before.Verdict, current.Verdict, differences,
                now.Except(was, StringComparer.Ordinal).ToArray(), was.Except(now, StringComparer.Ordinal).ToArray());
        }

        /// <summary>The reference's endpoints this run did not report.</summary>
        public IEnumerable<ReportChange> Removed() =>
            _reference.Values.SelectMany(g => g).Where(r => !_seen.Contains(r))
                .Select(r => Change(r, ReportChangeKind.Removed, r.Verdict, null, Array.Empty<ReportDifference>(), Array.Empty<string>(), r.Findings.Select(f => f.Id).ToArray()));

        /// <summary>
        /// Reads the reports of a JSON report file (an array, as Export-MailTlsReport -Format Json writes) or a JSON
        /// lines file (one report per line, as shards write, concatenated or not). JSON lines stream, a report at a
        /// time; an array is read whole.
        /// </summary>
        /// <exception cref="FileNotFoundException">No such file.</exception>
        /// <exception cref="InvalidDataException">The file is not JSON reports (the message says where); with JSON lines,
        /// raised when the enumeration reaches the bad line.</exception>
        public static IEnumerable<ReportRecord> ReadFile(string path)
        {
            using var reader = new StreamReader(path);
            var first = (char)reader.Peek();
            while (char.IsWhiteSpace(first) && reader.Peek() >= 0)
            {
                reader.Read();
                first = (char)reader.Peek();
            }

            return first == '[' ? ReadArray(reader.ReadToEnd(), path) : ReadLines(path);
        }

        private static IReadOnlyList<ReportRecord> ReadArray(string text, string path)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                return document.RootElement.EnumerateArray().Select(e => ReportRecord.Read(JsonData.Plain(e) ?? string.Empty, JsonData.Property)).ToArray();
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidOperationException)
            {
                throw new InvalidDataException($"'{path}' is not a JSON report of Export-MailTlsReport: {ex.Message}", ex);
            }
        }

        private static IEnumerable<ReportRecord> ReadLines(string path)
        {
            var number = 0;
            foreach (var line in File.ReadLines(path))
            {
                number++;
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                ReportRecord record;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    record = ReportRecord.Read(JsonData.Plain(document.RootElement) ?? string.Empty, JsonData.Property);
                }
                catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidOperationException)
                {
                    throw new InvalidDataException($"Line {number} of '{path}' is not a report of Export-MailTlsReport: {ex.Message}", ex);
                }

                yield return record;
            }
        }

        private ReportRecord? Match(ReportRecord current)
        {
            if (!_reference.TryGetValue(Key(current), out var group))
            {
                return null;
            }

            // Several reports for one endpoint (a pool probed with -AllAddresses) are told apart by address.
            return group.Count == 1 && !_seen.Contains(group[0]) ? group[0]
                : group.FirstOrDefault(r => !_seen.Contains(r) && string.Equals(r.IPAddress, current.IPAddress, StringComparison.OrdinalIgnoreCase));
        }

        private static string Key(ReportRecord record) =>
            string.Join("|", record.HostName, record.Port.ToString(CultureInfo.InvariantCulture), record.Protocol, record.Security);

        private static ReportChange Change(ReportRecord record, ReportChangeKind kind, string? before, string? after, IReadOnlyList<ReportDifference> differences, IReadOnlyList<string> added, IReadOnlyList<string> resolved) =>
            new ReportChange(record.HostName, record.Port, record.Protocol, record.Security, record.IPAddress, kind, before, after, differences, added, resolved);
    }
}
