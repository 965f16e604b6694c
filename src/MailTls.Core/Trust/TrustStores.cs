using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MailTls.Trust
{
    /// <summary>Opens the stores a name means on this machine.</summary>
    public static class TrustStores
    {
        private static bool IsMac => System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX);

#if NET
        [System.Runtime.Versioning.SupportedOSPlatformGuard("windows")]
#endif
        private static bool IsWindows => System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows);

        /// <summary>Every store MailTls manages, in the order Get-MailRootCa lists them.</summary>
        public static IReadOnlyList<TrustStoreName> All => new[] { TrustStoreName.System, TrustStoreName.User, TrustStoreName.Nss, TrustStoreName.Thunderbird };

        /// <summary>The stores that matter by default here: the system's.</summary>
        public static IReadOnlyList<TrustStoreName> Defaults => new[] { TrustStoreName.System };

        /// <summary>The stores <paramref name="name"/> means.</summary>
        /// <param name="name">The store name.</param>
        /// <param name="selection">Which profiles, policy file or keychain; null: the ones this machine has.</param>
        /// <exception cref="TrustStoreException">The store is not available on this machine (StoreNotSupported, StoreNotFound).</exception>
        public static IReadOnlyList<ITrustStore> Open(TrustStoreName name, StoreSelection? selection = null)
        {
            selection ??= new StoreSelection();
            switch (name)
            {
                case TrustStoreName.System when IsMac:
                case TrustStoreName.User when IsMac:
                    return new ITrustStore[] { new MacKeychainStore(name == TrustStoreName.System, selection.KeychainPath) };
                case TrustStoreName.Thunderbird:
                    return new ITrustStore[] { new ThunderbirdPolicyStore(selection.PolicyPath ?? ThunderbirdPolicyStore.FindPolicyFile()) };
                case TrustStoreName.System when IsWindows:
                    return new ITrustStore[] { new WindowsTrustStore(System.Security.Cryptography.X509Certificates.StoreLocation.LocalMachine) };
                case TrustStoreName.User when IsWindows:
                    return new ITrustStore[] { new WindowsTrustStore(System.Security.Cryptography.X509Certificates.StoreLocation.CurrentUser) };
                case TrustStoreName.System:
                    if (File.Exists("/usr/sbin/update-ca-certificates"))
                    {
                        return new ITrustStore[] { new DebianTrustStore() };
                    }

                    if (File.Exists("/usr/bin/update-ca-trust"))
                    {
                        return new ITrustStore[] { new RedHatTrustStore() };
                    }

                    throw new TrustStoreException("StoreNotSupported", "System",
                        "MailTls manages the system store on Windows, macOS, Debian and Ubuntu (update-ca-certificates) and Red Hat's kin (update-ca-trust). Use -Store Nss, or import with your system's own tool.");
                case TrustStoreName.User:
                    var user = Path.Combine(Home, ".pki", "nssdb");
                    if (!File.Exists(Path.Combine(user, "cert9.db")))
                    {
                        throw new TrustStoreException("StoreNotFound", user, $"There is no user NSS database at '{user}'. Create it with: certutil -N --empty-password -d sql:{user}");
                    }

                    return new ITrustStore[] { new NssTrustStore(user, name: "User") };
                case TrustStoreName.Nss:
                    var profiles = selection.ProfilePaths?.Count > 0 ? selection.ProfilePaths : FindProfiles();
                    if (profiles.Count == 0)
                    {
                        throw new TrustStoreException("StoreNotFound", "Nss", "No Thunderbird, SeaMonkey or Firefox profile was found. Name one with -ProfilePath.");
                    }

                    return profiles.Select(p => (ITrustStore)new NssTrustStore(CheckProfile(p))).ToArray();
                default:
                    throw new ArgumentOutOfRangeException(nameof(name), name, "No such store.");
            }
        }

        /// <summary>Profiles with an NSS database under the user's Thunderbird, SeaMonkey and Firefox folders.</summary>
        public static IReadOnlyList<string> FindProfiles()
        {
            var roots = new[] { ".thunderbird", ".mozilla-thunderbird", ".mozilla/seamonkey", ".mozilla/firefox" }.Select(r => Path.Combine(Home, r));
            return roots.Where(Directory.Exists)
                .SelectMany(r => Directory.GetDirectories(r))
                .Where(d => File.Exists(Path.Combine(d, "cert9.db")) || File.Exists(Path.Combine(d, "cert8.db")))
                .OrderBy(d => d, StringComparer.Ordinal)
                .ToArray();
        }

        /// <summary>Whether the mail client has the profile open: it would overwrite a change to cert_override.txt from memory when it next saves.</summary>
        public static bool IsProfileInUse(string profile) => Clients.MozillaProfiles.IsInUse(profile);

        private static string CheckProfile(string path)
        {
            if (!File.Exists(Path.Combine(path, "cert9.db")) && !File.Exists(Path.Combine(path, "cert8.db")))
            {
                throw new TrustStoreException("ProfileNotFound", path, $"'{path}' holds no NSS certificate database (cert9.db). Give a Thunderbird, SeaMonkey or Firefox profile folder.");
            }

            return path;
        }

        private static string Home => Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
    }

    /// <summary>Which instance of a store to open, where there can be several.</summary>
    public sealed class StoreSelection
    {
        /// <summary>Profiles (NSS database folders) for Nss; null: the ones found in the user's home.</summary>
        public IReadOnlyList<string>? ProfilePaths { get; set; }

        /// <summary>Thunderbird's policies.json; null: the one Thunderbird reads here.</summary>
        public string? PolicyPath { get; set; }

        /// <summary>A macOS keychain file; null: the System or login keychain.</summary>
        public string? KeychainPath { get; set; }
    }
}
