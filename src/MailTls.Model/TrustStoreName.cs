namespace MailTls
{
    /// <summary>The stores a user can name, on this machine.</summary>
    public enum TrustStoreName
    {
        /// <summary>The operating system's store: Debian/Ubuntu ca-certificates, Red Hat ca-trust, the macOS System keychain, Windows LocalMachine Root.</summary>
        System,

        /// <summary>The user's own store: Windows CurrentUser Root, the macOS login keychain, ~/.pki/nssdb on Linux.</summary>
        User,

        /// <summary>NSS databases: Thunderbird, SeaMonkey and Firefox profiles (-ProfilePath, or the ones found).</summary>
        Nss,

        /// <summary>Thunderbird's enterprise policies.json (Certificates.Install).</summary>
        Thunderbird,
    }
}
