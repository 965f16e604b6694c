using System.Collections.Generic;
using System.Linq;

namespace MailTls.Policy
{
    /// <summary>
    /// Every finding a probe can report, in one place. Ids never change meaning; about_MailTls_Findings
    /// documents each (a test keeps the two in step).
    /// </summary>
    public static class FindingCatalog
    {
        private const FindingSeverity I = FindingSeverity.Info;
        private const FindingSeverity W = FindingSeverity.Warning;
        private const FindingSeverity F = FindingSeverity.Failure;
        private const FindingSeverity E = FindingSeverity.Error;

        // Reachability: the endpoint could not be probed.
        internal static readonly FindingDefinition ConnectionRefused = Define("MTLS001", "ConnectionRefused", E, E,
            "The TCP connection was refused: nothing listens on that port.",
            "Check the host and port; make sure the mail service runs and the firewall allows the port.");
        internal static readonly FindingDefinition TimedOut = Define("MTLS002", "TimedOut", E, E,
            "The server did not answer in time (connect, greeting, reply or handshake).",
            "Check that the port is open and the service is not overloaded; a firewall that drops packets also looks like this. Raise -TimeoutSeconds for slow links.");
        internal static readonly FindingDefinition NameNotResolved = Define("MTLS003", "NameNotResolved", E, E,
            "The host name could not be resolved to an address.",
            "Check the spelling of the host name and the DNS configuration of this machine.");
        internal static readonly FindingDefinition ConnectionFailed = Define("MTLS004", "ConnectionFailed", E, E,
            "The TCP connection could not be made (network unreachable, reset).",
            "Check routing and firewalls between this machine and the server.");
        internal static readonly FindingDefinition ServerClosed = Define("MTLS005", "ServerClosed", E, E,
            "The server closed the connection before the probe finished.",
            "Look at the server's log: it may limit connections per client, or reject this client's address.");

        internal static readonly FindingDefinition UnexpectedError = Define("MTLS009", "UnexpectedError", E, E,
            "The probe failed in a way it does not know how to name (a defect of MailTls, not necessarily of the server).",
            "Run again with -IncludeTranscript and report the message and transcript to the MailTls project.");

        // The plaintext dialog.
        internal static readonly FindingDefinition BannerTooLong = Define("MTLS010", "BannerTooLong", F, F,
            "The server's greeting or reply was longer than any mail server sends (banner too long).",
            "Make sure the port is a mail service; a server that floods clients is misconfigured or hostile.");
        internal static readonly FindingDefinition UnexpectedReply = Define("MTLS011", "UnexpectedReply", E, E,
            "The server's reply is not valid for the protocol (garbage, or another service on this port).",
            "Check that the port runs the protocol you asked for (-Protocol), or probe the right port.");
        internal static readonly FindingDefinition ServiceNotReady = Define("MTLS012", "ServiceNotReady", E, E,
            "The server refused the session in its greeting (SMTP 421/554, IMAP BYE, POP3 -ERR).",
            "The service is up but not accepting clients: check its log and limits.");

