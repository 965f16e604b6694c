using System;
using System.Globalization;
using System.Linq;
using System.Net;

namespace MailTls.Endpoints
{
    /// <summary>Reads a DNS server as a user gives it: an address, optionally with a port (192.0.2.53:5353, [2001:db8::53]:53).</summary>
    public static class DnsServerAddress
    {
        /// <summary>Parses <paramref name="text"/>; the port defaults to 53.</summary>
        /// <returns>False when it is not an address (a name is not accepted: resolving it would need DNS).</returns>
        public static bool TryParse(string? text, out IPEndPoint server)
        {
            server = null!;
            var port = 53;
            var host = (text ?? string.Empty).Trim();
            if (host.StartsWith("[", StringComparison.Ordinal))
            {
                var close = host.IndexOf(']');
                if (close < 0)
                {
                    return false;
                }

                var rest = host.Substring(close + 1);
                host = host.Substring(1, close - 1);
                if (rest.Length > 0 && (!rest.StartsWith(":", StringComparison.Ordinal) || !int.TryParse(rest.Substring(1), NumberStyles.None, CultureInfo.InvariantCulture, out port)))
                {
                    return false;
                }
            }
            else if (host.Count(c => c == ':') == 1)
            {
                var colon = host.IndexOf(':');
                if (!int.TryParse(host.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port))
                {
                    return false;
                }

                host = host.Substring(0, colon);
            }

            if (!IPAddress.TryParse(host, out var address) || port < 1 || port > 65535)
            {
                return false;
            }

            server = new IPEndPoint(address, port);
            return true;
        }
    }
}
