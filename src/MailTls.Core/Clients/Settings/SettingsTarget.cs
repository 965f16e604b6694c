using System;
using System.Collections.Generic;
using System.Linq;

namespace MailTls.Clients.Settings
{
    /// <summary>
    /// An application's "Use SSL / Use StartTls / Port" settings (the building-automation station's EmailService of the
    /// seeds, an appsettings.json, a device's config): which file, which keys, for which protocol.
    /// </summary>
    public sealed class SettingsTarget
    {
        /// <summary>Builds and checks a target.</summary>
        /// <param name="path">The settings file (a .zip holds it as an entry).</param>
        /// <param name="map">Keys UseSsl, UseStartTls, Port and optionally HostName, each the place of that setting in the file.</param>
        /// <param name="protocol">The protocol the settings are for.</param>
        /// <param name="format">The format; null: from the file's extension (or the entry's, in a zip).</param>
        /// <param name="entry">The entry of a zip archive that holds the settings; null: its only entry.</param>
        /// <exception cref="ArgumentNullException">A required argument is null.</exception>
        /// <exception cref="ClientConfigException">The map is ambiguous or incomplete (ErrorId MapInvalid), or the format cannot be told.</exception>
        public SettingsTarget(string path, IDictionary<string, string> map, MailProtocol protocol, SettingsFormat? format = null, string? entry = null)
        {
            Path = path ?? throw new ArgumentNullException(nameof(path));
            if (map == null)
            {
                throw new ArgumentNullException(nameof(map));
            }

            var known = new[] { "UseSsl", "UseStartTls", "Port", "HostName" };
            var unknown = map.Keys.Where(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (unknown.Length > 0)
            {
                throw Invalid(path, $"-Map has keys MailTls does not know ({string.Join(", ", unknown)}). Use UseSsl, UseStartTls, Port and optionally HostName.");
            }

            string? Get(string key) => map.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value is string v && v.Trim().Length > 0 ? v.Trim() : null;
            UseSsl = Get("UseSsl");
            UseStartTls = Get("UseStartTls");
            Port = Get("Port") ?? throw Invalid(path, "-Map needs Port: the mode and the port always change together.");
            HostName = Get("HostName");
            if (UseSsl == null && UseStartTls == null)
            {
                throw Invalid(path, "-Map needs UseSsl or UseStartTls (or both): the settings that choose the mode.");
            }

            var keys = new[] { UseSsl, UseStartTls, Port, HostName }.Where(k => k != null).ToArray();
            var twice = keys.GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
            if (twice.Length > 0)
            {
                throw Invalid(path, $"-Map gives two settings the same place ({string.Join(", ", twice)}): each must have its own key.");
            }

            Protocol = protocol;
            Entry = entry;

            // In an archive without a named entry the format comes from the entry found there (see SettingsConfigurator).
            Format = format ?? FormatOf(entry ?? path) ?? (IsArchive && entry == null ? (SettingsFormat?)null : throw Invalid(path,
                $"MailTls cannot tell the format of '{entry ?? path}' from its name. Give -SettingsFormat Json, Xml or Ini."));
        }

        /// <summary>The settings file.</summary>
        public string Path { get; }

        /// <summary>Where "Use SSL" (implicit TLS) is, or null.</summary>
        public string? UseSsl { get; }

        /// <summary>Where "Use StartTls" is, or null.</summary>
        public string? UseStartTls { get; }

        /// <summary>Where the port is.</summary>
        public string Port { get; }

        /// <summary>Where the server's name is, or null.</summary>
        public string? HostName { get; }

        /// <summary>The protocol.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>The format of the settings (of the entry, in a zip); null: the format of the archive's only entry.</summary>
        public SettingsFormat? Format { get; }

        /// <summary>The zip entry, or null.</summary>
        public string? Entry { get; }

        /// <summary>Whether the file is a zip archive.</summary>
        public bool IsArchive => Path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || Path.EndsWith(".bog", StringComparison.OrdinalIgnoreCase) || Entry != null;

        internal static SettingsFormat? FormatOf(string name)
        {
            var extension = System.IO.Path.GetExtension(name).ToLowerInvariant();
            return extension switch
            {
                ".json" => SettingsFormat.Json,
                ".xml" or ".config" => SettingsFormat.Xml,
                ".ini" or ".cfg" or ".conf" => SettingsFormat.Ini,
                _ => null,
            };
        }

        private static ClientConfigException Invalid(string path, string message) => new ClientConfigException("MapInvalid", path, message);
    }
}
