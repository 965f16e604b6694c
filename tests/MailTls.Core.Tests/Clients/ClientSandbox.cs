using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using MailTls.Clients;
using Xunit;

namespace MailTls.Core.Tests.Clients
{
    /// <summary>A throwaway home with client settings files, and the engine pointed at them (never at the real home).</summary>
    internal sealed class ClientSandbox : IDisposable
    {
        public ClientSandbox()
        {
            Home = Path.Combine(Path.GetTempPath(), "mailtls-clients-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Home);
        }

        public string Home { get; }

        public ClientSslEngine Engine { get; private set; } = new ClientSslEngine();

        public string Write(string relative, string content)
        {
            var path = Path.Combine(Home, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
            return path;
        }

        /// <summary>A new engine, as a second run of the command would have.</summary>
        public void NextRun() => Engine = new ClientSslEngine();

        public IReadOnlyList<ClientAccount> Accounts(string path)
        {
            var result = Engine.Read(new ClientQuery { Paths = new[] { path } });
            Assert.Empty(result.Errors);
            return result.Accounts;
        }

        public ClientAccount Account(string path, string key) => Assert.Single(Accounts(path), a => a.AccountKey == key);

        public IReadOnlyList<ClientSslChange> Switch(string path, string key, MailSecurity security, int? port = null, string? host = null, bool force = false)
        {
            var plan = Engine.Plan(Account(path, key), security, port, host, force);
            return Engine.Apply(plan, force);
        }

        /// <summary>Every file under the home with its SHA-256, to prove that something wrote nothing.</summary>
        public IReadOnlyDictionary<string, string> Snapshot() =>
            Directory.GetFiles(Home, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
                .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

        public void Dispose()
        {
            try
            {
                foreach (var file in Directory.GetFiles(Home, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }

                Directory.Delete(Home, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
