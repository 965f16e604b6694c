using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;

namespace MailTls.Endpoints
{
    /// <summary>
    /// Turns what a user types (a name, an address, host:port, [v6]:port or a mail URI) plus the optional
    /// -Port/-Protocol/-Security values into endpoints, filling gaps from the well-known port table.
    /// </summary>
    public static class EndpointParser
    {
        private static readonly Dictionary<string, (MailProtocol Protocol, MailSecurity Security, int Port)> Schemes =
            new Dictionary<string, (MailProtocol, MailSecurity, int)>(StringComparer.OrdinalIgnoreCase)
            {
                ["smtp"] = (MailProtocol.Smtp, MailSecurity.StartTls, 25),
                ["submission"] = (MailProtocol.Smtp, MailSecurity.StartTls, 587),
                ["submissions"] = (MailProtocol.Smtp, MailSecurity.Implicit, 465),
                ["smtps"] = (MailProtocol.Smtp, MailSecurity.Implicit, 465),
                ["imap"] = (MailProtocol.Imap, MailSecurity.StartTls, 143),
                ["imaps"] = (MailProtocol.Imap, MailSecurity.Implicit, 993),
                ["pop3"] = (MailProtocol.Pop3, MailSecurity.StartTls, 110),
                ["pop3s"] = (MailProtocol.Pop3, MailSecurity.Implicit, 995),
            };

        private static readonly MailProtocol[] AllProtocols = { MailProtocol.Smtp, MailProtocol.Imap, MailProtocol.Pop3 };

        /// <summary>Parses one input into the endpoints it names.</summary>
        /// <param name="input">Host, host:port, [v6]:port or URI.</param>
        /// <param name="port">-Port, if given.</param>
        /// <param name="protocol">-Protocol, if given.</param>
        /// <param name="security">-Security, if given.</param>
        /// <param name="serverName">-ServerName, if given.</param>
        /// <returns>One endpoint, or the secure ports of the protocol(s) when no port is known.</returns>
        /// <exception cref="EndpointInputException">The input or the combination of values is not valid.</exception>
        public static IReadOnlyList<MailEndpoint> Parse(string? input, int? port = null, MailProtocol? protocol = null, MailSecurity? security = null, string? serverName = null)
        {
            var text = input?.Trim() ?? string.Empty;
            if (text.Length == 0)
            {
                throw new EndpointInputException("HostNameEmpty", text, "The host name is empty. Give a name, an address, host:port or a URI such as imaps://mail.example.com.");
            }

            if (port.HasValue)
            {
                CheckPort(port.Value, text);
            }

            if (serverName != null && !IsHostName(serverName) && !IPAddress.TryParse(serverName, out _))
            {
                throw new EndpointInputException("ServerNameInvalid", serverName,
                    $"-ServerName '{serverName}' is not a host name. Give the name the certificate should carry, such as mail.example.com.");
            }

            string host;
            int? givenPort = null;
            MailProtocol? uriProtocol = null;
            MailSecurity? uriSecurity = null;
            int? uriDefaultPort = null;

            var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
            if (schemeEnd >= 0)
            {
                var scheme = text.Substring(0, schemeEnd);
                if (!Schemes.TryGetValue(scheme, out var known))
                {
                    throw new EndpointInputException("UriSchemeUnknown", text,
                        $"'{scheme}://' is not a mail URI scheme. Use smtp, submission, submissions, smtps, imap, imaps, pop3 or pop3s.");
                }

                (uriProtocol, uriSecurity, uriDefaultPort) = (known.Protocol, known.Security, known.Port);
                var authority = text.Substring(schemeEnd + 3);
                var slash = authority.IndexOfAny(new[] { '/', '?', '#' });
                if (slash >= 0)
                {
                    authority = authority.Substring(0, slash);
                }

                var at = authority.LastIndexOf('@');
                if (at >= 0)
                {
                    // A user name in the URI is ignored on purpose: a probe never logs in.
                    authority = authority.Substring(at + 1);
                }

                (host, givenPort) = SplitHostPort(authority, text);
            }
            else
            {
                (host, givenPort) = SplitHostPort(text, text);
            }

            if (givenPort.HasValue && port.HasValue && givenPort.Value != port.Value)
            {
                throw new EndpointInputException("PortConflict", text,
                    $"'{text}' names port {givenPort.Value} but -Port is {port.Value}. Give the port once.");
            }

            if (uriProtocol.HasValue && protocol.HasValue && uriProtocol.Value != protocol.Value)
            {
                throw new EndpointInputException("ProtocolConflictsWithUri", text,
                    $"'{text}' is a {uriProtocol.Value} URI but -Protocol is {protocol.Value}. Drop -Protocol or change the URI scheme.");
            }

            if (uriSecurity.HasValue && security.HasValue && uriSecurity.Value != security.Value)
            {
                throw new EndpointInputException("SecurityConflictsWithUri", text,
                    $"'{text}' means {uriSecurity.Value} but -Security is {security.Value}. Drop -Security or use the matching scheme " +
                    "(imaps/pop3s/submissions for implicit TLS, imap/pop3/submission for STARTTLS).");
            }

            var effectivePort = givenPort ?? port ?? uriDefaultPort;
            var effectiveProtocol = protocol ?? uriProtocol;
            var effectiveSecurity = security ?? uriSecurity;

            if (effectivePort.HasValue)
            {
                if (!effectiveProtocol.HasValue)
                {
                    if (!WellKnownPorts.TryGet(effectivePort.Value, out var knownProtocol, out _))
                    {
                        throw new EndpointInputException("ProtocolUnknown", text,
                            $"Port {effectivePort.Value} is not a well-known mail port, so the protocol cannot be inferred. Add -Protocol Smtp, Imap or Pop3.");
                    }

                    effectiveProtocol = knownProtocol;
                }

                var mode = effectiveSecurity ?? WellKnownPorts.DefaultSecurity(effectiveProtocol.Value, effectivePort.Value);
                return new[] { new MailEndpoint(host, effectivePort.Value, effectiveProtocol.Value, mode, serverName) };
            }

            // No port anywhere: probe the secure ports of the protocol(s) asked (or the one mode asked).
            var result = new List<MailEndpoint>();
            foreach (var p in effectiveProtocol.HasValue ? new[] { effectiveProtocol.Value } : AllProtocols)
            {
                if (effectiveSecurity.HasValue)
                {
                    result.Add(new MailEndpoint(host, WellKnownPorts.DefaultPort(p, effectiveSecurity.Value), p, effectiveSecurity.Value, serverName));
                    continue;
                }

                foreach (var (securePort, mode) in WellKnownPorts.SecurePorts(p))
                {
                    result.Add(new MailEndpoint(host, securePort, p, mode, serverName));
                }
            }

            return result;
        }

