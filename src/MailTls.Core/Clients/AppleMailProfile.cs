using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace MailTls.Clients
{
    /// <summary>
    /// Apple Mail keeps its accounts in a store no other program may safely write, so the switch to SSL is a
    /// configuration profile the user (or an MDM) installs: one com.apple.mail.managed payload with the incoming and the
    /// outgoing server, their ports and SSL flags (Apple's "Mail" device-management profile). Apple Mail's UseSSL means
    /// TLS on the given port: implicit on 993/995/465, STARTTLS on 143/110/587.
    /// </summary>
    public static class AppleMailProfile
    {
        /// <summary>The profile's XML property list, the same bytes for the same input (so a second run changes nothing).</summary>
        /// <param name="emailAddress">The account's address (also its user name).</param>
        /// <param name="hostName">The incoming server.</param>
        /// <param name="protocol">Imap or Pop3.</param>
        /// <param name="security">Implicit or StartTls (never None: a profile that turns SSL off is not MailTls's to make).</param>
        /// <param name="incomingPort">The incoming port; null: the table's port for the mode.</param>
        /// <param name="outgoingHostName">The SMTP server; null: the incoming one.</param>
        /// <param name="outgoingPort">The SMTP port; null: 465 for implicit TLS, 587 for STARTTLS.</param>
        /// <returns>The .mobileconfig text.</returns>
        /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
        /// <exception cref="ClientConfigException">A port belongs to the other mode (PortModeMismatch).</exception>
        public static string Build(string emailAddress, string hostName, MailProtocol protocol, MailSecurity security, int? incomingPort = null,
            string? outgoingHostName = null, int? outgoingPort = null)
        {
            if (string.IsNullOrWhiteSpace(emailAddress) || !emailAddress.Contains("@"))
            {
                throw new ArgumentException("An e-mail address such as alice@example.com is needed.", nameof(emailAddress));
            }

            if (string.IsNullOrWhiteSpace(hostName))
            {
                throw new ArgumentException("The incoming server's name is needed.", nameof(hostName));
            }

            if (protocol == MailProtocol.Smtp)
            {
                throw new ArgumentException("The account's protocol is Imap or Pop3; the outgoing SMTP server goes in the same profile.", nameof(protocol));
            }

            if (security == MailSecurity.None)
            {
                throw new ArgumentException("A MailTls profile turns SSL on: -Security Implicit or StartTls.", nameof(security));
            }

            // Mode and port together, as for every client: an explicit port of the other mode is refused.
            var incoming = PortModeRule.PortFor(protocol, security, incomingPort, force: true, emailAddress);
            var outgoing = PortModeRule.PortFor(MailProtocol.Smtp, security, outgoingPort, force: true, emailAddress);
            var smtpHost = string.IsNullOrWhiteSpace(outgoingHostName) ? hostName : outgoingHostName!;
            var identifier = "org.mailtls.mail." + Slug(emailAddress);
            var settings = new XmlWriterSettings { Indent = true, IndentChars = "\t", Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
            using var buffer = new MemoryStream();
            using (var writer = XmlWriter.Create(buffer, settings))
            {
                writer.WriteStartDocument();
                writer.WriteDocType("plist", "-//Apple//DTD PLIST 1.0//EN", "http://www.apple.com/DTDs/PropertyList-1.0.dtd", null);
                writer.WriteStartElement("plist");
                writer.WriteAttributeString("version", "1.0");
                writer.WriteStartElement("dict");
                Key(writer, "PayloadContent");
                writer.WriteStartElement("array");
                writer.WriteStartElement("dict");
                String(writer, "EmailAccountDescription", emailAddress + " (SSL/TLS)");
                String(writer, "EmailAccountType", protocol == MailProtocol.Imap ? "EmailTypeIMAP" : "EmailTypePOP");
                String(writer, "EmailAddress", emailAddress);
                String(writer, "IncomingMailServerAuthentication", "EmailAuthPassword");
                String(writer, "IncomingMailServerHostName", hostName);
                Integer(writer, "IncomingMailServerPortNumber", incoming);
                Boolean(writer, "IncomingMailServerUseSSL", true);
                String(writer, "IncomingMailServerUsername", emailAddress);
                String(writer, "OutgoingMailServerAuthentication", "EmailAuthPassword");
                String(writer, "OutgoingMailServerHostName", smtpHost);
                Integer(writer, "OutgoingMailServerPortNumber", outgoing);
                Boolean(writer, "OutgoingMailServerUseSSL", true);
                String(writer, "OutgoingMailServerUsername", emailAddress);
                Boolean(writer, "OutgoingPasswordSameAsIncomingPassword", true);
                String(writer, "PayloadDisplayName", "Mail: " + emailAddress);
                String(writer, "PayloadIdentifier", identifier + ".account");
                String(writer, "PayloadType", "com.apple.mail.managed");
                String(writer, "PayloadUUID", Uuid(identifier + ".account|" + hostName + "|" + protocol + "|" + incoming + "|" + smtpHost + "|" + outgoing));
                Integer(writer, "PayloadVersion", 1);
                writer.WriteEndElement();
                writer.WriteEndElement();
                String(writer, "PayloadDescription", $"Sets up {emailAddress} with SSL/TLS: {protocol} {hostName}:{incoming}, SMTP {smtpHost}:{outgoing}. Made by MailTls.");
                String(writer, "PayloadDisplayName", "Mail (SSL/TLS): " + emailAddress);
                String(writer, "PayloadIdentifier", identifier);
                String(writer, "PayloadType", "Configuration");
                String(writer, "PayloadUUID", Uuid(identifier));
                Integer(writer, "PayloadVersion", 1);
                writer.WriteEndElement();
                writer.WriteEndElement();
                writer.WriteEndDocument();
            }

            return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
        }

        private static void Key(XmlWriter writer, string key) => writer.WriteElementString("key", key);

        private static void String(XmlWriter writer, string key, string value)
        {
            Key(writer, key);
            writer.WriteElementString("string", value);
        }

        private static void Integer(XmlWriter writer, string key, int value)
        {
            Key(writer, key);
            writer.WriteElementString("integer", value.ToString(CultureInfo.InvariantCulture));
        }

        private static void Boolean(XmlWriter writer, string key, bool value)
        {
            Key(writer, key);
            writer.WriteStartElement(value ? "true" : "false");
            writer.WriteEndElement();
        }

        private static string Slug(string text)
        {
            var builder = new StringBuilder();
            foreach (var c in text.ToLowerInvariant())
            {
                builder.Append(char.IsLetterOrDigit(c) ? c : '-');
            }

            return builder.ToString();
        }

        /// <summary>A stable UUID from a name (SHA-256, shaped as a version-5-like UUID): the same account gets the same identifiers, so installing again replaces it.</summary>
        private static string Uuid(string name)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(name));
            hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
            hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
            var hex = BitConverter.ToString(hash, 0, 16).Replace("-", string.Empty);
            return $"{hex.Substring(0, 8)}-{hex.Substring(8, 4)}-{hex.Substring(12, 4)}-{hex.Substring(16, 4)}-{hex.Substring(20, 12)}";
        }
    }
}
