using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Probing;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>The prober's hand-back of freed native memory: glibc's malloc_trim, started at once, then at most once a second, nowhere else.</summary>
    public sealed class NativeHeapTrimmerTests
    {
        [Fact]
        public async Task Trims_on_linux_at_once_then_at_most_once_a_second_whichever_thread_asks()
        {
            var trimmer = new NativeHeapTrimmer();
            var clock = Stopwatch.StartNew();
            var first = trimmer.TryTrim(); // at once, for what the host left before the fan-out
            var second = trimmer.TryTrim();
            Assert.Equal(RuntimeInformation.IsOSPlatform(OSPlatform.Linux), first);
            if (clock.Elapsed < TimeSpan.FromSeconds(0.9))
            {
                Assert.False(second);
            }

            await Task.Delay(1100);
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                Assert.False(trimmer.TryTrim());
                return;
            }

            // The glibc call is there to make (TryTrim makes it on a pool thread, where a failure would only stop later trims).
            Assert.True(trimmer.Trim());

            // Eight probes ending together: one of them starts a trim, the others go on.
            using var start = new Barrier(8);
            var window = Stopwatch.StartNew();
            var ends = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() => { start.SignalAndWait(); return trimmer.TryTrim(); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            var trimmed = await Task.WhenAll(ends).WaitAsync(TimeSpan.FromSeconds(30));
            var again = trimmer.TryTrim();
            Assert.Contains(true, trimmed);
            if (window.Elapsed < TimeSpan.FromSeconds(0.9))
            {
                // All within the second (as on any machine not stalled for a second): exactly one trim, and none now.
                Assert.Equal(1, trimmed.Count(t => t));
                Assert.False(again);
            }
        }
    }
}
