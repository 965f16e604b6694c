using MailTls.Tls;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>
    /// The weak-cipher rule. Debian's OpenSSL 3 cannot serve such suites at all, so no real server here can show
    /// the finding end to end; the rule itself is checked on the names both TLS paths report.
    /// </summary>
    public class CipherSuiteRatingTests
    {
        [Theory]
        [InlineData("TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA")]
        [InlineData("TLS_RSA_WITH_RC4_128_SHA")]
        [InlineData("TLS_RSA_WITH_DES_CBC_SHA")]
        [InlineData("TLS_RSA_WITH_NULL_SHA256")]
        [InlineData("TLS_RSA_EXPORT_WITH_RC4_40_MD5")]
        [InlineData("TLS_DH_anon_WITH_AES_128_CBC_SHA")]
        [InlineData("RsaKeyX TripleDes 168 Sha1")]
        [InlineData("RsaKeyX Des 56 Sha1")]
        [InlineData("RsaKeyX Rc4 128 Md5")]
        public void Weak_suites_are_weak(string name) => Assert.True(CipherSuiteRating.IsWeak(name));

        [Theory]
        [InlineData("TLS_AES_256_GCM_SHA384")]
        [InlineData("TLS_CHACHA20_POLY1305_SHA256")]
        [InlineData("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA")]
        [InlineData("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")]
        [InlineData("44550 Aes256 256 Sha384")]
        public void Strong_suites_are_not(string name) => Assert.False(CipherSuiteRating.IsWeak(name));
    }
}
