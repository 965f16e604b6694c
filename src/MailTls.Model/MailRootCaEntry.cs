using System;
using System.Security.Cryptography.X509Certificates;

namespace MailTls
{
    /// <summary>A root certificate MailTls placed in a trust store, as the store itself shows it.</summary>
    public sealed class MailRootCaEntry
    {
        internal MailRootCaEntry(string store, string location, X509Certificate2 certificate, string sha256Fingerprint, string? profilePath = null,
            string? policyPath = null, string? keychainPath = null)
        {
            ProfilePath = profilePath;
            PolicyPath = policyPath;
            KeychainPath = keychainPath;
            Store = store;
            Location = location;
            Certificate = certificate;
            Subject = certificate.Subject;
            Issuer = certificate.Issuer;
            NotAfter = certificate.NotAfter;
            Thumbprint = certificate.Thumbprint;
            Sha256Fingerprint = sha256Fingerprint;
        }

        /// <summary>The store: System, User, Nss or Thunderbird.</summary>
        public string Store { get; }

        /// <summary>Where in the store: a file path, an NSS database and nickname, or a keychain and fingerprint.</summary>
        public string Location { get; }

        /// <summary>The NSS database folder (profile) for Nss and User entries, so Remove-MailRootCa acts on that store alone.</summary>
        public string? ProfilePath { get; }

        /// <summary>The policies.json file for Thunderbird entries, so Remove-MailRootCa acts on that file alone.</summary>
        public string? PolicyPath { get; }

        /// <summary>The keychain for macOS entries, so Remove-MailRootCa acts on that keychain alone.</summary>
        public string? KeychainPath { get; }

        /// <summary>The certificate's subject.</summary>
        public string Subject { get; }

        /// <summary>The certificate's issuer (itself, for a root).</summary>
        public string Issuer { get; }

        /// <summary>End of validity.</summary>
        public DateTime NotAfter { get; }

        /// <summary>SHA-1 thumbprint (hex).</summary>
        public string Thumbprint { get; }

        /// <summary>SHA-256 fingerprint (hex), what -Thumbprint pins.</summary>
        public string Sha256Fingerprint { get; }

        /// <summary>The certificate.</summary>
        public X509Certificate2 Certificate { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Store} {Subject} ({Sha256Fingerprint.Substring(0, 16)}…)";
    }
}
