using System;
using System.Collections.Generic;
using System.Linq;

namespace MailTls.Policy
{
    /// <summary>Turns findings into a verdict. Built in: Baseline (the default) and Strict.</summary>
    public sealed class ProbePolicy
    {
        private readonly Func<FindingDefinition, FindingSeverity> _severityOf;

        private ProbePolicy(string name, Func<FindingDefinition, FindingSeverity> severityOf)
        {
            Name = name;
            _severityOf = severityOf;
        }

        /// <summary>
        /// Baseline: plaintext login merely advertised before TLS is Warn (offered, not proven accepted);
        /// TLS below 1.2 negotiated and every certificate problem are Fail; unreachable endpoints are Error.
        /// </summary>
        public static ProbePolicy Baseline { get; } = new ProbePolicy("Baseline", d => d.Baseline);

        /// <summary>Strict: also fails plaintext login before TLS, legacy TLS accepted and certificates expiring within 30 days.</summary>
        public static ProbePolicy Strict { get; } = new ProbePolicy("Strict", d => d.Strict);

        /// <summary>The policy's name.</summary>
        public string Name { get; }

        /// <summary>The built-in policy of that name.</summary>
        /// <param name="name">Baseline or Strict (any case).</param>
        /// <returns>The policy, or null for an unknown name.</returns>
        public static ProbePolicy? FromName(string name) =>
            string.Equals(name, Baseline.Name, StringComparison.OrdinalIgnoreCase) ? Baseline
            : string.Equals(name, Strict.Name, StringComparison.OrdinalIgnoreCase) ? Strict
            : null;

        internal Finding Create(FindingDefinition definition, string? detail = null) =>
            new Finding(definition.Id, definition.Name, _severityOf(definition),
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
    }
}
