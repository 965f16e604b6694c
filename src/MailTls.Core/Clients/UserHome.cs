using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace MailTls.Clients
{
    /// <summary>A user's home directory and the per-user folders clients keep settings in under it.</summary>
    internal sealed class UserHome
    {
        public UserHome(string path, string? configHome = null, string? appData = null, string? registryRoot = null)
        {
            Path = path;
            ConfigHome = configHome ?? System.IO.Path.Combine(path, ".config");
            AppData = appData ?? System.IO.Path.Combine(path, "AppData", "Roaming");
            RegistryRoot = registryRoot;
        }

        /// <summary>$HOME, %USERPROFILE%.</summary>
        public string Path { get; }

        /// <summary>$XDG_CONFIG_HOME (default ~/.config).</summary>
        public string ConfigHome { get; }

        /// <summary>%APPDATA% (Windows; default under the home).</summary>
        public string AppData { get; }

        /// <summary>The user's registry hive (<c>HKEY_CURRENT_USER</c>, <c>HKEY_USERS\&lt;SID&gt;</c>) where it is loaded; null elsewhere.</summary>
        public string? RegistryRoot { get; }

        /// <summary>~/Library/… on macOS.</summary>
        public string Library(params string[] parts) => System.IO.Path.Combine(new[] { Path, "Library" }.Concat(parts).ToArray());

        public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

        /// <summary>The user running the command, from the environment (so a test or a runbook can point HOME elsewhere).</summary>
        public static UserHome Current()
        {
            var home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            var appData = Environment.GetEnvironmentVariable("APPDATA");
            return new UserHome(home!, string.IsNullOrEmpty(xdg) ? null : xdg, string.IsNullOrEmpty(appData) ? null : appData,
                RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "HKEY_CURRENT_USER" : null);
        }

        /// <summary>Every user's home on this machine (for -AllUsers, run as root or Administrator).</summary>
        public static IReadOnlyList<UserHome> All()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                var users = System.IO.Path.Combine(System.IO.Path.GetPathRoot(Environment.SystemDirectory) ?? "C:\\", "Users");
                var skip = new[] { "Public", "Default", "Default User", "All Users" };
                var hives = LoadedHives(Registry.WindowsRegistryStore.Instance);
                return Directory.Exists(users)
                    ? Directory.GetDirectories(users).Where(d => !skip.Contains(System.IO.Path.GetFileName(d), StringComparer.OrdinalIgnoreCase))
                        .OrderBy(d => d, StringComparer.OrdinalIgnoreCase)
                        .Select(d => new UserHome(d, registryRoot: hives.TryGetValue(System.IO.Path.GetFullPath(d), out var hive) ? hive : null)).ToArray()
                    : Array.Empty<UserHome>();
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                return Directory.Exists("/Users")
                    ? Directory.GetDirectories("/Users").Where(d => System.IO.Path.GetFileName(d) != "Shared").OrderBy(d => d, StringComparer.Ordinal)
                        .Select(d => new UserHome(d)).ToArray()
                    : Array.Empty<UserHome>();
            }

            return PasswdHomes("/etc/passwd");
        }

        /// <summary>
        /// The registry hives of users who are logged on (HKEY_USERS\&lt;SID&gt;), by home folder, from the ProfileList. The
        /// hive of a user who is not logged on is not loaded; <c>reg load</c> it and give its key to -Path.
        /// </summary>
        internal static Dictionary<string, string> LoadedHives(Registry.IRegistryStore registry)
        {
            const string profileList = @"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList";
            var hives = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var sid in registry.SubKeyNames(profileList))
            {
                var image = registry.GetValue(profileList + "\\" + sid, "ProfileImagePath")?.Data as string;
                var hive = @"HKEY_USERS\" + sid;
                if (!string.IsNullOrEmpty(image) && registry.KeyExists(hive))
                {
                    hives[System.IO.Path.GetFullPath(Environment.ExpandEnvironmentVariables(image!))] = hive;
                }
            }

            // The user running the command reaches the same hive as HKEY_CURRENT_USER: one name, so a key's backups
            // are found whichever way it is asked for (Undo-ClientSsl -Path HKCU:\… after Set-ClientSsl -AllUsers).
            var own = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (!string.IsNullOrEmpty(own) && hives.ContainsKey(System.IO.Path.GetFullPath(own)))
            {
                hives[System.IO.Path.GetFullPath(own)] = "HKEY_CURRENT_USER";
            }

            return hives;
        }

        /// <summary>Homes of root and of regular accounts (uid 1000 and up, a real login shell) that exist.</summary>
        internal static IReadOnlyList<UserHome> PasswdHomes(string passwd)
        {
            var homes = new List<string>();
            foreach (var line in File.ReadAllLines(passwd))
            {
                var fields = line.Split(':');
                if (fields.Length < 7 || !int.TryParse(fields[2], out var uid))
                {
                    continue;
                }

                var regular = uid == 0 || (uid >= 1000 && uid < 60000);
                var noLogin = fields[6].EndsWith("nologin", StringComparison.Ordinal) || fields[6].EndsWith("/false", StringComparison.Ordinal);
                if (regular && !noLogin && Directory.Exists(fields[5]) && !homes.Contains(fields[5]))
                {
                    homes.Add(fields[5]);
                }
            }

            return homes.Select(h => new UserHome(h)).ToArray();
        }
    }
}
