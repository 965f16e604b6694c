using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using MailTls.Tls;

namespace MailTls.Trust
{
    /// <summary>A problem that stops a certificate from being imported as a root.</summary>
    public sealed class RootCaProblem
    {
        internal RootCaProblem(string errorId, string message)
        {
            ErrorId = errorId;
            Message = message;
        }

        /// <summary>CertificateNotCa, CertificateNotRoot, CertificateNotYetValid, CertificateExpired, CertificateHasPrivateKey.</summary>
        public string ErrorId { get; }

        /// <summary>What is wrong and what to do.</summary>
        public string Message { get; }
    }

    /// <summary>The checks a certificate passes before it may become a trusted root.</summary>
    public static class RootCaCandidate
    {
        /// <summary>Whether the certificate may be imported, and the warnings (weak key, SHA-1) it deserves.</summary>
        /// <param name="certificate">The candidate.</param>
        /// <param name="allowSelfSignedLeaf">Accept a self-signed server certificate that is not a CA.</param>
        /// <param name="warnings">Reasons to warn that do not stop the import.</param>
        /// <returns>The problem that stops it, or null.</returns>
        public static RootCaProblem? Check(X509Certificate2 certificate, bool allowSelfSignedLeaf, out IReadOnlyList<string> warnings)
        {
            if (certificate is null)
            {
                throw new ArgumentNullException(nameof(certificate));
            }

            var found = new List<string>();
            warnings = found;
            if (certificate.HasPrivateKey)
            {
                return new RootCaProblem("CertificateHasPrivateKey",
                    $"'{certificate.Subject}' comes with its private key. Import only the certificate (a .crt, .cer or .pem file without the key); never hand a private key to a trust store.");
            }

            var isCa = CertificateFacts.IsCa(certificate);
            var selfSigned = CertificateFacts.IsSelfSigned(certificate);
            if (!isCa && !(allowSelfSignedLeaf && selfSigned))
            {
                return new RootCaProblem("CertificateNotCa",
                    $"'{certificate.Subject}' is not a CA certificate (no basic constraints CA=true). Import your provider's root CA" +
                    (selfSigned ? ", or add -AllowSelfSignedLeaf to trust this self-signed server certificate itself." : "; a server certificate issued by a CA is trusted through that CA."));
            }

            if (isCa && !selfSigned)
            {
                return new RootCaProblem("CertificateNotRoot",
                    $"'{certificate.Subject}' is an intermediate CA (issued by '{certificate.Issuer}'), not a root: stores anchor trust on roots. Import the root that issued it.");
            }

            if (certificate.NotBefore.ToUniversalTime() > DateTime.UtcNow)
            {
                return new RootCaProblem("CertificateNotYetValid",
                    $"'{certificate.Subject}' is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC. Check this machine's clock, or get a current certificate.");
            }

            if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
            {
                return new RootCaProblem("CertificateExpired",
                    $"'{certificate.Subject}' expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}. Get the provider's current root certificate.");
            }

            var weakSignatures = new[] { "1.2.840.113549.1.1.5", "1.2.840.10045.4.1", "1.2.840.113549.1.1.4", "1.2.840.10040.4.3" };
            if (weakSignatures.Contains(certificate.SignatureAlgorithm.Value))
            {
                found.Add($"'{certificate.Subject}' is signed with {certificate.SignatureAlgorithm.FriendlyName ?? certificate.SignatureAlgorithm.Value} (SHA-1 or MD5), which current clients reject.");
            }

            using (var rsa = certificate.GetRSAPublicKey())
            {
                if (rsa != null && rsa.KeySize < 2048)
                {
                    found.Add($"'{certificate.Subject}' has a weak RSA {rsa.KeySize}-bit key.");
                }
            }

            using (var ec = certificate.GetECDsaPublicKey())
            {
                if (ec != null && ec.KeySize < 256)
                {
                    found.Add($"'{certificate.Subject}' has a weak EC {ec.KeySize}-bit key.");
                }
            }

            if (certificate.PublicKey.Oid.Value == "1.2.840.10040.4.1")
            {
                found.Add($"'{certificate.Subject}' has a DSA key, which TLS no longer uses.");
            }

            return null;
        }

        /// <summary>Whether <paramref name="pin"/> is a fingerprint at all: 40 (SHA-1) or 64 (SHA-256) hex digits, separators aside.</summary>
        public static bool IsFingerprint(string pin)
        {
            var text = pin ?? string.Empty;
            var hex = text.Count(Uri.IsHexDigit);
            return (hex == 40 || hex == 64) && text.All(c => Uri.IsHexDigit(c) || c == ':' || c == ' ' || c == '-');
        }

        /// <summary>Whether <paramref name="pin"/> (SHA-256 or SHA-1, hex, any case, any separators) names the certificate.</summary>
        public static bool Matches(X509Certificate2 certificate, string pin)
        {
            var hex = new string((pin ?? string.Empty).Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();
            return hex.Length > 0 && (hex == CertificateEvaluator.Sha256Hex(certificate.RawData) || hex == certificate.Thumbprint.ToUpperInvariant());
        }

        /// <summary>
        /// The certificate to take as the root from a chain a server sent: its self-signed CA, or (with
        /// <paramref name="allowSelfSignedLeaf"/>) a lone self-signed server certificate. Servers usually do not send
        /// their root, and a root cannot be built from what is missing: then there is no candidate.
        /// </summary>
        public static X509Certificate2? FromServerChain(IReadOnlyList<X509Certificate2> chain, bool allowSelfSignedLeaf)
        {
            var last = chain.Count > 0 ? chain[chain.Count - 1] : null;
            if (last == null || !CertificateFacts.IsSelfSigned(last))
            {
                return null;
            }

            return CertificateFacts.IsCa(last) || (allowSelfSignedLeaf && chain.Count == 1) ? last : null;
        }

        /// <summary>The SHA-256 fingerprint, hex, upper case.</summary>
        public static string Sha256(X509Certificate2 certificate) => CertificateEvaluator.Sha256Hex(certificate.RawData);

        /// <summary>The SHA-256 fingerprint as "AB:CD:…", the way people compare it on screen.</summary>
        public static string DisplayFingerprint(X509Certificate2 certificate)
        {
            var hex = CertificateEvaluator.Sha256Hex(certificate.RawData);
            return string.Join(":", Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
        }

        /// <summary>Subject, issuer, validity and SHA-256 fingerprint, for a person to confirm.</summary>
        public static string Describe(X509Certificate2 certificate) => string.Format(CultureInfo.InvariantCulture,
            "Subject: {0}\nIssuer:  {1}\nValid:   {2:yyyy-MM-dd} to {3:yyyy-MM-dd}\nSHA-256: {4}",
            certificate.Subject, certificate.Issuer, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), DisplayFingerprint(certificate));
    }
}
