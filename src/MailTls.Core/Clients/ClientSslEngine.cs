using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MailTls.Clients.Registry;
using MailTls.Files;
using MailTls.Policy;

namespace MailTls.Clients
{
    /// <summary>Which clients' settings to read, and where.</summary>
    public sealed class ClientQuery
    {
        /// <summary>The clients; none: every client MailTls knows.</summary>
        public IReadOnlyList<MailClient>? Clients { get; set; }

        /// <summary>Files or profile folders to read instead of the default locations.</summary>
        public IReadOnlyList<string>? Paths { get; set; }

        /// <summary>Every user's home on the machine instead of the current user's.</summary>
        public bool AllUsers { get; set; }

        /// <summary>The client's version when the settings do not say it (Netscape 4.7x).</summary>
        public string? ClientVersion { get; set; }
    }

    /// <summary>What a read found: the accounts, and the settings that could not be read.</summary>
    public sealed class ClientReadResult
    {
        internal ClientReadResult(IReadOnlyList<ClientAccount> accounts, IReadOnlyList<ClientConfigException> errors)
        {
            Accounts = accounts;
            Errors = errors;
        }

        /// <summary>The accounts, in file order.</summary>
        public IReadOnlyList<ClientAccount> Accounts { get; }

        /// <summary>Files that could not be read (malformed, unrecognised, missing).</summary>
        public IReadOnlyList<ClientConfigException> Errors { get; }
    }

    /// <summary>What an undo did: the files put back from their backups, and the account settings that changed back.</summary>
    public sealed class ClientUndoResult
    {
        internal ClientUndoResult(IReadOnlyList<string> restored, IReadOnlyList<ClientSslChange> changes)
        {
            Restored = restored;
            Changes = changes;
        }

        /// <summary>The files written (none when each already had its backup's content).</summary>
        public IReadOnlyList<string> Restored { get; }

        /// <summary>The account settings that changed back (none for files MailTls reads no accounts from).</summary>
        public IReadOnlyList<ClientSslChange> Changes { get; }
    }

    /// <summary>What Set-ClientSsl would change for one account: the target, every setting before → after, and the warnings.</summary>
    public sealed class ClientSslPlan
    {
        internal ClientSslPlan(ClientAccount account, MailSecurity security, int port, string hostName, IReadOnlyList<ClientSslChange> changes, IReadOnlyList<string> warnings)
        {
            Account = account;
            Security = security;
            Port = port;
            HostName = hostName;
            Changes = changes;
            Warnings = warnings;
        }

        /// <summary>The account as it is now.</summary>
        public ClientAccount Account { get; }

        /// <summary>The mode it goes to.</summary>
        public MailSecurity Security { get; }

        /// <summary>The port it goes to.</summary>
        public int Port { get; }

        /// <summary>The server it goes to.</summary>
        public string HostName { get; }

        /// <summary>Each setting that changes; empty when the account is there already.</summary>
        public IReadOnlyList<ClientSslChange> Changes { get; }

        /// <summary>What the user should know first (POP3 may download all mail again, a client version's limits).</summary>
        public IReadOnlyList<string> Warnings { get; }
    }

    /// <summary>
    /// Reads mail clients' accounts and switches them to SSL/TLS, the same safe way for every format: plan the text
    /// edits, refuse while the client runs, back up, write atomically (keeping permissions and owner), read back and
    /// verify, and put the file back if the result is not what was planned. One engine takes one backup per file,
    /// before its first change, so Undo-ClientSsl puts back the state before the whole command.
    /// </summary>
    public sealed class ClientSslEngine
    {
        private const int MinimumCheckMinutes = 5;
        private readonly IReadOnlyList<ClientConfigurator> _configurators;
        private readonly Dictionary<string, string?> _backups = new Dictionary<string, string?>(StringComparer.Ordinal);

        /// <summary>
        /// Each registry key's backup of this command: its file and the values it holds (it grows when a second change
        /// touches more values of the key). Keyed case-insensitively, as the registry names keys.
        /// </summary>
        private readonly Dictionary<string, (string Path, Dictionary<string, RegistryData?> Values)> _registryBackups =
            new Dictionary<string, (string, Dictionary<string, RegistryData?>)>(StringComparer.OrdinalIgnoreCase);
        private readonly string _stamp = AtomicFile.Stamp();

        /// <summary>An engine over every client MailTls knows.</summary>
        public ClientSslEngine()
            : this(ClientConfigurators.All)
        {
        }

        internal ClientSslEngine(IReadOnlyList<ClientConfigurator> configurators) => _configurators = configurators;

