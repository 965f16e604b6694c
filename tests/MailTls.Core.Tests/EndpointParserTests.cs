using MailTls.Endpoints;
using Xunit;

namespace MailTls.Core.Tests
{
    public class EndpointParserTests
    {
        [Theory]
        [InlineData("mail.example.com:993", null, null, null, "mail.example.com", 993, MailProtocol.Imap, MailSecurity.Implicit)]
        [InlineData("mail.example.com:587", null, null, null, "mail.example.com", 587, MailProtocol.Smtp, MailSecurity.StartTls)]
        [InlineData("mail.example.com", 110, null, null, "mail.example.com", 110, MailProtocol.Pop3, MailSecurity.StartTls)]
        [InlineData("[2001:db8::1]:465", null, null, null, "2001:db8::1", 465, MailProtocol.Smtp, MailSecurity.Implicit)]
        [InlineData("2001:db8::1", 995, null, null, "2001:db8::1", 995, MailProtocol.Pop3, MailSecurity.Implicit)]
        [InlineData("imaps://mail.example.com", null, null, null, "mail.example.com", 993, MailProtocol.Imap, MailSecurity.Implicit)]
        [InlineData("imap://alice@mail.example.com:1143/INBOX", null, null, null, "mail.example.com", 1143, MailProtocol.Imap, MailSecurity.StartTls)]
        [InlineData("submissions://smtp.example.com", null, null, null, "smtp.example.com", 465, MailProtocol.Smtp, MailSecurity.Implicit)]
        [InlineData("submission://smtp.example.com", null, null, null, "smtp.example.com", 587, MailProtocol.Smtp, MailSecurity.StartTls)]
        [InlineData("smtps://smtp.example.com", null, null, null, "smtp.example.com", 465, MailProtocol.Smtp, MailSecurity.Implicit)]
        [InlineData("pop3s://pop.example.com", null, null, null, "pop.example.com", 995, MailProtocol.Pop3, MailSecurity.Implicit)]
        [InlineData("smtp://mx.example.com", null, null, null, "mx.example.com", 25, MailProtocol.Smtp, MailSecurity.StartTls)]
        [InlineData("127.0.0.1:2525", null, MailProtocol.Smtp, null, "127.0.0.1", 2525, MailProtocol.Smtp, MailSecurity.StartTls)]
        [InlineData("127.0.0.1:25", null, null, MailSecurity.Implicit, "127.0.0.1", 25, MailProtocol.Smtp, MailSecurity.Implicit)]
        [InlineData("127.0.0.1", 143, null, MailSecurity.None, "127.0.0.1", 143, MailProtocol.Imap, MailSecurity.None)]
        public void Parses_one_endpoint(string input, int? port, MailProtocol? protocol, MailSecurity? security, string host, int expectedPort, MailProtocol expectedProtocol, MailSecurity expectedSecurity)
        {
            var endpoint = Assert.Single(EndpointParser.Parse(input, port, protocol, security));
            Assert.Equal(host, endpoint.HostName);
            Assert.Equal(expectedPort, endpoint.Port);
            Assert.Equal(expectedProtocol, endpoint.Protocol);
            Assert.Equal(expectedSecurity, endpoint.Security);
            Assert.Equal(host, endpoint.ServerName);
        }

        [Fact]
        public void Without_a_port_probes_the_secure_ports_of_every_protocol()
        {
            var endpoints = EndpointParser.Parse("mail.example.com");
            Assert.Equal(new[] { "465 Implicit", "587 StartTls", "993 Implicit", "995 Implicit" },
                System.Linq.Enumerable.Select(endpoints, e => $"{e.Port} {e.Security}"));
        }

        [Fact]
        public void Without_a_port_probes_the_secure_ports_of_the_protocol_asked()
        {
            var endpoints = EndpointParser.Parse("mail.example.com", protocol: MailProtocol.Imap);
            var endpoint = Assert.Single(endpoints);
            Assert.Equal(993, endpoint.Port);
        }

        [Fact]
        public void Server_name_overrides_the_name_checked()
        {
            var endpoint = Assert.Single(EndpointParser.Parse("127.0.0.1:993", serverName: "mail.example.com"));
            Assert.Equal("mail.example.com", endpoint.ServerName);
        }

        [Fact]
        public void Rejects_a_server_name_that_is_not_a_host_name()
        {
            var error = Assert.Throws<EndpointInputException>(() => EndpointParser.Parse("127.0.0.1:993", serverName: "mail server!"));
            Assert.Equal("ServerNameInvalid", error.ErrorId);
            Assert.Equal("mail server!", error.Input);
        }

        [Theory]
        [InlineData("", null, null, null, "HostNameEmpty")]
        [InlineData("bad host!", null, null, null, "HostNameInvalid")]
        [InlineData("mail.example.com:0", null, null, null, "PortOutOfRange")]
        [InlineData("mail.example.com:70000", null, null, null, "PortOutOfRange")]
        [InlineData("mail.example.com", 0, null, null, "PortOutOfRange")]
        [InlineData("mail.example.com", 70000, null, null, "PortOutOfRange")]
        [InlineData("mail.example.com:abc", null, null, null, "PortInvalid")]
        [InlineData("imaps://mail.example.com", null, null, MailSecurity.StartTls, "SecurityConflictsWithUri")]
        [InlineData("imaps://mail.example.com", null, MailProtocol.Smtp, null, "ProtocolConflictsWithUri")]
        [InlineData("mail.example.com:993", 995, null, null, "PortConflict")]
        [InlineData("mail.example.com:2525", null, null, null, "ProtocolUnknown")]
        [InlineData("http://mail.example.com", null, null, null, "UriSchemeUnknown")]
        [InlineData("[2001:db8::1", null, null, null, "HostNameInvalid")]
        [InlineData("[mail.example.com]:993", null, null, null, "HostNameInvalid")]
        [InlineData("a:b:c", null, null, null, "HostNameInvalid")]
        public void Rejects_bad_input_with_a_specific_error(string input, int? port, MailProtocol? protocol, MailSecurity? security, string errorId)
        {
            var error = Assert.Throws<EndpointInputException>(() => EndpointParser.Parse(input, port, protocol, security));
            Assert.Equal(errorId, error.ErrorId);
            Assert.Equal(input.Trim(), error.Input);
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
    }
}
