using System.IO;
using System.Linq;
using MailTls.PortPlan;
using Xunit;

namespace MailTls.Core.Tests
{
    public class AutoconfigParserTests
    {
        private const string Good = @"<?xml version=""1.0""?>
<clientConfig version=""1.1"">
  <emailProvider id=""example.com"">
    <domain>example.com</domain>
    <incomingServer type=""imap"">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type=""pop3"">
      <hostname>pop.example.com</hostname>
      <port>110</port>
      <socketType>STARTTLS</socketType>
    </incomingServer>
    <incomingServer type=""exchange""><hostname>ews.example.com</hostname><port>443</port><socketType>SSL</socketType></incomingServer>
    <outgoingServer type=""smtp"">
      <hostname>smtp.example.com</hostname>
      <port>25</port>
      <socketType>plain</socketType>
    </outgoingServer>
    <outgoingServer type=""smtp""><hostname>bad host</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>
    <outgoingServer type=""smtp""><hostname>smtp.example.com</hostname><port>99999</port><socketType>SSL</socketType></outgoingServer>
  </emailProvider>
</clientConfig>";

        [Fact]
        public void Reads_servers_and_maps_socket_types_to_modes()
        {
            var servers = AutoconfigParser.Parse(new StringReader(Good), "example.com", "alice@example.com");
            Assert.Equal(new[]
            {
                "Incoming Imap imap.example.com:993 Implicit",
                "Incoming Pop3 pop.example.com:110 StartTls",
                "Outgoing Smtp smtp.example.com:25 None",
            }, servers.Select(s => s.ToString()));
        }

        [Theory]
        [InlineData(@"<!DOCTYPE x [<!ENTITY a ""aaaaaaaaaa""><!ENTITY b ""&a;&a;&a;&a;&a;&a;&a;&a;"">]><clientConfig>&b;</clientConfig>")] // entity expansion
        [InlineData(@"<!DOCTYPE x [<!ENTITY e SYSTEM ""file:///etc/passwd"">]><clientConfig>&e;</clientConfig>")]                 // external entity
        [InlineData("<html><body>Not found</body></html>")]                                                                        // an HTML page
        [InlineData("<clientConfig><emailProvider>")]                                                                               // truncated
        [InlineData("\u0000\u0001 garbage")]
        public void Refuses_hostile_and_malformed_files(string xml)
        {
            Assert.Throws<AutoconfigFormatException>(() => AutoconfigParser.Parse(new StringReader(xml), "example.com"));
        }

        [Fact]
        public void Refuses_a_file_over_one_mebibyte()
        {
            var huge = "<clientConfig><emailProvider>" + new string(' ', AutoconfigParser.MaxCharacters) + "</emailProvider></clientConfig>";
            Assert.Throws<AutoconfigFormatException>(() => AutoconfigParser.Parse(new StringReader(huge), "example.com"));
        }
    }
}
