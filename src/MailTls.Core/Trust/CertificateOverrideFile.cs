using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MailTls.Files;

namespace MailTls.Trust
{
    /// <summary>
    /// Thunderbird's and SeaMonkey's cert_override.txt: the "accept this certificate" exemptions (Allowed Hosts) a
    /// user made for a self-signed server. Lines are "host:port[:attributes]&lt;TAB&gt;OID&lt;TAB&gt;fingerprint&lt;TAB&gt;…";
    /// comment lines and every other host's lines are kept exactly as they are.
    /// </summary>
    public sealed class CertificateOverrideFile
    {
        /// <summary>The file in a profile folder.</summary>
        /// <param name="profileDirectory">The Thunderbird or SeaMonkey profile.</param>
        public CertificateOverrideFile(string profileDirectory) => Path = System.IO.Path.Combine(profileDirectory, "cert_override.txt");

        /// <summary>The file.</summary>
        public string Path { get; }

        /// <summary>The hosts with an exemption, as "host:port".</summary>
        /// <returns>Host and port per exemption line, in file order.</returns>
        public IReadOnlyList<string> Hosts() =>
            !File.Exists(Path) ? Array.Empty<string>() : File.ReadAllLines(Path).Select(HostOf).Where(h => h != null).Select(h => h!).ToArray();

        /// <summary>Removes the exemptions for <paramref name="hostPorts"/> (case-insensitive host, exact port).</summary>
        /// <param name="hostPorts">"host:port" or "[v6]:port" values.</param>
        /// <returns>The lines removed (none: the file was not touched).</returns>
        /// <exception cref="IOException">Writing failed; the file is as it was.</exception>
        public IReadOnlyList<string> Remove(IEnumerable<string> hostPorts)
        {
            if (!File.Exists(Path))
            {
                return Array.Empty<string>();
            }

            var wanted = new HashSet<string>(hostPorts, StringComparer.OrdinalIgnoreCase);
            var text = File.ReadAllText(Path);
            var newline = text.Contains("\r\n") ? "\r\n" : "\n";
            var lines = text.Split(new[] { newline }, StringSplitOptions.None);
            var kept = new List<string>();
            var removed = new List<string>();
            foreach (var line in lines)
            {
                var host = HostOf(line);
                if (host != null && wanted.Contains(host))
                {
                    removed.Add(line);
                }
                else
                {
                    kept.Add(line);
                }
            }

            if (removed.Count > 0)
            {
                AtomicFile.WriteText(Path, string.Join(newline, kept));
            }

            return removed;
        }

        /// <summary>"host:port" of an exemption line; null for comments and blank lines.</summary>
        internal static string? HostOf(string line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                return null;
            }

            var key = line.Split('\t')[0];
            // Newer profiles append origin attributes after the port ("mail.example.com:993:" or ":^…").
            if (key.StartsWith("[", StringComparison.Ordinal))
            {
                var close = key.IndexOf(']');
                if (close < 0 || close + 1 >= key.Length || key[close + 1] != ':')
                {
                    return null;
                }

                var port = key.Substring(close + 2).Split(':')[0];
                return key.Substring(0, close + 1) + ":" + port;
            }

            var parts = key.Split(':');
            return parts.Length >= 2 && parts[1].Length > 0 ? parts[0] + ":" + parts[1] : null;
        }
    }
}
