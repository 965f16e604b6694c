using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Microsoft.Win32;

namespace MailTls.Clients.Registry
{
    /// <summary>The machine's registry through Microsoft.Win32.Registry; on other systems a registry with nothing in it.</summary>
    internal sealed class WindowsRegistryStore : IRegistryStore
    {
        public static WindowsRegistryStore Instance { get; } = new WindowsRegistryStore();

        public bool Available => IsWindows();

        public bool KeyExists(string path)
        {
            if (!IsWindows())
            {
                return false;
            }

            using var key = Open(path, writable: false);
            return key != null;
        }

        public IReadOnlyList<string> SubKeyNames(string path)
        {
            if (!IsWindows())
            {
                return Array.Empty<string>();
            }

            using var key = Open(path, writable: false);
            return key?.GetSubKeyNames() ?? Array.Empty<string>();
        }

        public RegistryData? GetValue(string path, string name)
        {
            if (!IsWindows())
            {
                return null;
            }

            using var key = Open(path, writable: false);

            // Value names are case-insensitive, as the registry's own look-up is (a setup tool's "POP3 port" is
            // Outlook's "POP3 Port"). Unexpanded: a REG_EXPAND_SZ is shown and kept as the client wrote it.
            var data = key?.GetValue(name, null, RegistryValueOptions.DoNotExpandEnvironmentNames);
            return data == null ? null : new RegistryData(ToKind(key!.GetValueKind(name)), data);
        }

        public void SetValue(string path, string name, RegistryData value)
        {
            if (!IsWindows())
            {
                throw new PlatformNotSupportedException("Only Windows has a registry.");
            }

            using var key = Open(path, writable: true) ?? throw new System.IO.IOException($"The registry key '{path}' no longer exists.");
            key.SetValue(name, value.Data, FromKind(value.Kind));
        }

        public void DeleteValue(string path, string name)
        {
            if (!IsWindows())
            {
                return;
            }

            using var key = Open(path, writable: true);
            key?.DeleteValue(name, throwOnMissingValue: false);
        }

#if NET
        [System.Runtime.Versioning.SupportedOSPlatformGuard("windows")]
#endif
        private static bool IsWindows() => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

#if NET
        [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
        private static RegistryKey? Open(string path, bool writable)
        {
            var slash = path.IndexOf('\\');
            var hiveName = slash < 0 ? path : path.Substring(0, slash);
            RegistryKey? hive = hiveName.ToUpperInvariant() switch
            {
                "HKEY_CURRENT_USER" => Microsoft.Win32.Registry.CurrentUser,
                "HKEY_USERS" => Microsoft.Win32.Registry.Users,
                "HKEY_LOCAL_MACHINE" => Microsoft.Win32.Registry.LocalMachine,
                _ => null,
            };
            if (hive == null)
            {
                return null;
            }

            if (slash < 0)
            {
                return writable ? null : hive;
            }

            try
            {
                return hive.OpenSubKey(path.Substring(slash + 1), writable);
            }
            catch (System.Security.SecurityException ex)
            {
                throw new UnauthorizedAccessException(ex.Message, ex);
            }
        }

#if NET
        [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
        private static RegistryValueKind ToKind(Microsoft.Win32.RegistryValueKind kind) => kind switch
        {
            Microsoft.Win32.RegistryValueKind.String => RegistryValueKind.String,
            Microsoft.Win32.RegistryValueKind.ExpandString => RegistryValueKind.ExpandString,
            Microsoft.Win32.RegistryValueKind.Binary => RegistryValueKind.Binary,
            Microsoft.Win32.RegistryValueKind.DWord => RegistryValueKind.DWord,
            Microsoft.Win32.RegistryValueKind.MultiString => RegistryValueKind.MultiString,
            Microsoft.Win32.RegistryValueKind.QWord => RegistryValueKind.QWord,
            _ => RegistryValueKind.Unknown,
        };

#if NET
        [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
        private static Microsoft.Win32.RegistryValueKind FromKind(RegistryValueKind kind) => kind switch
        {
            RegistryValueKind.String => Microsoft.Win32.RegistryValueKind.String,
            RegistryValueKind.ExpandString => Microsoft.Win32.RegistryValueKind.ExpandString,
            RegistryValueKind.Binary => Microsoft.Win32.RegistryValueKind.Binary,
            RegistryValueKind.DWord => Microsoft.Win32.RegistryValueKind.DWord,
            RegistryValueKind.MultiString => Microsoft.Win32.RegistryValueKind.MultiString,
            RegistryValueKind.QWord => Microsoft.Win32.RegistryValueKind.QWord,
            _ => throw new ArgumentException($"MailTls does not write {kind} values.", nameof(kind)),
        };
    }
}