        // STARTTLS.
        internal static readonly FindingDefinition StartTlsNotOffered = Define("MTLS020", "StartTlsNotOffered", F, F,
            "The server does not offer STARTTLS (STLS for POP3): mail on this port is sent in plaintext.",
            "Enable STARTTLS on the server (Postfix smtpd_tls_security_level, Dovecot ssl = yes) or use the implicit-TLS port (465, 993, 995).");
        internal static readonly FindingDefinition StartTlsRefused = Define("MTLS021", "StartTlsRefused", F, F,
            "The server advertised STARTTLS but refused it (e.g. 454 TLS not available).",
            "Fix the server's TLS configuration (certificate and key files readable, TLS enabled for this listener).");
        internal static readonly FindingDefinition StartTlsClosed = Define("MTLS022", "StartTlsClosed", F, F,
            "The server closed the connection during or right after STARTTLS.",
            "Fix the server's TLS configuration; its log says why the handshake was abandoned.");
        internal static readonly FindingDefinition StartTlsInjection = Define("MTLS023", "StartTlsInjection", F, F,
            "Bytes arrived after the STARTTLS reply and before the TLS handshake (STARTTLS injection, CVE-2011-0411 class).",
            "Upgrade or fix the server (or the middlebox in front of it): it must not buffer plaintext across STARTTLS.");
        internal static readonly FindingDefinition ImapPreAuth = Define("MTLS024", "ImapPreAuth", F, F,
            "The IMAP server greeted with PREAUTH, so STARTTLS is impossible: the session stays in plaintext.",
            "Disable pre-authentication on plaintext connections, or use IMAP over implicit TLS (993).");
        internal static readonly FindingDefinition PlaintextSessionStartTlsAvailable = Define("MTLS025", "PlaintextSessionStartTlsAvailable", W, F,
            "The session was not encrypted (-Security None), although the server offers STARTTLS.",
            "Set the client to STARTTLS on this port, or to SSL/TLS on the implicit-TLS port.");
        internal static readonly FindingDefinition PlaintextSession = Define("MTLS026", "PlaintextSession", F, F,
            "The session was not encrypted and the server offers no STARTTLS: everything, passwords included, crosses the network in plaintext.",
            "Enable TLS on the server and set the clients to SSL/TLS or STARTTLS.");
        internal static readonly FindingDefinition PlaintextOnImplicitPort = Define("MTLS027", "PlaintextOnImplicitPort", F, F,
            "The server sent a plaintext greeting on a port probed as implicit TLS.",
            "Enable TLS on this listener (Postfix smtpd_tls_wrappermode, Dovecot ssl = yes on imaps/pop3s), or use -Security StartTls if this is a STARTTLS port.");
        internal static readonly FindingDefinition TlsOnPlaintextPort = Define("MTLS028", "TlsOnPlaintextPort", F, F,
            "The server speaks TLS from the first byte on a port probed as plaintext/STARTTLS.",
            "Probe and configure clients with -Security Implicit (\"Use SSL\") for this port.");

        internal static readonly FindingDefinition SecurityNotAllowed = Define("MTLS029", "SecurityNotAllowed", F, F,
            "The endpoint's security mode is not one the policy allows for this protocol and port.",
            "Move the service (and its clients) to a mode the policy allows, e.g. implicit TLS on 465, 993 or 995; or change the policy's AllowedSecurity if the rule is wrong.");

        // Authentication before TLS.
        internal static readonly FindingDefinition PlaintextLoginBeforeTls = Define("MTLS030", "PlaintextLoginBeforeTls", W, F,
            "Login is offered before TLS (SMTP AUTH in the first EHLO, IMAP without LOGINDISABLED, POP3 USER or SASL before STLS): a client that skips STARTTLS sends its password in plaintext.",
            "Allow authentication only after TLS (Postfix smtpd_tls_auth_only = yes, Dovecot disable_plaintext_auth = yes).");

        // TLS.
        internal static readonly FindingDefinition HandshakeFailed = Define("MTLS040", "HandshakeFailed", F, F,
            "The TLS handshake failed.",
            "Check the server's TLS configuration: certificate, key, protocol versions and cipher suites.");
        internal static readonly FindingDefinition LegacyTlsNegotiated = Define("MTLS041", "LegacyTlsNegotiated", F, F,
            "The server negotiated a TLS version below the policy's minimum (TLS 1.2 unless the policy says otherwise; RFC 8996 deprecates TLS 1.0 and 1.1).",
            "Enable TLS 1.2 and TLS 1.3 on the server and disable TLS 1.0 and 1.1.");
        internal static readonly FindingDefinition LegacyTlsAccepted = Define("MTLS042", "LegacyTlsAccepted", W, F,
            "The server still accepts a TLS version below the policy's minimum (TLS 1.0 or 1.1 by default) from clients that offer nothing newer.",
            "Disable TLS 1.0 and 1.1 on the server (Postfix smtpd_tls_protocols = >=TLSv1.2, Dovecot ssl_min_protocol = TLSv1.2).");
        internal static readonly FindingDefinition WeakCipher = Define("MTLS043", "WeakCipher", F, F,
            "The negotiated cipher suite is weak (RC4, DES/3DES, NULL, EXPORT, anonymous or MD5).",
            "Restrict the server to AEAD cipher suites (AES-GCM, ChaCha20-Poly1305).");
        internal static readonly FindingDefinition PlatformTlsRefused = Define("MTLS044", "PlatformTlsRefused", F, F,
            "This machine's TLS library cannot complete a handshake with the server, although the server speaks TLS 1.2 or later; clients using the same library fail too.",
            "Look at the error quoted: usually the server's certificate signature, key or cipher suites are below what current TLS libraries accept. Modernise them.");
        internal static readonly FindingDefinition TlsVersionsIncomplete = Define("MTLS045", "TlsVersionsIncomplete", W, W,
            "Not every TLS version could be tested before the probe's time ran out, so AcceptedTlsVersions may be incomplete.",
            "Probe again with a larger -TimeoutSeconds.");

