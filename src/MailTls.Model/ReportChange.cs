using System;
using System.Collections.Generic;
using System.Linq;

namespace MailTls
{
    /// <summary>How an endpoint's report differs between two runs.</summary>
    public enum ReportChangeKind
    {
        /// <summary>Something a user acts on changed (verdict, TLS, certificate, findings).</summary>
        Changed,

        /// <summary>The endpoint is new in this run.</summary>
        Added,

        /// <summary>The endpoint was in the reference run and is not in this one.</summary>
        Removed,

        /// <summary>Nothing compared changed (shown with -IncludeEqual).</summary>
        Unchanged,
    }

    /// <summary>One property that changed between two runs, as text.</summary>
    public sealed class ReportDifference
    {
        internal ReportDifference(string property, string? before, string? after)
        {
            Property = property;
            Before = before;
            After = after;
        }

        /// <summary>The property (Verdict, TlsVersion, Thumbprint, NotAfter, …).</summary>
        public string Property { get; }

        /// <summary>Its value in the reference run.</summary>
        public string? Before { get; }

        /// <summary>Its value now.</summary>
        public string? After { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Property}: {Before ?? "(none)"} -> {After ?? "(none)"}";
    }

    /// <summary>What changed for one endpoint since a reference run (Compare-MailTlsReport).</summary>
    public sealed class ReportChange
    {
        internal ReportChange(string hostName, int port, string protocol, string security, string? ipAddress, ReportChangeKind change,
            string? verdictBefore, string? verdictAfter, IReadOnlyList<ReportDifference> differences, IReadOnlyList<string> newFindings, IReadOnlyList<string> resolvedFindings)
        {
            HostName = hostName;
            Port = port;
            Protocol = protocol;
            Security = security;
            IPAddress = ipAddress;
            Change = change;
            VerdictBefore = verdictBefore;
            VerdictAfter = verdictAfter;
            Differences = differences;
            NewFindings = newFindings;
            ResolvedFindings = resolvedFindings;
        }

        /// <summary>The host name probed.</summary>
        public string HostName { get; }

        /// <summary>The port.</summary>
        public int Port { get; }

        /// <summary>Smtp, Imap or Pop3.</summary>
        public string Protocol { get; }

        /// <summary>Implicit, StartTls or None.</summary>
        public string Security { get; }

        /// <summary>The address probed (tells apart the members of a pool probed with -AllAddresses).</summary>
        public string? IPAddress { get; }

        /// <summary>Changed, Added, Removed or Unchanged.</summary>
        public ReportChangeKind Change { get; }

        /// <summary>The verdict in the reference run (null when Added).</summary>
        public string? VerdictBefore { get; }

        /// <summary>The verdict now (null when Removed).</summary>
        public string? VerdictAfter { get; }

        /// <summary>Each property that changed, before and after.</summary>
        public IReadOnlyList<ReportDifference> Differences { get; }

        /// <summary>The names of the properties that changed, for filtering and flat files ("Verdict, Thumbprint").</summary>
        public string ChangedProperties => string.Join(", ", Differences.Select(d => d.Property));

        /// <summary>Finding ids reported now and not in the reference run.</summary>
        public IReadOnlyList<string> NewFindings { get; }

        /// <summary>Finding ids of the reference run that are gone now.</summary>
        public IReadOnlyList<string> ResolvedFindings { get; }

        /// <summary>True when the verdict got worse (Pass → Warn → Fail → Error), or the endpoint is gone from this run.</summary>
        public bool Worse => Change == ReportChangeKind.Removed || (Change == ReportChangeKind.Changed && Rank(VerdictAfter) > Rank(VerdictBefore));

        /// <summary>host:port, as users name an endpoint.</summary>
        public string Target => (HostName.IndexOf(':') >= 0 ? "[" + HostName + "]" : HostName) + ":" + Port;

        private static int Rank(string? verdict) => verdict == null ? -1 : Enum.TryParse<Verdict>(verdict, out var value) ? (int)value : -1;

        /// <inheritdoc />
        public override string ToString() => $"{Target} {Protocol} {Security}: {Change} ({ChangedProperties})";
    }
}