        /// <summary>An engine for one application's settings file, addressed by a map of its keys.</summary>
        /// <param name="target">The file, the keys and the protocol.</param>
        /// <returns>The engine; <see cref="Read"/> with the file's path gives its one account.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
        public static ClientSslEngine ForSettings(Settings.SettingsTarget target) =>
            new ClientSslEngine(new ClientConfigurator[] { new Settings.SettingsConfigurator(target ?? throw new ArgumentNullException(nameof(target))) });

        /// <summary>A hook between the temporary file and the rename (tests inject a crash there).</summary>
        internal Action<string>? BeforeRename { get; set; }

        /// <summary>The accounts the query names.</summary>
        /// <param name="query">Clients and locations.</param>
        /// <returns>Accounts and per-file errors.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
        public ClientReadResult Read(ClientQuery query)
        {
            if (query == null)
            {
                throw new ArgumentNullException(nameof(query));
            }

            var accounts = new List<ClientAccount>();
            var errors = new List<ClientConfigException>();
            foreach (var (configurator, location) in Locations(query, errors))
            {
                try
                {
                    accounts.AddRange(configurator.Read(location).Select(r => ToAccount(configurator.Client, location, r)));
                }
                catch (ClientConfigException ex)
                {
                    errors.Add(ex);
                }
                catch (IOException ex)
                {
                    errors.Add(new ClientConfigException("ConfigUnreadable", location.Path, $"'{location.Path}' could not be read: {ex.Message}", ex));
                }
                catch (UnauthorizedAccessException ex)
                {
                    errors.Add(new ClientConfigException("ConfigAccessDenied", location.Path, $"'{location.Path}' could not be read: {ex.Message} Run as its owner, or as root for -AllUsers.", ex));
                }
            }

            return new ClientReadResult(accounts, errors);
        }

        /// <summary>What switching an account to a mode (and port, and host) would change, read fresh from its file.</summary>
        /// <param name="account">The account (from <see cref="Read"/>; only its client, file and key are used).</param>
        /// <param name="security">The mode.</param>
        /// <param name="port">The port; null: the table's port for the mode.</param>
        /// <param name="hostName">A new server; null: keep it.</param>
        /// <param name="force">Allow plaintext.</param>
        /// <param name="clientVersion">The client's version when the settings do not say it.</param>
        /// <returns>The plan.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="account"/> is null.</exception>
        /// <exception cref="ClientConfigException">The port contradicts the mode, plaintext without force, the client version cannot, the account is gone.</exception>
        public ClientSslPlan Plan(ClientAccount account, MailSecurity security, int? port, string? hostName, bool force, string? clientVersion = null)
        {
            if (account == null)
            {
                throw new ArgumentNullException(nameof(account));
            }

            if (hostName != null && !Endpoints.EndpointParser.IsHostName(hostName) && !System.Net.IPAddress.TryParse(hostName, out _))
            {
                // Written into settings files as it is: a name with spaces, quotes or newlines could add settings of its own.
                throw new ClientConfigException("HostNameInvalid", hostName, $"'{hostName}' is not a host name or an address. Give the server's name, such as mail.example.com.");
            }

            var (configurator, location, current) = Fresh(account, clientVersion);
            var target = new AccountTarget(security, PortModeRule.PortFor(current.Protocol, security, port, force, Describe(current)), hostName);
            var edits = IsAt(current, target) ? Array.Empty<SettingEdit>() : configurator.Plan(location, current, target);
            var warnings = new List<string>();
            if (edits.Count > 0 && current.Protocol == MailProtocol.Pop3 && current.Security != security)
            {
                warnings.Add($"{Describe(current)} is a POP3 account: some clients download every message on the server again after the switch. Empty or archive the server's inbox first if that would be a problem.");
            }

            if (edits.Count > 0 && current.TlsUnsupported != null && security != MailSecurity.None)
            {
                warnings.Add(current.TlsUnsupported);
            }

            if (edits.Count > 0)
            {
                warnings.AddRange(configurator.Caveats(location, current, target));
            }

            var fresh = ToAccount(configurator.Client, location, current);
            var changes = edits.Select(e => new ClientSslChange(fresh.Client, fresh.Account, fresh.Role, fresh.Protocol, e.Path, e.Setting, e.Before, e.After, null)).ToArray();
            return new ClientSslPlan(fresh, security, target.Port, hostName ?? current.HostName, changes, warnings);
        }

