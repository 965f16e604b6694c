using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>Mozilla profiles (Thunderbird, SeaMonkey, Netscape 6/7, Firefox): where they are, whether a client has one open, which version wrote it.</summary>
    internal static class MozillaProfiles
    {
        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>The profiles profiles.ini lists under a root (relative or absolute), else the root's folders with a prefs.js.</summary>
        public static IReadOnlyList<string> Find(string root)
        {
            if (!Directory.Exists(root))
            {
                return Array.Empty<string>();
            }

            var found = new List<string>();
            var ini = Path.Combine(root, "profiles.ini");
            if (File.Exists(ini))
            {
                try
                {
                    foreach (var section in IniDocument.Parse(ConfigText.Read(ini)).Sections.Where(s => s.Name.StartsWith("Profile", StringComparison.Ordinal)))
                    {
                        var path = section["Path"];
                        if (string.IsNullOrEmpty(path))
                        {
                            continue;
                        }

                        var full = section["IsRelative"] == "0" ? path! : Path.Combine(root, path!.Replace('/', Path.DirectorySeparatorChar));
                        if (Directory.Exists(full))
                        {
                            found.Add(Path.GetFullPath(full));
                        }
                    }
                }
                catch (ClientConfigException)
                {
                    // A damaged profiles.ini: fall back to looking at the folders.
                }
            }

            if (found.Count == 0)
            {
                found.AddRange(Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "prefs.js"))));
            }

            return found.Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal).ToArray();
        }

        /// <summary>
        /// Whether a client has the profile open: the "lock" symlink (Linux, macOS) pointing at a live "host:+pid", or a
        /// parent.lock held open (Windows). A stale lock left by a crash, whose process is gone, does not count.
        /// </summary>
        public static bool IsInUse(string profile)
        {
            if (!Directory.Exists(profile))
            {
                return false;
            }

            if (!IsWindows)
            {
                // The symlink points at "host:+pid", which does not exist: only an entry listing sees it.
                var link = Directory.EnumerateFileSystemEntries(profile).FirstOrDefault(e => Path.GetFileName(e) == "lock");
                return link != null && !IsStale(link);
            }

            var parentLock = Path.Combine(profile, "parent.lock");
            if (!File.Exists(parentLock))
            {
                return false;
            }

            try
            {
                using (new FileStream(parentLock, FileMode.Open, FileAccess.Read, FileShare.None))
                {
                    return false;
                }
            }
            catch (IOException)
            {
                return true;
            }
        }

        /// <summary>The version that last ran the profile (compatibility.ini LastVersion, e.g. "128.5.0_20241119"), or null.</summary>
        public static string? Version(string profile)
        {
            var ini = Path.Combine(profile, "compatibility.ini");
            if (!File.Exists(ini))
            {
                return null;
            }

            try
            {
                var last = IniDocument.Parse(ConfigText.Read(ini)).Section("Compatibility")?["LastVersion"];
                return string.IsNullOrEmpty(last) ? null : last!.Split('_')[0];
            }
            catch (ClientConfigException)
            {
                return null;
            }
        }

        /// <summary>The application that last ran the profile, from compatibility.ini's LastAppDir / LastPlatformDir (e.g. ".../seamonkey"), or null.</summary>
        public static string? Application(string profile)
        {
            var ini = Path.Combine(profile, "compatibility.ini");
            if (!File.Exists(ini))
            {
                return null;
            }

            try
            {
                var section = IniDocument.Parse(ConfigText.Read(ini)).Section("Compatibility");
                return section?["LastAppDir"] ?? section?["LastPlatformDir"];
            }
            catch (ClientConfigException)
            {
                return null;
            }
        }

        private static bool IsStale(string link)
        {
#if NET
            // Same machine only: /proc answers for this host's processes; anything else is taken as live.
            var target = new FileInfo(link).LinkTarget;
            var plus = target?.LastIndexOf(":+", StringComparison.Ordinal) ?? -1;
            if (plus < 0 || !Directory.Exists("/proc/self")
                || !int.TryParse(target!.Substring(plus + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return false;
            }

            // Mozilla's own rule: a lock from another machine (a shared home) is live; from this one, live while its process is.
            var address = target.Substring(0, plus);
            var local = System.Net.IPAddress.TryParse(address, out var ip) && (System.Net.IPAddress.IsLoopback(ip)
                || System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                    .SelectMany(n => n.GetIPProperties().UnicastAddresses).Any(u => u.Address.Equals(ip)));
            return local && !Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
#else
            return false;
#endif
        }
    }
}
