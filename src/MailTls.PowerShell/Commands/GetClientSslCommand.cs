using System.Linq;
using System.Management.Automation;

namespace MailTls.PowerShell.Commands
{
    /// <summary>Lists mail clients' accounts with how each connects: host, port, SSL/STARTTLS/none, and what to fix.</summary>
    [Cmdlet(VerbsCommon.Get, "ClientSsl")]
    [OutputType(typeof(ClientAccount))]
    public sealed class GetClientSslCommand : ClientCmdlet
    {
        /// <summary>The clients to read; default: every client MailTls knows.</summary>
        [Parameter(Position = 0)]
        public MailClient[]? Client { get; set; }

        /// <summary>Settings files or profile folders to read instead of the default places in your home; on Windows also registry keys (a user's hive such as HKCU:\ or Registry::HKEY_USERS\&lt;SID&gt;, or one account's key).</summary>
        [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ProfilePath", "ConfigPath", "FullName")]
        [EmptyAsNull]
        public string[]? Path { get; set; }

        /// <summary>Only accounts whose name, e-mail address or server matches (wildcards).</summary>
        [Parameter]
        [SupportsWildcards]
        public string[]? Account { get; set; }

        /// <summary>Only incoming (IMAP, POP3) or outgoing (SMTP) servers.</summary>
        [Parameter]
        public MailRole? Role { get; set; }

        /// <summary>Every user's home on this machine (run as root or Administrator).</summary>
        [Parameter]
        public SwitchParameter AllUsers { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (Client?.Contains(MailClient.AppleMail) == true)
            {
                WriteWarning("Apple Mail's accounts live in a store MailTls does not read. Set-ClientSsl -Client AppleMail -EmailAddress … -HostName … -OutFile x.mobileconfig writes a configuration profile that switches one to SSL.");
            }

            if (Client?.Contains(MailClient.IncrediMail) == true)
            {
                WriteWarning("IncrediMail's accounts live in a registry tree MailTls does not read (no source describes its values). Set-ClientSsl -Client IncrediMail -Protocol Imap|Pop3 -Security Implicit gives the steps to switch one by hand.");
            }

            foreach (var account in Select(Client, Path, AllUsers, Account, Role, null))
            {
                WriteObject(account);
            }
        }
    }
}