        /// <summary>Writes a plan: refuses while the client runs (unless forced), backs up, writes atomically, verifies.</summary>
        /// <param name="plan">The plan from <see cref="Plan"/>.</param>
        /// <param name="force">Write even while the client runs.</param>
        /// <param name="clientVersion">The client's version when the settings do not say it.</param>
        /// <returns>The settings changed, with their backups; empty when nothing had to change.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="plan"/> is null.</exception>
        /// <exception cref="ClientConfigException">The client runs, the write or the check failed (the original is back).</exception>
        /// <exception cref="UnauthorizedAccessException">No permission to write the file.</exception>
        public IReadOnlyList<ClientSslChange> Apply(ClientSslPlan plan, bool force, string? clientVersion = null)
        {
            if (plan == null)
            {
                throw new ArgumentNullException(nameof(plan));
            }

            var (configurator, location, current) = Fresh(plan.Account, clientVersion);
            var target = new AccountTarget(plan.Security, plan.Port, plan.HostName == current.HostName ? null : plan.HostName);
            if (IsAt(current, target))
            {
                return Array.Empty<ClientSslChange>();
            }

            var edits = configurator.Plan(location, current, target);
            if (edits.Count == 0)
            {
                return Array.Empty<ClientSslChange>();
            }

            var registry = configurator as RegistryConfigurator;
            var running = force ? null : configurator.RunningReason(location);
            if (running != null)
            {
                // A profile folder is locked (Mozilla); a registry client simply runs, whatever profile its key is in.
                var locked = location.Profile != null && registry == null;
                throw new ClientConfigException(locked ? "ProfileLocked" : "ClientRunning", locked ? location.Profile! : location.Path,
                    $"{running} Exit the client first (it rewrites its settings when it exits) and run the command again, or add -Force.");
            }

            if (registry == null)
            {
                foreach (var path in edits.Select(e => e.Path).Distinct(StringComparer.Ordinal))
                {
                    RefuseReadOnly(path);
                }
            }

            // Any failure, in the write or in the check after it, puts back what the change wrote and the backups it took.
            var undo = new WriteUndo { Registry = registry?.Registry };
            Dictionary<string, string?> backups;
            try
            {
                backups = registry != null ? WriteRegistry(registry, edits, undo) : WriteAll(configurator, edits, undo);
                Verify(configurator, location, current.Key, target);
            }
            catch (IOException ex)
            {
                UndoOrReport(undo, edits, ex);
                throw new ClientConfigException("ConfigWriteFailed", edits[0].Path,
                    $"Writing the {(registry != null ? "registry values" : "settings")} failed; they are as they were. ({ex.Message})", ex);
            }
            catch (Exception ex)
            {
                UndoOrReport(undo, edits, ex);
                throw;
            }

            var account = ToAccount(configurator.Client, location, current);
            return edits.Select(e => new ClientSslChange(account.Client, account.Account, account.Role, account.Protocol, e.Path, e.Setting, e.Before, e.After, backups[e.Path]))
                .ToArray();
        }

        /// <summary>The full path of a registry key (HKEY_CURRENT_USER\…) when a path names one (HKCU:\…, Registry::HKEY_USERS\…), else null.</summary>
        /// <param name="path">A path as the user gave it.</param>
        /// <returns>The key's full path, or null for a file path.</returns>
        public static string? RegistryKeyPath(string path) => RegistryPath.Normalize(path);

        /// <summary>The newest backup Set-ClientSsl took of a file or registry key, or null.</summary>
        /// <param name="path">The settings file, or the registry key (HKEY_CURRENT_USER\…, HKCU:\…).</param>
        /// <returns>The backup's path.</returns>
        public string? NewestBackup(string path) =>
            RegistryPath.Normalize(path) is string key
                ? RegistryOwner(key)?.Configurator.Backups.Backups(key).FirstOrDefault()
                : AtomicFile.Backups(path).FirstOrDefault();

