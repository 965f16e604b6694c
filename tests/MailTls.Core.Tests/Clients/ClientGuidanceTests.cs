using System.Linq;
using MailTls.Clients;
using Xunit;

namespace MailTls.Core.Tests.Clients
{
    /// <summary>The manual steps for the Mac clients with database stores, with the values the seeds give.</summary>
    public sealed class ClientGuidanceTests
    {
        [Theory]
        [InlineData(MailSecurity.Implicit, "Required, Alternate Port", 993)]
        [InlineData(MailSecurity.StartTls, "Required, STARTTLS", 143)]
        public void EudoraForMacGetsItsSslChoiceAndThePort(MailSecurity security, string choice, int port)
        {
            var guidance = ClientGuidance.For(MailClient.EudoraMac, MailProtocol.Imap, security, hostName: "mail.example.com");
            Assert.Equal(port, guidance.Port);
            Assert.Contains(guidance.Steps, s => s.Contains($"\"SSL for IMAP\" to \"{choice}\"") && s.Contains("mail.example.com"));
            Assert.Contains($"SSL for IMAP: {choice}", guidance.Settings);
            Assert.Contains("quit Eudora", guidance.Steps.Last());
            Assert.Contains(guidance.Notes, n => n.Contains("10.2"));
        }

        [Theory]
        [InlineData(MailClient.OutlookExpressMac, "Outlook Express")]
        [InlineData(MailClient.Entourage, "Entourage")]
        public void OutlookExpressAndEntourageHaveOnlyTheSslBox(MailClient client, string product)
        {
            var guidance = ClientGuidance.For(client, MailProtocol.Pop3, MailSecurity.Implicit);
            Assert.Equal(995, guidance.Port);
            Assert.Contains(guidance.Steps, s => s.Contains("This POP service requires a secure connection (SSL)") && s.Contains("995"));
            Assert.StartsWith($"Open {product}", guidance.Steps[0]);
            Assert.Contains(guidance.Notes, n => n.Contains("download every message"));
            Assert.Equal("SslNotSupported", Assert.Throws<ClientConfigException>(() => ClientGuidance.For(client, MailProtocol.Imap, MailSecurity.StartTls)).ErrorId);
        }

        [Fact]
        public void IncrediMailGetsTheSeedsStepsForBothServers()
        {
            var guidance = ClientGuidance.For(MailClient.IncrediMail, MailProtocol.Imap, MailSecurity.Implicit, hostName: "imap.example.com");
            Assert.Equal(993, guidance.Port);
            Assert.StartsWith("Open IncrediMail and choose Tools > Accounts", guidance.Steps[0]);
            Assert.Contains(guidance.Steps, s => s.Contains("imap.example.com") && s.Contains("Advanced tab"));
            Assert.Contains(guidance.Steps, s => s.Contains("Outgoing mail (SMTP)") && s.Contains("465"));
            Assert.Contains("exit IncrediMail, and open it again", guidance.Steps.Last());
            Assert.Equal(new[] { "Incoming (IMAP) requires a secure connection (SSL): on", "IMAP port: 993", "Outgoing (SMTP) requires a secure connection (SSL): on", "SMTP port: 465" }, guidance.Settings);
            Assert.Equal("SslNotSupported", Assert.Throws<ClientConfigException>(() => ClientGuidance.For(MailClient.IncrediMail, MailProtocol.Pop3, MailSecurity.StartTls)).ErrorId);
        }

        [Fact]
        public void APortOfTheOtherModeAndPlaintextAreRefused()
        {
            Assert.Equal("PortModeMismatch", Assert.Throws<ClientConfigException>(() => ClientGuidance.For(MailClient.Entourage, MailProtocol.Imap, MailSecurity.Implicit, 143)).ErrorId);
            Assert.Equal("PlaintextRefused", Assert.Throws<ClientConfigException>(() => ClientGuidance.For(MailClient.EudoraMac, MailProtocol.Imap, MailSecurity.None)).ErrorId);
        }
    }
}
