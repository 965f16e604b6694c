using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Probing;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>The prober's gen0 collections: one after each window of allocation, none before it, one per window whichever thread asks.</summary>
    public sealed class YoungGenerationPacerTests
    {
        // Far above what the suite's other tests, running beside these, allocate between two statements.
        private const long Window = 64L * 1024 * 1024;

        [Fact]
        public void Collects_gen0_once_a_window_is_allocated_and_not_before()
        {
            var pacer = new YoungGenerationPacer(Window);
            Allocate(2 * Window); // the runtime's own budget collects along the way too
            var before = GC.CollectionCount(0);
            Assert.True(pacer.TryCollect());
            Assert.True(GC.CollectionCount(0) > before);
            Assert.False(pacer.TryCollect()); // the window starts again from here
            Allocate(Window / 8);
            Assert.False(pacer.TryCollect());
            Allocate(Window);
            Assert.True(pacer.TryCollect());
        }

        [Fact]
        public void Counts_the_first_window_from_the_start_of_the_process()
        {
            // What the host allocated before the fan-out (here: the test run so far) counts.
            var pacer = new YoungGenerationPacer(GC.GetTotalAllocatedBytes(precise: false) / 2);
            Assert.True(pacer.TryCollect());
        }

        [Fact]
        public async Task Collects_once_for_a_window_when_many_probes_start_together()
        {
            var pacer = new YoungGenerationPacer(Window);
            Allocate(2 * Window);
            using var start = new Barrier(8);
            var starts = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() => { start.SignalAndWait(); return pacer.TryCollect(); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            var collected = await Task.WhenAll(starts).WaitAsync(TimeSpan.FromSeconds(30));
            // The eight together allocate far less than a window after the first collects (a task and a bool each).
            Assert.Equal(1, collected.Count(c => c));
        }

        /// <summary>Garbage of at least <paramref name="bytes"/> in 64 KB arrays (below the large-object heap, so it is gen0's).</summary>
        private static void Allocate(long bytes)
        {
            for (long done = 0; done < bytes; done += 64 * 1024)
            {
                GC.KeepAlive(new byte[64 * 1024]);
            }
        }
    }
}
