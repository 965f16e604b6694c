using System;

namespace MailTls.Tls
{
    /// <summary>Which negotiated cipher suites are weak, whichever TLS stack named them.</summary>
    internal static class CipherSuiteRating
    {
        /// <summary>
        /// RC4, DES and 3DES, NULL, EXPORT, anonymous and MD5 suites, by IANA name (TLS_RSA_WITH_3DES_EDE_CBC_SHA) or by
        /// the algorithm names .NET Framework's SslStream gives ("RsaKeyX TripleDes 168 Sha1").
        /// </summary>
        public static bool IsWeak(string name)
        {
            var upper = name.ToUpperInvariant();
            return upper.Contains("RC4") || upper.Contains("_DES_") || upper.Contains("3DES") || upper.Contains("TRIPLEDES")
                || upper.Contains(" DES ") || upper.Contains("NULL") || upper.Contains("EXPORT") || upper.Contains("ANON")
                || upper.EndsWith("_MD5", StringComparison.Ordinal) || upper.EndsWith(" MD5", StringComparison.Ordinal);
        }
    }
}