        /// <summary>Puts the newest backup of a file back (the current file is kept as an undo backup first).</summary>
        /// <param name="path">The settings file.</param>
        /// <param name="force">Write even while the client runs.</param>
        /// <returns>The files put back, and the account settings that changed back with them.</returns>
        /// <exception cref="ClientConfigException">There is no backup, or the client runs.</exception>
        /// <exception cref="UnauthorizedAccessException">No permission to write the file.</exception>
        public ClientUndoResult Undo(string path, bool force)
        {
            if (RegistryPath.Normalize(path) is string key)
            {
                return UndoRegistry(key, force);
            }

            var backup = NewestBackup(path)
                ?? throw new ClientConfigException("BackupNotFound", path,
                    $"There is no Set-ClientSsl backup of '{path}' (they sit beside the file as .<name>.<time>.mailtls-backup). Nothing was changed.");
            var owner = _configurators.Select(c => (Configurator: c, Location: c.Recognize(path))).FirstOrDefault(p => p.Location != null);

            // The files the same command changed together (prefs.js and user.js): each goes back to its backup of that command.
            var stamp = AtomicFile.StampOf(backup);
            var restores = new List<(string File, string Backup)> { (path, backup) };
            foreach (var companion in owner.Location == null ? Enumerable.Empty<string>() : owner.Configurator.Companions(owner.Location))
            {
                var companionBackup = AtomicFile.Backups(companion).FirstOrDefault(b => AtomicFile.StampOf(b) == stamp);
                if (companionBackup != null && !string.Equals(Path.GetFullPath(companion), Path.GetFullPath(path), StringComparison.Ordinal))
                {
                    restores.Add((companion, companionBackup));
                }
            }

            restores.RemoveAll(r => File.Exists(r.File) && File.ReadAllBytes(r.File).SequenceEqual(File.ReadAllBytes(r.Backup)));
            if (restores.Count == 0)
            {
                return new ClientUndoResult(Array.Empty<string>(), Array.Empty<ClientSslChange>());
            }

            var running = force || owner.Location == null ? null : owner.Configurator.RunningReason(owner.Location);
            if (running != null)
            {
                throw new ClientConfigException(owner.Location!.Profile != null ? "ProfileLocked" : "ClientRunning", path,
                    $"{running} Exit the client first (it rewrites its settings when it exits) and run the command again, or add -Force.");
            }

            foreach (var (file, _) in restores)
            {
                RefuseReadOnly(file);
            }

            var before = owner.Location == null ? Array.Empty<AccountRecord>() : SafeRead(owner.Configurator, owner.Location);
            foreach (var (file, fileBackup) in restores)
            {
                AtomicFile.Write(file, File.ReadAllBytes(fileBackup), backupSuffix: AtomicFile.UndoSuffix, beforeRename: BeforeRename, hiddenBackup: true);
            }

            var restored = restores.Select(r => r.File).ToArray();
            if (owner.Location == null)
            {
                // Not a file MailTls reads accounts from (an application's settings file): restored, with no accounts to list.
                return new ClientUndoResult(restored, Array.Empty<ClientSslChange>());
            }

            return new ClientUndoResult(restored, AccountChanges(owner.Configurator, owner.Location, before, backup));
        }

        /// <summary>The account settings that an undo changed back: each account's mode, port and server before and after.</summary>
        private static IReadOnlyList<ClientSslChange> AccountChanges(ClientConfigurator configurator, ConfigLocation location, IReadOnlyList<AccountRecord> before, string backup)
        {
            var changes = new List<ClientSslChange>();
            foreach (var after in SafeRead(configurator, location))
            {
                var old = before.FirstOrDefault(b => b.Key == after.Key && b.Role == after.Role);
                foreach (var (setting, was, now) in new[]
                {
                    ("Security", old?.Security.ToString(), after.Security.ToString()),
                    ("Port", old?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), after.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("HostName", old?.HostName, after.HostName),
                })
                {
                    if (was != now)
                    {
                        changes.Add(new ClientSslChange(configurator.Client, after.Account, after.Role, after.Protocol, after.ConfigPath, setting, was, now, backup));
                    }
                }
            }

            return changes;
        }

        private static IReadOnlyList<AccountRecord> SafeRead(ClientConfigurator configurator, ConfigLocation location)
        {
            try
            {
                return configurator.Read(location);
            }
            catch (ClientConfigException)
            {
                return Array.Empty<AccountRecord>();
            }
        }

        /// <summary>
        /// Writes each file of the edits; returns each file's backup. One backup per file for the engine's life (one
        /// command), all with the command's time stamp, so Undo-ClientSsl puts back the state before the command.
        /// </summary>
        private Dictionary<string, string?> WriteAll(ClientConfigurator configurator, IReadOnlyList<SettingEdit> edits, WriteUndo undo)
        {
            var backups = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var file in edits.GroupBy(e => e.Path))
            {
                var original = configurator.Load(file.Key);
                undo.Originals[file.Key] = File.Exists(file.Key) ? File.ReadAllBytes(file.Key) : null;
                var text = TextEdit.Apply(original.Text, file.Select(e => e.Edit!.Value));
                if (!_backups.TryGetValue(file.Key, out var backup))
                {
                    backup = File.Exists(file.Key) ? AtomicFile.Backup(file.Key, stamp: _stamp, hidden: true) : null;
                    _backups[file.Key] = backup;
                    undo.NewBackups.Add(file.Key);
                }

                backups[file.Key] = backup;
                AtomicFile.Replace(file.Key, configurator.Render(file.Key, text), backup, BeforeRename);
            }

            return backups;
        }

        /// <summary>
        /// What a failed change takes back: the files (or registry values) as they were, and the backups it took (else
        /// Undo-ClientSsl would find those first).
        /// </summary>
        private sealed class WriteUndo
        {
            public Dictionary<string, byte[]?> Originals { get; } = new Dictionary<string, byte[]?>(StringComparer.Ordinal);

