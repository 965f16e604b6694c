using MailTls.Probing;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>How a probe's version answers add up, the negotiated version included once.</summary>
    public sealed class TlsVersionTallyTests
    {
        [Fact]
        public void A_server_that_negotiated_tls12_lists_it_once_even_when_the_tls12_question_also_found_it()
        {
            var tally = new TlsVersionTally { Negotiated = 0x0303 };
            tally.Accepted.Add(0x0303);
            var (accepted, untested) = tally.Summary();
            Assert.Equal(new[] { 0x0303 }, accepted);
            Assert.Empty(untested);
        }

        [Fact]
        public void The_negotiated_version_is_never_reported_untested()
        {
            var tally = new TlsVersionTally { Negotiated = 0x0303 };
            tally.Untested.AddRange(new[] { 0x0303, 0x0302, 0x0301 }); // the TLS 1.2 and legacy questions ran out of time
            tally.Accepted.Add(0x0304);
            var (accepted, untested) = tally.Summary();
            Assert.Equal(new[] { 0x0303, 0x0304 }, accepted);
            Assert.Equal(new[] { 0x0302, 0x0301 }, untested);
        }
    }
}
