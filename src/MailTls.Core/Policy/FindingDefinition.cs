namespace MailTls.Policy
{
    /// <summary>One entry of the finding catalogue: stable id and name, default severities, remedy.</summary>
    public sealed class FindingDefinition
    {
        internal FindingDefinition(string id, string name, FindingSeverity baseline, FindingSeverity strict, string summary, string remediation)
        {
            Id = id;
            Name = name;
            Baseline = baseline;
            Strict = strict;
            Summary = summary;
            Remediation = remediation;
        }

        /// <summary>Stable id (MTLSnnn).</summary>
        public string Id { get; }

        /// <summary>Stable name.</summary>
        public string Name { get; }

        /// <summary>Severity under the Baseline policy.</summary>
        public FindingSeverity Baseline { get; }

        /// <summary>Severity under the Strict policy.</summary>
        public FindingSeverity Strict { get; }

        /// <summary>What the finding means, in general.</summary>
        public string Summary { get; }

        /// <summary>What to do about it.</summary>
        public string Remediation { get; }
    }
}