            public IRegistryStore? Registry { get; set; }

            public Dictionary<string, Dictionary<string, RegistryData?>> Values { get; } = new Dictionary<string, Dictionary<string, RegistryData?>>(StringComparer.OrdinalIgnoreCase);

            public List<string> NewBackups { get; } = new List<string>();

            public List<string> NewRegistryBackups { get; } = new List<string>();
        }

        /// <summary>Takes a failed change back; when even that fails, says so, with the backups that still hold the state before.</summary>
        private void UndoOrReport(WriteUndo undo, IReadOnlyList<SettingEdit> edits, Exception failure)
        {
            var kept = edits.Select(e => e.Path).Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(p => _registryBackups.TryGetValue(p, out var r) ? r.Path : _backups.TryGetValue(p, out var f) ? f : null)
                .Where(b => b != null).ToArray();
            try
            {
                Undo(undo);
            }
            catch (Exception restore) when (restore is IOException || restore is UnauthorizedAccessException)
            {
                throw new ClientConfigException("ConfigRestoreFailed", edits[0].Path,
                    $"The change failed ({failure.Message}) and putting '{edits[0].Path}' back failed too ({restore.Message}): it may be half-changed. "
                    + (kept.Length > 0 ? $"Restore it from {string.Join(", ", kept.Select(b => "'" + b + "'"))} (Undo-ClientSsl, or reg import for a .reg file)." : "Check it in the client's own dialog."),
                    failure);
            }
        }

        private void Undo(WriteUndo undo)
        {
            Restore(undo.Originals);
            foreach (var key in undo.Values)
            {
                RestoreValues(undo.Registry!, key.Key, key.Value);
            }

            foreach (var path in undo.NewBackups)
            {
                if (_backups.TryGetValue(path, out var backup) && backup != null)
                {
                    File.Delete(backup);
                }

                _backups.Remove(path);
            }

            foreach (var key in undo.NewRegistryBackups)
            {
                File.Delete(_registryBackups[key].Path);
                _registryBackups.Remove(key);
            }
        }

        /// <summary>
        /// Writes the values of the edits, key by key. The registry has no rename, so the change is made safe another way:
        /// the client is not running (checked first), the values it touches are saved to a .reg backup before the first
        /// write, and any failure, or a read-back that differs, puts every touched value back.
        /// </summary>
        private Dictionary<string, string?> WriteRegistry(RegistryConfigurator configurator, IReadOnlyList<SettingEdit> edits, WriteUndo undo)
        {
            var backups = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var key in edits.GroupBy(e => e.Path, StringComparer.OrdinalIgnoreCase))
            {
                var before = key.GroupBy(e => e.Setting, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => configurator.Registry.GetValue(key.Key, g.Key), StringComparer.OrdinalIgnoreCase);
                backups[key.Key] = BackupValues(configurator, key.Key, before, undo);
                undo.Values[key.Key] = before;
                foreach (var edit in key)
                {
                    configurator.Registry.SetValue(key.Key, edit.Setting, edit.Value!);
                    if (!Equals(configurator.Registry.GetValue(key.Key, edit.Setting), edit.Value))
                    {
                        throw new IOException($"'{edit.Setting}' did not read back as written.");
                    }
                }
            }

