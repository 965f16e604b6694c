using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml;

namespace MailTls.PortPlan
{
    /// <summary>An autoconfig file that is not one: malformed, hostile or too large.</summary>
    public sealed class AutoconfigFormatException : Exception
    {
        internal AutoconfigFormatException(string message, Exception? inner = null)
            : base(message, inner)
        {
        }
    }

    /// <summary>
    /// Reads Thunderbird's autoconfig format (clientConfig v1.1) safely: no DTD (so no entity expansion, no external
    /// entities), no resolver, at most 1 MiB of text. Servers of unknown types or with unusable values are skipped.
    /// </summary>
    public static class AutoconfigParser
    {
        /// <summary>The most text an autoconfig file may have.</summary>
        public const int MaxCharacters = 1024 * 1024;

        /// <summary>The servers the file names, in file order.</summary>
        /// <param name="xml">The file.</param>
        /// <param name="emailAddress">The user's address, for %EMAILADDRESS% and %EMAILLOCALPART%; may be null.</param>
        /// <param name="domain">The domain, for %EMAILDOMAIN%.</param>
        /// <exception cref="AutoconfigFormatException">The file is not a usable clientConfig document.</exception>
        public static IReadOnlyList<AutoconfigServer> Parse(TextReader xml, string domain, string? emailAddress = null)
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersInDocument = MaxCharacters,
                MaxCharactersFromEntities = 0,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
            };
            var document = new XmlDocument { XmlResolver = null };
            try
            {
                using var reader = XmlReader.Create(xml, settings);
                document.Load(reader);
            }
            catch (XmlException ex)
            {
                throw new AutoconfigFormatException($"Not a usable autoconfig file: {ex.Message}", ex);
            }

            var root = document.DocumentElement;
            if (root == null || root.LocalName != "clientConfig")
            {
                throw new AutoconfigFormatException($"Not an autoconfig file: the root element is '{root?.LocalName}', not 'clientConfig'.");
            }

            var localPart = emailAddress != null && emailAddress.Contains("@") ? emailAddress.Substring(0, emailAddress.IndexOf('@')) : string.Empty;
            string Fill(string text) => text.Replace("%EMAILDOMAIN%", domain).Replace("%EMAILADDRESS%", emailAddress ?? string.Empty).Replace("%EMAILLOCALPART%", localPart).Trim();

            var servers = new List<AutoconfigServer>();
            foreach (var element in root.SelectNodes("emailProvider/incomingServer|emailProvider/outgoingServer")!.OfType<XmlElement>())
            {
                var role = element.LocalName == "incomingServer" ? MailRole.Incoming : MailRole.Outgoing;
                MailProtocol? protocol = element.GetAttribute("type").ToLowerInvariant() switch
                {
                    "imap" => MailProtocol.Imap,
                    "pop3" => MailProtocol.Pop3,
                    "smtp" => MailProtocol.Smtp,
                    _ => null,
                };
                var host = Fill(element["hostname"]?.InnerText ?? string.Empty);
                var portText = element["port"]?.InnerText?.Trim();
                MailSecurity? security = (element["socketType"]?.InnerText ?? string.Empty).Trim().ToUpperInvariant() switch
                {
                    "SSL" => MailSecurity.Implicit,
                    "STARTTLS" => MailSecurity.StartTls,
                    "PLAIN" => MailSecurity.None,
                    _ => null,
                };
                if (protocol == null || security == null || host.Length == 0 || host.Length > 253 || Uri.CheckHostName(host) == UriHostNameType.Unknown
                    || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port < 1 || port > 65535)
                {
                    continue;
                }

                servers.Add(new AutoconfigServer(role, protocol.Value, host, port, security.Value));
            }

            return servers;
        }
    }
}
