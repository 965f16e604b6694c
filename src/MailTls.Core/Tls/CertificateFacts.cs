using System.Linq;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Tls
{
    /// <summary>Small facts about a certificate that several parts of the core ask.</summary>
    internal static class CertificateFacts
    {
        /// <summary>Subject and issuer are the same name.</summary>
        public static bool IsSelfSigned(X509Certificate2 certificate) =>
            certificate.SubjectName.RawData.SequenceEqual(certificate.IssuerName.RawData);

        /// <summary>Basic constraints say CA=true.</summary>
        public static bool IsCa(X509Certificate2 certificate) =>
            certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority == true;
    }
}