        private static (string Host, int? Port) SplitHostPort(string authority, string input)
        {
            string host;
            string? portText = null;

            if (authority.StartsWith("[", StringComparison.Ordinal))
            {
                var close = authority.IndexOf(']');
                if (close < 0)
                {
                    throw Invalid(input, "an IPv6 address opened with '[' is not closed with ']'");
                }

                host = authority.Substring(1, close - 1);
                var rest = authority.Substring(close + 1);
                if (rest.Length > 0)
                {
                    if (rest[0] != ':')
                    {
                        throw Invalid(input, "only ':port' may follow ']'");
                    }

                    portText = rest.Substring(1);
                }

                if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                {
                    throw Invalid(input, $"'{host}' in brackets is not an IPv6 address");
                }
            }
            else
            {
                var colons = CountColons(authority);
                if (colons > 1)
                {
                    // A bare IPv6 literal: the port, if any, must be given with -Port or in brackets.
                    if (!IPAddress.TryParse(authority, out _))
                    {
                        throw Invalid(input, "it has several ':' but is not an IPv6 address (write [v6]:port)");
                    }

                    host = authority;
                }
                else if (colons == 1)
                {
                    var colon = authority.IndexOf(':');
                    host = authority.Substring(0, colon);
                    portText = authority.Substring(colon + 1);
                }
                else
                {
                    host = authority;
                }

                CheckHost(host, input);
            }

            int? port = null;
            if (portText != null)
            {
                if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    throw new EndpointInputException("PortInvalid", input, $"'{portText}' in '{input}' is not a port number. A port is a number from 1 to 65535.");
                }

                CheckPort(parsed, input);
                port = parsed;
            }

            return (host, port);
        }

        private static void CheckHost(string host, string input)
        {
            if (host.Length == 0)
            {
                throw Invalid(input, "the host part is empty");
            }

            if (IPAddress.TryParse(host, out _))
            {
                return;
            }

            if (!IsHostName(host))
            {
                throw Invalid(input, $"'{host}' is not a valid host name");
            }
        }

        /// <summary>Whether <paramref name="name"/> is a syntactically valid DNS host name.</summary>
        public static bool IsHostName(string name) => name.Length > 0 && name.Length <= 253 && Uri.CheckHostName(name) == UriHostNameType.Dns;

        private static void CheckPort(int port, string input)
        {
            if (port < 1 || port > 65535)
            {
                throw new EndpointInputException("PortOutOfRange", input,
                    $"Port {port.ToString(CultureInfo.InvariantCulture)} for '{input}' is out of range. A port is a number from 1 to 65535.");
            }
        }

        private static int CountColons(string text)
        {
            var count = 0;
            foreach (var c in text)
            {
                if (c == ':')
                {
                    count++;
                }
            }

            return count;
        }

        private static EndpointInputException Invalid(string input, string why) =>
            new EndpointInputException("HostNameInvalid", input,
                $"'{input}' is not a host: {why}. Give a name (mail.example.com), an address (192.0.2.1, [2001:db8::1]), host:port or a URI (imaps://mail.example.com).");
    }
}
