using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MailTls.Protocols
{
    /// <summary>
    /// The protocol-specific part of a probe. MailKit runs the greeting and capability dialogs (it parses
    /// EHLO, CAPABILITY and CAPA far better than a hand-written parser would); the probe performs the one
    /// STARTTLS step itself, because it must watch the raw bytes around it (MailKit >= 4.16 silently drops
    /// bytes injected after the STARTTLS reply) and run the handshake with its own observers.
    /// </summary>
    internal abstract class MailDialog
    {
        private IMailService? _client;

        public static MailDialog For(MailProtocol protocol) => protocol switch
        {
            MailProtocol.Smtp => new SmtpDialog(),
            MailProtocol.Imap => new ImapDialog(),
            _ => new Pop3Dialog(),
        };

        /// <summary>The STARTTLS command as sent on the wire.</summary>
        public abstract string StartTlsCommand { get; }

        /// <summary>A local greeting line that lets MailKit resume on the TLS session (see <see cref="Probing.PrefixedStream"/>).</summary>
        public abstract string ResumeGreeting { get; }

        /// <summary>Runs greeting and capabilities on <paramref name="stream"/> (plaintext or already TLS).</summary>
        public async Task<DialogFacts> GreetAsync(Stream stream, string host, int port, CancellationToken cancellationToken)
        {
            var client = CreateClient();
            _client = client;
            await client.ConnectAsync(stream, host, port, SecureSocketOptions.None, cancellationToken).ConfigureAwait(false);
            return Facts(client);
        }

        /// <summary>Ends the session politely (QUIT / LOGOUT); failures do not matter any more.</summary>
        public async Task QuitAsync(CancellationToken cancellationToken)
        {
            if (_client is { IsConnected: true } client)
            {
                try
                {
                    await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException || ex is OperationCanceledException || ex is ProtocolException || ex is CommandException || ex is ObjectDisposedException)
                {
                    // The report is complete; a server that drops the connection on QUIT changes nothing.
                }
            }
        }

        /// <summary>Length of the complete STARTTLS reply at the start of <paramref name="text"/>, or -1 while it is incomplete.</summary>
        public abstract int ReplyLength(string text);

        /// <summary>Whether a complete reply grants the upgrade.</summary>
        public abstract bool ReplyAccepts(string reply);

        protected abstract IMailService CreateClient();

        protected abstract DialogFacts Facts(IMailService client);

        protected static IReadOnlyList<string> FlagNames<TEnum>(TEnum value)
            where TEnum : struct, Enum
        {
            var bits = Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            return Enum.GetValues(typeof(TEnum)).Cast<TEnum>()
                .Select(v => (Value: v, Bits: Convert.ToUInt64(v, System.Globalization.CultureInfo.InvariantCulture)))
                .Where(v => v.Bits != 0 && (v.Bits & (v.Bits - 1)) == 0 && (bits & v.Bits) == v.Bits)
                .Select(v => v.Value.ToString())
                .Distinct()
                .ToArray();
        }

        /// <summary>Length up to and including the first line that satisfies <paramref name="isLast"/>, or -1.</summary>
        protected static int LengthThroughLine(string text, Func<string, bool> isLast)
        {
            var start = 0;
            while (true)
            {
                var newline = text.IndexOf('\n', start);
                if (newline < 0)
                {
                    return -1;
                }

                var line = text.Substring(start, newline - start).TrimEnd('\r');
                if (isLast(line))
                {
                    return newline + 1;
                }

                start = newline + 1;
            }
        }

        private sealed class SmtpDialog : MailDialog
        {
            public override string StartTlsCommand => "STARTTLS\r\n";

            public override string ResumeGreeting => "220 mailtls resumed after STARTTLS\r\n";

            // A multi-line SMTP reply ends with the line whose fourth character is a space ("220 ready").
            public override int ReplyLength(string text) => LengthThroughLine(text, line => line.Length < 4 || line[3] == ' ');

            public override bool ReplyAccepts(string reply) => reply.StartsWith("220", StringComparison.Ordinal);

            protected override IMailService CreateClient() => new SmtpClient { LocalDomain = "mailtls.invalid" };

            protected override DialogFacts Facts(IMailService client)
            {
                var smtp = (SmtpClient)client;
                var mechanisms = smtp.AuthenticationMechanisms.ToArray();
                return new DialogFacts
                {
                    Capabilities = FlagNames(smtp.Capabilities),
                    AuthMechanisms = mechanisms,
                    StartTlsOffered = (smtp.Capabilities & SmtpCapabilities.StartTLS) != 0,
                    PlaintextLogin = mechanisms.Length > 0 ? "SMTP AUTH " + string.Join(" ", mechanisms) + " is advertised" : null,
                };
            }
        }

        private sealed class ImapDialog : MailDialog
        {
            private const string Tag = "MTLS1";

            public override string StartTlsCommand => Tag + " STARTTLS\r\n";

            public override string ResumeGreeting => "* OK mailtls resumed after STARTTLS\r\n";

            public override int ReplyLength(string text) => LengthThroughLine(text, line => line.StartsWith(Tag + " ", StringComparison.Ordinal));

            public override bool ReplyAccepts(string reply)
            {
                var tagged = reply.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(Tag + " ", StringComparison.Ordinal));
                return tagged != null && tagged.Substring(Tag.Length + 1).StartsWith("OK", StringComparison.OrdinalIgnoreCase);
            }

            protected override IMailService CreateClient() => new ImapClient();

            protected override DialogFacts Facts(IMailService client)
            {
                var imap = (ImapClient)client;
                var mechanisms = imap.AuthenticationMechanisms.ToArray();
                var loginDisabled = (imap.Capabilities & ImapCapabilities.LoginDisabled) != 0;
                string? login = null;
                if (!loginDisabled)
                {
                    login = "IMAP LOGIN is allowed (no LOGINDISABLED)";
                }
                else if (mechanisms.Length > 0)
                {
                    login = "IMAP AUTHENTICATE " + string.Join(" ", mechanisms) + " is advertised";
                }

                return new DialogFacts
                {
                    Capabilities = FlagNames(imap.Capabilities),
                    AuthMechanisms = mechanisms,
                    StartTlsOffered = (imap.Capabilities & ImapCapabilities.StartTLS) != 0,
                    PreAuthenticated = imap.IsAuthenticated,
                    PlaintextLogin = login,
                };
            }
        }

        private sealed class Pop3Dialog : MailDialog
        {
            public override string StartTlsCommand => "STLS\r\n";

            public override string ResumeGreeting => "+OK mailtls resumed after STLS\r\n";

            public override int ReplyLength(string text) => LengthThroughLine(text, _ => true);

            public override bool ReplyAccepts(string reply) => reply.StartsWith("+OK", StringComparison.OrdinalIgnoreCase);

            protected override IMailService CreateClient() => new Pop3Client();

            protected override DialogFacts Facts(IMailService client)
            {
                var pop3 = (Pop3Client)client;
                var mechanisms = pop3.AuthenticationMechanisms.ToArray();
                var reasons = new List<string>();
                if ((pop3.Capabilities & Pop3Capabilities.User) != 0)
                {
                    reasons.Add("POP3 USER/PASS is advertised");
                }

                if (mechanisms.Length > 0)
                {
                    reasons.Add("POP3 SASL " + string.Join(" ", mechanisms) + " is advertised");
                }

                return new DialogFacts
                {
                    Capabilities = FlagNames(pop3.Capabilities),
                    AuthMechanisms = mechanisms,
                    StartTlsOffered = (pop3.Capabilities & Pop3Capabilities.StartTLS) != 0,
                    PlaintextLogin = reasons.Count > 0 ? string.Join("; ", reasons) : null,
                };
            }
        }
    }
}
