using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace MailTls.Clients.Settings
{
    /// <summary>
    /// An application's "Use SSL / Use StartTls / Port" settings (the seeds' station EmailService): the two flags are
    /// mutually exclusive, both may be false, and the port changes with them. One file (or one entry of a zip archive),
    /// keys from the user's map, values written the way the file already writes them.
    /// </summary>
    internal sealed class SettingsConfigurator : ClientConfigurator
    {
        private const string Key = "settings";
        private readonly SettingsTarget _target;
        private SettingsFormat? _format;

        public SettingsConfigurator(SettingsTarget target)
        {
            _target = target;
            _format = target.Format;
        }

        public override MailClient Client => MailClient.Settings;

        public override IEnumerable<ConfigLocation> Locate(UserHome home) => Array.Empty<ConfigLocation>();

        public override ConfigLocation? Recognize(string path) =>
            string.Equals(Path.GetFullPath(path), Path.GetFullPath(_target.Path), StringComparison.Ordinal) && File.Exists(path) ? new ConfigLocation(Path.GetFullPath(path)) : null;

        public override ConfigText Load(string path)
        {
            if (!_target.IsArchive)
            {
                return base.Load(path);
            }

            try
            {
                using var archive = ZipFile.OpenRead(path);
                var entry = Entry(archive, path);
                _format ??= SettingsTarget.FormatOf(entry.FullName) ?? SettingsFormat.Xml;
                return ConfigText.FromText(path, ConfigText.Decode(ReadAll(entry)));
            }
            catch (InvalidDataException ex)
            {
                throw new ClientConfigException("ConfigMalformed", path, $"'{path}' is not a readable zip archive ({ex.Message}). Nothing was changed.", ex);
            }
        }

        public override byte[] Render(string path, string text)
        {
            if (!_target.IsArchive)
            {
                return base.Render(path, text);
            }

            // A new archive with every entry as it was (names, order, times, Unix modes, comments; stored entries stay
            // stored), and the settings entry's new text in the encoding it had.
            using var output = new MemoryStream();
            using (var source = ZipFile.OpenRead(path))
            using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            {
                var settings = Entry(source, path);
#if NET
                archive.Comment = source.Comment;
#endif
                foreach (var entry in source.Entries)
                {
                    // An entry kept without compression (an ODF or EPUB "mimetype") stays so.
                    var stored = entry.CompressedLength == entry.Length;
                    var copy = archive.CreateEntry(entry.FullName, stored ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
                    copy.LastWriteTime = entry.LastWriteTime;
#if NET
                    copy.ExternalAttributes = entry.ExternalAttributes;
                    copy.Comment = entry.Comment;
#endif
                    var bytes = entry == settings ? ConfigText.Encode(ReadAll(entry), text) : ReadAll(entry);
                    using var target = copy.Open();
                    target.Write(bytes, 0, bytes.Length);
                }
            }

            return output.ToArray();
        }

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var text = Load(location.Path);
            var ssl = _target.UseSsl == null ? null : Flag(text, _target.UseSsl);
            var startTls = _target.UseStartTls == null ? null : Flag(text, _target.UseStartTls);
            var portSpot = Value(text, _target.Port);
            var hostSpot = _target.HostName == null ? null : Value(text, _target.HostName);

            // Two keys of the map that select the same setting (/A/Port and //Port) would write it twice.
            var spots = new[] { ssl, startTls, portSpot, hostSpot }.Where(x => x != null).Select(x => x!).ToArray();
            var shared = spots.GroupBy(x => x.Start).FirstOrDefault(g => g.Count() > 1);
            if (shared != null)
            {
                throw new ClientConfigException("MapInvalid", location.Path,
                    $"-Map's keys {string.Join(" and ", shared.Select(x => "'" + x.Key + "'"))} select the same setting in '{location.Path}': each must name its own.");
            }

            if (!int.TryParse(portSpot.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port < 1 || port > 65535)
            {
                throw new ClientConfigException("ConfigMalformed", location.Path, $"'{_target.Port}' in '{location.Path}' is '{portSpot.Value}', not a port number.");
            }

            var host = hostSpot?.Value;
            return new[]
            {
                new AccountRecord
                {
                    Account = Path.GetFileName(location.Path) + (_target.Entry != null ? "!" + _target.Entry : string.Empty),
                    Role = _target.Protocol == MailProtocol.Smtp ? MailRole.Outgoing : MailRole.Incoming,
                    Protocol = _target.Protocol,
                    HostName = host ?? string.Empty,
                    Port = port,
                    // Both true is a contradiction the seeds forbid: read as implicit TLS, but not as at any target, so a
                    // switch always writes the other flag false.
                    Security = ssl?.IsTrue == true ? MailSecurity.Implicit : startTls?.IsTrue == true ? MailSecurity.StartTls : MailSecurity.None,
                    BothFlags = ssl?.IsTrue == true && startTls?.IsTrue == true,
                    ConfigPath = location.Path,
                    Key = Key,
                },
            };
        }

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var text = Load(location.Path);
            if (target.Security == MailSecurity.StartTls && _target.UseStartTls == null)
            {
                throw new ClientConfigException("MapInvalid", location.Path, "-Security StartTls needs UseStartTls in -Map: the setting that turns STARTTLS on.");
            }

            if (target.Security == MailSecurity.Implicit && _target.UseSsl == null)
            {
                throw new ClientConfigException("MapInvalid", location.Path, "-Security Implicit needs UseSsl in -Map: the setting that turns SSL (implicit TLS) on.");
            }

            var edits = new List<SettingEdit?>();
            if (_target.UseSsl != null)
            {
                edits.Add(SetFlag(text, _target.UseSsl, target.Security == MailSecurity.Implicit));
            }

            if (_target.UseStartTls != null)
            {
                edits.Add(SetFlag(text, _target.UseStartTls, target.Security == MailSecurity.StartTls));
            }

            edits.Add(Set(text, _target.Port, target.Port.ToString(CultureInfo.InvariantCulture), number: true));
            if (target.HostName != null)
            {
                if (_target.HostName == null)
                {
                    throw new ClientConfigException("MapInvalid", location.Path, "A new host needs HostName in -Map: the setting that names the server.");
                }

                edits.Add(Set(text, _target.HostName, target.HostName, number: false));
            }

            return edits.Where(e => e != null).Select(e => e!).ToArray();
        }

        /// <summary>A setting that has a value (a JSON null has none whose type MailTls could keep).</summary>
        private SettingSpot Value(ConfigText text, string key)
        {
            var spot = SettingsDocument.Find(text, Format, key);
            if (spot.Kind == SpotKind.JsonNull)
            {
                throw new ClientConfigException("MapKeyMissing", text.Path, $"'{key}' in '{text.Path}' is null; MailTls changes values that are there. Give it a value first.");
            }

            return spot;
        }

        private SettingSpot Flag(ConfigText text, string key)
        {
            var spot = Value(text, key);
            if (!spot.IsFlag)
            {
                throw new ClientConfigException("ConfigMalformed", text.Path, $"'{key}' in '{text.Path}' is '{spot.Value}', not true or false.");
            }

            return spot;
        }

        private SettingEdit? SetFlag(ConfigText text, string key, bool on)
        {
            var spot = Flag(text, key);
            return spot.IsTrue == on ? null
                : new SettingEdit(text.Path, key, spot.Value, on ? "true" : "false", new TextEdit(spot.Start, spot.Length, spot.FlagLiteral(on)));
        }

        private SettingEdit? Set(ConfigText text, string key, string value, bool number)
        {
            var spot = Value(text, key);
            if (spot.Value.Trim() == value)
            {
                return null;
            }

            // A JSON number stays a number, a JSON string a string; XML and INI text is text.
            var literal = spot.Kind == SpotKind.JsonNumber && number ? value : spot.Literal(value);
            return new SettingEdit(text.Path, key, spot.Value, value, new TextEdit(spot.Start, spot.Length, literal));
        }

        /// <summary>The settings' format, known once the file (or the archive's entry) has been read.</summary>
        private SettingsFormat Format => _format ?? SettingsFormat.Xml;

        private static byte[] ReadAll(ZipArchiveEntry entry)
        {
            using var content = entry.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            return copy.ToArray();
        }

        private ZipArchiveEntry Entry(ZipArchive archive, string path)
        {
            var entries = archive.Entries.Where(e => e.Name.Length > 0).ToArray();
            var entry = _target.Entry != null
                ? entries.FirstOrDefault(e => string.Equals(e.FullName, _target.Entry, StringComparison.Ordinal))
                : entries.Length == 1 ? entries[0] : null;
            return entry ?? throw new ClientConfigException("MapKeyMissing", path, _target.Entry != null
                ? $"'{path}' has no entry '{_target.Entry}'. Its entries: {string.Join(", ", entries.Select(e => e.FullName))}."
                : $"'{path}' holds {entries.Length} files; name the one with the settings with -Entry ({string.Join(", ", entries.Select(e => e.FullName))}).");
        }
    }
}
