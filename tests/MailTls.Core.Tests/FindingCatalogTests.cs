using System;
using System.IO;
using System.Linq;
using MailTls.Policy;
using Xunit;

namespace MailTls.Core.Tests
{
    public class FindingCatalogTests
    {
        [Fact]
        public void Ids_and_names_are_unique_and_well_formed()
        {
            var all = FindingCatalog.All;
            Assert.True(all.Count >= 30);
            Assert.Equal(all.Count, all.Select(f => f.Id).Distinct().Count());
            Assert.Equal(all.Count, all.Select(f => f.Name).Distinct().Count());
            Assert.All(all, f => Assert.Matches("^MTLS[0-9]{3}$", f.Id));
            Assert.All(all, f => Assert.False(string.IsNullOrWhiteSpace(f.Remediation)));
        }

        [Fact]
        public void Strict_is_never_milder_than_baseline()
        {
            Assert.All(FindingCatalog.All, f => Assert.True(f.Strict >= f.Baseline, f.Id));
        }

        [Fact]
        public void Baseline_warns_on_advertised_plaintext_login_and_strict_fails_it()
        {
            Assert.Equal(FindingSeverity.Warning, FindingCatalog.Find("PlaintextLoginBeforeTls")!.Baseline);
            Assert.Equal(FindingSeverity.Failure, FindingCatalog.Find("MTLS030")!.Strict);
        }

        [Fact]
        public void About_MailTls_Findings_documents_every_finding()
        {
            var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "module", "en-US", "about_MailTls_Findings.help.txt"));
            foreach (var finding in FindingCatalog.All)
            {
                Assert.Contains($"{finding.Id} {finding.Name}", text, StringComparison.Ordinal);
                Assert.Contains(finding.Remediation, text.Replace("\n        ", " "), StringComparison.Ordinal);
            }
        }

        internal static string RepositoryRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory != null && !File.Exists(Path.Combine(directory.FullName, "MailTls.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("MailTls.sln not found above the test assembly.");
        }
    }
}