        // Certificate.
        internal static readonly FindingDefinition CertificateExpired = Define("MTLS050", "CertificateExpired", F, F,
            "The server certificate has expired.",
            "Renew the certificate and reload the mail service.");
        internal static readonly FindingDefinition CertificateNotYetValid = Define("MTLS051", "CertificateNotYetValid", F, F,
            "The server certificate is not yet valid (its start date is in the future).",
            "Check the server's and this machine's clocks, or reissue the certificate with a correct start date.");
        internal static readonly FindingDefinition CertificateExpiringSoon = Define("MTLS052", "CertificateExpiringSoon", W, F,
            "The server certificate expires sooner than the policy's minimum days to expiry (30 unless the policy says otherwise).",
            "Renew the certificate now; automate renewal (ACME) so it cannot lapse.");
        internal static readonly FindingDefinition NameMismatch = Define("MTLS053", "NameMismatch", F, F,
            "The certificate is not valid for the server name (name mismatch).",
            "Use the name the certificate was issued for (-ServerName), or issue a certificate whose subject alternative names include this name.");
        internal static readonly FindingDefinition UntrustedRoot = Define("MTLS054", "UntrustedRoot", F, F,
            "The certificate chain ends in a root this machine does not trust (untrusted root).",
            "Install the provider's root CA (Import-MailRootCa), pass it with -TrustedRootCertificate, or use a publicly trusted certificate.");
        internal static readonly FindingDefinition SelfSigned = Define("MTLS055", "SelfSigned", F, F,
            "The server certificate is self-signed.",
            "Replace it with a certificate from a CA; clients that accepted it hold an exemption to delete once the CA is trusted.");
        internal static readonly FindingDefinition IncompleteChain = Define("MTLS056", "IncompleteChain", F, F,
            "The chain is incomplete: the server did not send its intermediate certificate.",
            "Configure the server with the full chain file (leaf, then intermediates), e.g. Postfix smtpd_tls_chain_files or Dovecot ssl_cert with the chain appended.");
        internal static readonly FindingDefinition WrongKeyUsage = Define("MTLS057", "WrongKeyUsage", F, F,
            "The certificate's key usage or extended key usage does not allow TLS server authentication (key usage).",
            "Issue a server certificate with extended key usage serverAuth and key usage digitalSignature (and keyEncipherment for RSA).");
        internal static readonly FindingDefinition WeakKey = Define("MTLS058", "WeakKey", F, F,
            "The certificate's key is too small (weak key: RSA below 2048 bits, EC below 256 bits).",
            "Issue a new certificate with an RSA 2048+ or ECDSA P-256+ key.");
        internal static readonly FindingDefinition Sha1Signature = Define("MTLS059", "Sha1Signature", F, F,
            "A certificate in the chain is signed with SHA-1 or MD5 (weak signature).",
            "Reissue the certificate (and intermediate) with a SHA-256 or stronger signature.");
        internal static readonly FindingDefinition ChainInvalid = Define("MTLS060", "ChainInvalid", F, F,
            "The certificate chain is invalid for another reason (see ChainStatus), for example an expired intermediate.",
            "Look at ChainStatus and the certificates; reissue or reconfigure the chain.");
        internal static readonly FindingDefinition CertificateUnparsable = Define("MTLS061", "CertificateUnparsable", F, F,
            "The server's certificate could not be decoded (malformed extension, key or name).",
            "Reissue the certificate with a standard CA tool; clients will reject this one.");

