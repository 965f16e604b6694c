using System;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>
    /// A test that needs the real servers of tests/TestServers (Debian's Postfix and Dovecot, Linux only). Elsewhere
    /// (the Windows and macOS CI jobs) it is reported as skipped, by name, with the reason.
    /// </summary>
    public sealed class RealServerFactAttribute : FactAttribute
    {
        public RealServerFactAttribute()
        {
            Skip = RealServers.SkipReason;
        }
    }

    /// <inheritdoc cref="RealServerFactAttribute" />
    public sealed class RealServerTheoryAttribute : TheoryAttribute
    {
        public RealServerTheoryAttribute()
        {
            Skip = RealServers.SkipReason;
        }
    }

    /// <summary>A test that runs OpenSSL's own s_server (Debian's openssl; the Linux CI jobs). Elsewhere it is skipped, by name.</summary>
    public sealed class OpensslServerFactAttribute : FactAttribute
    {
        public OpensslServerFactAttribute()
        {
            Skip = RealServers.Available ? null : "needs OpenSSL's s_server, as Debian ships it (Linux only)";
        }
    }

    internal static class RealServers
    {
        public static bool Available => OperatingSystem.IsLinux();

        public static string? SkipReason => Available ? null : "needs Debian's Postfix and Dovecot on loopback (Linux only)";
    }
}