            return backups;
        }

        /// <summary>The command's backup of a key, taken (or grown by values it lacks) before they change; returns its path.</summary>
        private string BackupValues(RegistryConfigurator configurator, string key, Dictionary<string, RegistryData?> before, WriteUndo undo)
        {
            var isNew = !_registryBackups.TryGetValue(key, out var backup);
            if (!isNew && before.Keys.All(backup.Values.ContainsKey))
            {
                return backup.Path;
            }

            // A copy: the command's record changes only once the file holding it is written.
            var saved = new Dictionary<string, RegistryData?>(isNew ? new Dictionary<string, RegistryData?>() : backup.Values, StringComparer.OrdinalIgnoreCase);
            foreach (var pair in before.Where(p => !saved.ContainsKey(p.Key)))
            {
                // A value this command changed before keeps its first (original) content.
                saved[pair.Key] = pair.Value;
            }

            var path = configurator.Backups.Save(new RegistryBackup(key, saved), _stamp, AtomicFile.BackupSuffix, isNew ? null : backup.Path);
            _registryBackups[key] = (path, saved);
            if (isNew)
            {
                undo.NewRegistryBackups.Add(key);
            }

            return path;
        }

        private static void RestoreValues(IRegistryStore registry, string key, IReadOnlyDictionary<string, RegistryData?> values)
        {
            foreach (var pair in values)
            {
                if (pair.Value == null)
                {
                    if (registry.GetValue(key, pair.Key) != null)
                    {
                        registry.DeleteValue(key, pair.Key);
                    }
                }
                else if (!Equals(registry.GetValue(key, pair.Key), pair.Value))
                {
                    registry.SetValue(key, pair.Key, pair.Value);
                }
            }
        }

        /// <summary>Puts a key's values back from its newest backup; the values as they are now go to an undo backup first.</summary>
        private ClientUndoResult UndoRegistry(string key, bool force)
        {
            var owner = RegistryOwner(key);
            var backup = (owner?.Configurator ?? _configurators.OfType<RegistryConfigurator>().FirstOrDefault())?.Backups.Backups(key).FirstOrDefault()
                ?? throw new ClientConfigException("BackupNotFound", key,
                    $"There is no Set-ClientSsl backup of the registry key '{key}' (they are .reg files in %LOCALAPPDATA%\\MailTls\\Backups of the user who ran it). Nothing was changed.");
            if (owner == null)
            {
                throw new ClientConfigException("ConfigNotFound", key,
                    $"The registry key '{key}' no longer holds a mail account, so nothing was restored. Its backup is '{backup}'; if the account should come back as it was, import it with reg import.");
            }

            var (configurator, location) = owner!.Value;
            var saved = RegistryBackupFolder.Read(backup);
            if (!string.Equals(saved.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                throw new ClientConfigException("BackupUnreadable", backup, $"'{backup}' is the backup of '{saved.Key}', not of '{key}'; nothing was restored.");
            }

            var registry = configurator.Registry;
            var now = saved.Values.Keys.ToDictionary(n => n, n => registry.GetValue(key, n), StringComparer.OrdinalIgnoreCase);
            if (saved.Values.All(p => Equals(now[p.Key], p.Value)))
            {
                return new ClientUndoResult(Array.Empty<string>(), Array.Empty<ClientSslChange>());
            }

            var running = force ? null : configurator.RunningReason(location);
            if (running != null)
            {
                throw new ClientConfigException("ClientRunning", key, $"{running} Exit the client first and run the command again, or add -Force.");
            }

            var before = SafeRead(configurator, location);
            configurator.Backups.Save(new RegistryBackup(key, now), AtomicFile.Stamp(), AtomicFile.UndoSuffix, null);
            try
            {
                RestoreValues(registry, key, saved.Values);
                if (saved.Values.Any(p => !Equals(registry.GetValue(key, p.Key), p.Value)))
                {
                    throw new IOException("a value did not read back as restored");
                }
            }
            catch (Exception ex)
            {
                // Whatever stopped it (a full disk, a permission on one value), no key is left half-restored.
                RestoreValues(registry, key, now);
                if (ex is IOException)
                {
                    throw new ClientConfigException("ConfigWriteFailed", key, $"Restoring '{key}' failed; its values are as they were. ({ex.Message})", ex);
                }

                throw;
            }

            return new ClientUndoResult(new[] { key }, AccountChanges(configurator, location, before, backup));
        }

        /// <summary>The registry configurator that owns an account key, with its location.</summary>
        private (RegistryConfigurator Configurator, ConfigLocation Location)? RegistryOwner(string key) =>
            _configurators.OfType<RegistryConfigurator>().Select(c => (Configurator: c, Location: c.Recognize(key)))
                .Where(p => p.Location != null).Select(p => ((RegistryConfigurator, ConfigLocation)?)(p.Configurator, p.Location!)).FirstOrDefault();

        private static void RefuseReadOnly(string path)
        {
            if (IsReadOnly(path))
            {
                throw new ClientConfigException("ConfigReadOnly", path,
                    $"'{path}' is read-only, so it is left as it is (a read-only settings file is often meant to stop the client from changing it). Make it writable (chmod u+w) and run the command again.");
            }
        }

        private static bool IsReadOnly(string path)
        {
            if (!File.Exists(path))
            {
                return false;
            }

            if ((File.GetAttributes(path) & FileAttributes.ReadOnly) != 0)
            {
                return true;
            }
#if NET
            return !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserWrite) == 0;
#else
            return false;
#endif
        }

        /// <summary>Puts back what the files held before this change (not the command's first backup: earlier changes stay).</summary>
        private static void Restore(Dictionary<string, byte[]?> originals)
        {
            foreach (var pair in originals)
            {
                if (pair.Value != null)
                {
                    if (!File.Exists(pair.Key) || !File.ReadAllBytes(pair.Key).SequenceEqual(pair.Value))
                    {
                        AtomicFile.Replace(pair.Key, pair.Value, null);
                    }
                }
                else
                {
                    File.Delete(pair.Key);
                }
            }
        }

        /// <summary>Whether an account reads as the target already, however its file spells it: then nothing is written.</summary>
        private static bool IsAt(AccountRecord account, AccountTarget target) =>
            account.Security == target.Security && !account.Opportunistic && !account.BothFlags && account.Port == target.Port
            && (target.HostName == null || string.Equals(account.HostName, target.HostName, StringComparison.OrdinalIgnoreCase));

        private static void Verify(ClientConfigurator configurator, ConfigLocation location, string key, AccountTarget target)
        {
            var after = configurator.Read(location).FirstOrDefault(r => r.Key == key);
            if (after == null || !IsAt(after, target))
            {
                throw new ClientConfigException("ConfigVerifyFailed", location.Path,
                    $"After writing, '{location.Path}' did not read back as planned (account {key}); the previous version was put back. Please report this to the MailTls project.");
            }
        }

        private (ClientConfigurator, ConfigLocation, AccountRecord) Fresh(ClientAccount account, string? clientVersion)
        {
            // A registry account is found by its own key; a file account by its profile (Mozilla's prefs.js and user.js) or file.
            var (configurator, location) = _configurators.Where(c => c.Client == account.Client)
                .Select(c => (Configurator: c, Location: c.Recognize(c is RegistryConfigurator ? account.ConfigPath : account.Profile ?? account.ConfigPath)))
                .FirstOrDefault(p => p.Location != null);
            if (configurator == null || location == null)
            {
                throw new ClientConfigException("ConfigNotFound", account.ConfigPath, $"'{account.ConfigPath}' is gone or no longer holds {account.Client} settings.");
            }

            location = WithVersion(location, clientVersion);
            var current = configurator.Read(location).FirstOrDefault(r => r.Key == account.AccountKey)
                ?? throw new ClientConfigException("AccountNotFound", account.ConfigPath,
                    $"The account '{account.Account}' ({account.AccountKey}) is no longer in '{account.ConfigPath}'. Run Get-ClientSsl again.");
            return (configurator, location, current);
        }

        private IEnumerable<(ClientConfigurator, ConfigLocation)> Locations(ClientQuery query, List<ClientConfigException> errors)
        {
            var configurators = _configurators.Where(c => query.Clients == null || query.Clients.Count == 0 || query.Clients.Contains(c.Client)).ToArray();
            if (query.Paths != null && query.Paths.Count > 0)
            {
                foreach (var path in query.Paths)
                {
                    if (RegistryPath.Normalize(path) is string key)
                    {
                        foreach (var (configurator, location) in RegistryLocations(configurators, key, errors))
                        {
                            yield return (configurator, WithVersion(location, query.ClientVersion));
                        }

                        continue;
                    }

                    if (!File.Exists(path) && !Directory.Exists(path))
                    {
                        errors.Add(new ClientConfigException("ConfigNotFound", path, $"'{path}' does not exist. Give a client's settings file or profile folder."));
                        continue;
                    }

                    var found = configurators.Select(c => (Configurator: c, Location: c.Recognize(path))).Where(p => p.Location != null).ToArray();
                    if (found.Length == 0)
                    {
                        errors.Add(new ClientConfigException("ConfigNotRecognized", path,
                            $"'{path}' is not a settings file or profile folder of {(configurators.Length == 1 ? configurators[0].Client.ToString() : "a client MailTls knows")}. Name the client with -Client, or give its file (prefs.js, .msmtprc, .fetchmailrc, …)."));
                    }

                    // A Mozilla profile is claimed by Thunderbird, SeaMonkey and Netscape alike; the first (or the one asked for) reads it.
                    foreach (var (configurator, location) in found.Take(1))
                    {
                        yield return (configurator, WithVersion(location!, query.ClientVersion));
                    }
                }

                yield break;
            }

            var homes = query.AllUsers ? UserHome.All() : new[] { UserHome.Current() };
            foreach (var home in homes)
            {
                foreach (var configurator in configurators)
                {
                    foreach (var location in Locate(configurator, home, errors))
                    {
                        yield return (configurator, WithVersion(location, query.ClientVersion));
                    }
                }
            }
        }

        /// <summary>
        /// The accounts at a registry key: the key of one account, or a user's hive (HKEY_CURRENT_USER, HKEY_USERS\&lt;SID&gt;,
        /// an offline hive loaded with reg load) under which every registry client's accounts are found.
        /// </summary>
        private static IEnumerable<(ClientConfigurator, ConfigLocation)> RegistryLocations(ClientConfigurator[] configurators, string key, List<ClientConfigException> errors)
        {
            var registryClients = configurators.OfType<RegistryConfigurator>().ToArray();
            if (registryClients.Length == 0)
            {
                errors.Add(new ClientConfigException("ConfigNotRecognized", key,
                    $"'{key}' is a registry key, and {string.Join(", ", configurators.Select(c => c.Client).Distinct())} keep their settings in files. Name the client with -Client Outlook or OutlookExpress, or give a file."));
                return Array.Empty<(ClientConfigurator, ConfigLocation)>();
            }

            var registry = registryClients[0].Registry;
            if (!registry.Available)
            {
                errors.Add(new ClientConfigException("RegistryUnavailable", key, $"'{key}' is a registry key, and only Windows has a registry. Run the command on the Windows machine (Invoke-Command reaches it)."));
                return Array.Empty<(ClientConfigurator, ConfigLocation)>();
            }

            if (!registry.KeyExists(key))
            {
                errors.Add(new ClientConfigException("ConfigNotFound", key, $"The registry key '{key}' does not exist. Give a user's hive (HKCU:\\) or one account's key."));
                return Array.Empty<(ClientConfigurator, ConfigLocation)>();
            }

            (ClientConfigurator, ConfigLocation)[] found;
            try
            {
                found = registryClients.SelectMany(c => c.Recognize(key) is ConfigLocation one
                    ? new[] { ((ClientConfigurator)c, one) }
                    : c.LocateUnder(key).Select(l => ((ClientConfigurator)c, l))).ToArray();
            }
            catch (UnauthorizedAccessException ex)
            {
                errors.Add(AccessDenied(key, ex));
                return Array.Empty<(ClientConfigurator, ConfigLocation)>();
            }

            if (found.Length == 0)
            {
                errors.Add(new ClientConfigException("ConfigNotRecognized", key,
                    $"The registry key '{key}' holds no {string.Join(" or ", registryClients.Select(c => c.Product).Distinct())} mail account. Give a user's hive (HKCU:\\, Registry::HKEY_USERS\\<SID>) or one account's key."));
            }

            return found;
        }

        /// <summary>A client's locations in one home; a folder or registry key the user may not read is an error, and the next goes on.</summary>
        private static IReadOnlyList<ConfigLocation> Locate(ClientConfigurator configurator, UserHome home, List<ClientConfigException> errors)
        {
            try
            {
                return configurator.Locate(home).ToArray();
            }
            catch (UnauthorizedAccessException ex)
            {
                errors.Add(AccessDenied(configurator is RegistryConfigurator ? home.RegistryRoot ?? home.Path : home.Path, ex));
                return Array.Empty<ConfigLocation>();
            }
        }

        private static ClientConfigException AccessDenied(string where, Exception ex) =>
            new ClientConfigException("ConfigAccessDenied", where, $"'{where}' could not be read: {ex.Message} Run as its owner, or as Administrator (root) for -AllUsers.", ex);

        private static ConfigLocation WithVersion(ConfigLocation location, string? version) =>
            version == null ? location : new ConfigLocation(location.Path, location.Profile, version);

        private static string Describe(AccountRecord record) => $"'{record.Account}' ({record.Protocol} {record.HostName})";

        private static ClientAccount ToAccount(MailClient client, ConfigLocation location, AccountRecord record)
        {
            var findings = new FindingList(ProbePolicy.Baseline);
            if (record.Opportunistic)
            {
                findings.Add(FindingCatalog.ClientTlsOpportunistic);
            }
            else if (record.Security == MailSecurity.None)
            {
                findings.Add(FindingCatalog.ClientPlaintext);
            }

            if (PortModeRule.Contradicts(record.Protocol, record.Security, record.Port))
            {
                findings.Add(FindingCatalog.ClientPortModeMismatch, $"({record.Security} on port {record.Port}.)");
            }

            if (record.CheckIntervalMinutes is int minutes && minutes < MinimumCheckMinutes)
            {
                findings.Add(FindingCatalog.ClientPollTooOften, $"(Every {minutes} minute{(minutes == 1 ? "" : "s")}.)");
            }

            if (record.CertificateCheckOff)
            {
                findings.Add(FindingCatalog.ClientCertificateCheckOff);
            }

            if (record.TlsUnsupported != null)
            {
                findings.Add(FindingCatalog.ClientTlsUnsupported, record.TlsUnsupported);
            }

            var sorted = findings.Sorted();
            return new ClientAccount(client, location.Profile, record.Account, record.EmailAddress, record.Role, record.Protocol, record.HostName, record.Port,
                record.Security, record.ConfigPath, record.Key, record.CheckIntervalMinutes, location.ClientVersion, sorted, ProbePolicy.VerdictOf(sorted));
        }
    }
}