        // Information.
        internal static readonly FindingDefinition ObservedWithFallbackStack = Define("MTLS070", "ObservedWithFallbackStack", I, I,
            "This machine's TLS library refused the server, so the probe observed the handshake with its own TLS stack (BouncyCastle) and sent no mail commands over it.",
            "Nothing to do on this machine; the other findings say what to fix on the server.");

        // A mail client's account settings (Get-ClientSsl).
        internal static readonly FindingDefinition ClientPlaintext = Define("MTLS080", "ClientPlaintext", F, F,
            "The account connects without TLS: its password and its mail cross the network readable by anyone on the path.",
            "Switch it to SSL/TLS: Set-ClientSsl -Security Implicit (or StartTls), after checking the server with Test-MailEndpoint.");
        internal static readonly FindingDefinition ClientTlsOpportunistic = Define("MTLS081", "ClientTlsOpportunistic", F, F,
            "The account uses TLS only when the server offers STARTTLS; an attacker on the path can remove the offer and read the session.",
            "Make TLS required: Set-ClientSsl -Security StartTls (or Implicit).");
        internal static readonly FindingDefinition ClientPortModeMismatch = Define("MTLS082", "ClientPortModeMismatch", W, F,
            "The port does not fit the security mode (SSL on a STARTTLS port such as 143, or STARTTLS or plaintext on an SSL port such as 993): the connection fails or is not what the setting says.",
            "Set mode and port together: Set-ClientSsl -Security Implicit|StartTls picks the matching port (993/995/465 for SSL, 143/110/587 for STARTTLS).");
        internal static readonly FindingDefinition ClientPollTooOften = Define("MTLS083", "ClientPollTooOften", W, W,
            "The client checks for new mail more often than every 5 minutes; servers may throttle or block it.",
            "Check every 10 to 15 minutes, or use IMAP IDLE where the client has it.");
        internal static readonly FindingDefinition ClientCertificateCheckOff = Define("MTLS084", "ClientCertificateCheckOff", F, F,
            "The client is told not to verify the server's certificate: TLS then does not stop an attacker who presents their own.",
            "Turn certificate checking back on; if the server uses a private CA, import it (Import-MailRootCa) instead of disabling the check.");
        internal static readonly FindingDefinition ClientTlsUnsupported = Define("MTLS085", "ClientTlsUnsupported", W, F,
            "This client version cannot use SSL/TLS for this protocol (for example Netscape 4.7x: IMAP only, not POP3).",
            "Upgrade the client, or use a protocol it can secure (IMAP instead of POP3).");

        private static List<FindingDefinition>? all;

        /// <summary>Every finding, by id.</summary>
        public static IReadOnlyList<FindingDefinition> All => all!;

        private static FindingDefinition Define(string id, string name, FindingSeverity baseline, FindingSeverity strict, string summary, string remediation)
        {
            var definition = new FindingDefinition(id, name, baseline, strict, summary, remediation);
            (all ??= new List<FindingDefinition>()).Add(definition);
            return definition;
        }

        /// <summary>Looks a finding up by id or name.</summary>
        /// <param name="idOrName">MTLSnnn or the name.</param>
        /// <returns>The definition, or null.</returns>
        public static FindingDefinition? Find(string idOrName) =>
            All.FirstOrDefault(d => string.Equals(d.Id, idOrName, System.StringComparison.OrdinalIgnoreCase)
                                 || string.Equals(d.Name, idOrName, System.StringComparison.OrdinalIgnoreCase));
    }
}
