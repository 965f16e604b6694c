using System.Collections.Generic;
using System.Linq;

namespace MailTls.Probing
{
    /// <summary>
    /// What a probe's version questions found: filled by them (from several connections at once, under its own lock),
    /// read once they are all done.
    /// </summary>
    internal sealed class TlsVersionTally
    {
        /// <summary>The version the main connection negotiated (it needs no question); 0 when TLS was never reached.</summary>
        public int Negotiated { get; set; }

        /// <summary>Versions a question found accepted.</summary>
        public List<int> Accepted { get; } = new List<int>();

        /// <summary>Versions a question could not settle in time.</summary>
        public List<int> Untested { get; } = new List<int>();

        /// <summary>
        /// Each accepted version once, oldest first, the negotiated one included; and the versions still unknown, newest
        /// first. A version is never both: the questions for 1.2 and for 1.1 and 1.0 go out before the main connection has told
        /// its version, so a server that negotiated one of those answers it again (or lets it time out).
        /// </summary>
        public (IReadOnlyList<int> Accepted, IReadOnlyList<int> Untested) Summary()
        {
            var accepted = new SortedSet<int>(Accepted);
            if (Negotiated != 0)
            {
                accepted.Add(Negotiated);
            }

            var untested = Untested.Where(v => !accepted.Contains(v)).Distinct().OrderByDescending(v => v).ToArray();
            return (accepted.ToArray(), untested);
        }
    }
}
