using System;
using System.Globalization;
using System.Text;

namespace MailTls.Endpoints
{
    /// <summary>
    /// One share of a fleet split across machines or runbooks ("i/n"): every machine reads the same input list and
    /// takes the items whose stable hash falls in its share, so the shares are disjoint, together cover the list, and
    /// do not depend on the order of the input or on the machine.
    /// </summary>
    public sealed class Shard
    {
        private Shard(int index, int count)
        {
            Index = index;
            Count = count;
        }

        /// <summary>Which share, from 1.</summary>
        public int Index { get; }

        /// <summary>How many shares.</summary>
        public int Count { get; }

        /// <summary>Reads "i/n" (1 ≤ i ≤ n ≤ 10000).</summary>
        /// <returns>False when the text is not a share.</returns>
        public static bool TryParse(string? text, out Shard? shard)
        {
            shard = null;
            var parts = (text ?? string.Empty).Split('/');
            if (parts.Length == 2
                && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                && count >= 1 && count <= 10000 && index >= 1 && index <= count)
            {
                shard = new Shard(index, count);
            }

            return shard != null;
        }

        /// <summary>Whether the input item named by <paramref name="parts"/> (host, port, protocol, mode as given) is in this share.</summary>
        public bool Includes(params object?[] parts)
        {
            // FNV-1a over the lower-cased text: stable across runs, machines and .NET versions, unlike string.GetHashCode.
            var key = string.Join("|", Array.ConvertAll(parts, p => Convert.ToString(p, CultureInfo.InvariantCulture) ?? string.Empty)).ToLowerInvariant();
            var hash = 2166136261u;
            foreach (var b in Encoding.UTF8.GetBytes(key))
            {
                hash = unchecked((hash ^ b) * 16777619u);
            }

            return hash % (uint)Count == (uint)(Index - 1);
        }

        /// <inheritdoc />
        public override string ToString() => Index.ToString(CultureInfo.InvariantCulture) + "/" + Count.ToString(CultureInfo.InvariantCulture);
    }
}
