using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Policy
{
    /// <summary>Which roots make a server's chain trusted.</summary>
    public enum TrustRequirement
    {
        /// <summary>The system's roots or the roots given (-TrustedRootCertificate, the policy's own): the default.</summary>
        Any,

        /// <summary>Only the system's roots: a private CA given on the command line does not count.</summary>
        System,

        /// <summary>Only the roots given: the chain must end in one of them (a pinned company CA).</summary>
        TrustedRoots,
    }

    /// <summary>
    /// Turns findings into a verdict and sets the thresholds a probe judges by. Built in: Baseline (the default) and
    /// Strict; a user's policy (a .psd1 or JSON file, or a hashtable, read by <see cref="PolicyReader"/>) starts from
    /// one of them and changes what it names.
    /// </summary>
    public sealed class ProbePolicy
    {
        /// <summary>TLS 1.2 (RFC 8996 deprecates 1.0 and 1.1).</summary>
        internal const int DefaultMinimumTlsVersion = 0x0303;

        internal const int DefaultMinimumDaysToExpiry = 30;

        private readonly bool _strict;
        private readonly IReadOnlyDictionary<string, FindingSeverity> _overrides;
        private readonly IReadOnlyList<SecurityRule> _allowedSecurity;

        internal ProbePolicy(
            string name,
            bool strict,
            int minimumTlsVersion = DefaultMinimumTlsVersion,
            int minimumDaysToExpiry = DefaultMinimumDaysToExpiry,
            bool? allowPlaintextLoginBeforeTls = null,
            TrustRequirement requiredTrust = TrustRequirement.Any,
            IEnumerable<X509Certificate2>? trustedRoots = null,
            IEnumerable<SecurityRule>? allowedSecurity = null,
            IReadOnlyDictionary<string, FindingSeverity>? overrides = null)
        {
            Name = name;
            _strict = strict;
            MinimumTlsVersion = minimumTlsVersion;
            MinimumDaysToExpiry = minimumDaysToExpiry;
            AllowPlaintextLoginBeforeTls = allowPlaintextLoginBeforeTls;
            RequiredTrust = requiredTrust;
            TrustedRoots = trustedRoots?.ToArray() ?? Array.Empty<X509Certificate2>();
            _allowedSecurity = allowedSecurity?.ToArray() ?? Array.Empty<SecurityRule>();
            _overrides = overrides ?? new Dictionary<string, FindingSeverity>();
        }

        /// <summary>
        /// Baseline: plaintext login merely advertised before TLS is Warn (offered, not proven accepted);
        /// TLS below 1.2 negotiated and every certificate problem are Fail; unreachable endpoints are Error.
        /// </summary>
        public static ProbePolicy Baseline { get; } = new ProbePolicy("Baseline", strict: false);

        /// <summary>Strict: also fails plaintext login before TLS, legacy TLS accepted and certificates expiring within 30 days.</summary>
        public static ProbePolicy Strict { get; } = new ProbePolicy("Strict", strict: true);

        /// <summary>The policy's name.</summary>
        public string Name { get; }

        /// <summary>The built-in policy this one starts from.</summary>
        public string BasedOn => _strict ? Strict.Name : Baseline.Name;

        /// <summary>The lowest TLS version accepted, as its wire code (0x0303 = TLS 1.2).</summary>
        public int MinimumTlsVersion { get; }

        /// <summary>A certificate that expires sooner than this many days is reported (CertificateExpiringSoon).</summary>
        public int MinimumDaysToExpiry { get; }

        /// <summary>True: login offered before TLS is only information; false: it fails; null: the base policy decides.</summary>
        public bool? AllowPlaintextLoginBeforeTls { get; }

        /// <summary>Which roots make a chain trusted.</summary>
        public TrustRequirement RequiredTrust { get; }

        /// <summary>Roots the policy itself trusts (besides any given to the command).</summary>
        public IReadOnlyList<X509Certificate2> TrustedRoots { get; }

        /// <summary>The built-in policy of that name.</summary>
        /// <param name="name">Baseline or Strict (any case).</param>
        /// <returns>The policy, or null for an unknown name.</returns>
        public static ProbePolicy? FromName(string name) =>
            string.Equals(name, Baseline.Name, StringComparison.OrdinalIgnoreCase) ? Baseline
            : string.Equals(name, Strict.Name, StringComparison.OrdinalIgnoreCase) ? Strict
            : null;

        /// <summary>The severity a finding has under this policy.</summary>
        /// <param name="definition">The finding.</param>
        /// <returns>Its severity: an override by id, then the plaintext-login rule, then the base policy's.</returns>
        public FindingSeverity SeverityOf(FindingDefinition definition)
        {
            if (_overrides.TryGetValue(definition.Id, out var overridden))
            {
                return overridden;
            }

            if (definition == FindingCatalog.PlaintextLoginBeforeTls && AllowPlaintextLoginBeforeTls.HasValue)
            {
                return AllowPlaintextLoginBeforeTls.Value ? FindingSeverity.Info : FindingSeverity.Failure;
            }

            return _strict ? definition.Strict : definition.Baseline;
        }

        /// <summary>Whether the policy allows this security mode on this protocol and port (the most specific rule wins; no rule: allowed).</summary>
        /// <param name="protocol">The protocol.</param>
        /// <param name="port">The port.</param>
        /// <param name="security">The mode.</param>
        /// <returns>Null when allowed, else the allowed modes.</returns>
        public IReadOnlyList<MailSecurity>? Disallowed(MailProtocol protocol, int port, MailSecurity security)
        {
            var rule = _allowedSecurity.FirstOrDefault(r => r.Protocol == protocol && r.Port == port)
                ?? _allowedSecurity.FirstOrDefault(r => r.Protocol == protocol && r.Port == null);
            return rule == null || rule.Allowed.Contains(security) ? null : rule.Allowed;
        }

        internal Finding Create(FindingDefinition definition, string? detail = null) =>
            new Finding(definition.Id, definition.Name, SeverityOf(definition),
                string.IsNullOrEmpty(detail) ? definition.Summary : definition.Summary + " " + detail,
                definition.Remediation);

        /// <summary>The verdict for a set of findings: the worst severity wins.</summary>
        /// <param name="findings">The findings.</param>
        /// <returns>The verdict.</returns>
        public static Verdict VerdictOf(IEnumerable<Finding> findings)
        {
            var worst = findings.Select(f => f.Severity).DefaultIfEmpty(FindingSeverity.Info).Max();
            return worst switch
            {
                FindingSeverity.Error => Verdict.Error,
                FindingSeverity.Failure => Verdict.Fail,
                FindingSeverity.Warning => Verdict.Warn,
                _ => Verdict.Pass,
            };
        }

        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>The security modes a policy allows for a protocol, or for one port of it.</summary>
    public sealed class SecurityRule
    {
        /// <summary>Creates a rule.</summary>
        /// <param name="protocol">The protocol.</param>
        /// <param name="port">The port, or null for every port of the protocol.</param>
        /// <param name="allowed">The modes allowed.</param>
        public SecurityRule(MailProtocol protocol, int? port, IEnumerable<MailSecurity> allowed)
        {
            Protocol = protocol;
            Port = port;
            Allowed = allowed.Distinct().ToArray();
        }

        /// <summary>The protocol.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>The port, or null for every port.</summary>
        public int? Port { get; }

        /// <summary>The modes allowed.</summary>
        public IReadOnlyList<MailSecurity> Allowed { get; }
    }
}
