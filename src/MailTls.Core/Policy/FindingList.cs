using System.Collections.Generic;
using System.Linq;

namespace MailTls.Policy
{
    /// <summary>Findings of one probe, created under its policy; one per id (the first detail wins).</summary>
    internal sealed class FindingList
    {
        private readonly ProbePolicy _policy;
        private readonly List<Finding> _findings = new List<Finding>();

        public FindingList(ProbePolicy policy) => _policy = policy;

        public void Add(FindingDefinition definition, string? detail = null)
        {
            if (!Contains(definition))
            {
                _findings.Add(_policy.Create(definition, detail));
            }
        }

        public void Remove(FindingDefinition definition) => _findings.RemoveAll(f => f.Id == definition.Id);

        public bool Contains(FindingDefinition definition) => _findings.Any(f => f.Id == definition.Id);

        public bool Any(FindingSeverity atLeast) => _findings.Any(f => f.Severity >= atLeast);

        /// <summary>Worst first, then by id, so reports read the same every run.</summary>
        public IReadOnlyList<Finding> Sorted() =>
            _findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Id, System.StringComparer.Ordinal).ToArray();
    }
}
