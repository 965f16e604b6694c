using System;
using System.Threading;

namespace MailTls.Probing
{
    /// <summary>
    /// Collects the GC's youngest generation each time the process has allocated another <see cref="Window"/> bytes,
    /// checked as probes start. The runtime sizes that generation's budget from the CPU's cache, for throughput (16 MB
    /// on the 2-core reference machine), and only the host can change it (DOTNET_GCgen0size). A fan-out of thousands of
    /// probes fills that budget again and again, and each time the GC takes fresh pages for it; collected every
    /// <see cref="Window"/> bytes instead, it reuses the same few. A collection of a generation this small takes a
    /// fraction of a millisecond. Measured on 10,000 probes, 128 at a time, alternated: peak RSS 165-169 MB without
    /// (with the first trim a second late), 153-154 MB with, at the same rate and CPU time. The window is not the
    /// smallest that helps: against a server that answers 300-400 probes a second (Dovecot with a login process that
    /// serves many connections), 5,000 probes peaked at 333-366 MB with a 2 MB window (gen1 grew to ~90 MB, collected
    /// twice in the run), 175 MB with 3 MB, 164-166 MB with 4 MB, 166-172 MB with 8 MB and 249 MB with no pacing;
    /// against the bench's Dovecot, which forks per connection (~85 a second), 2 and 4 MB both peaked at 152-158 MB.
    /// The first check counts from the process's start, so what the host allocated before the fan-out (the module's
    /// import, the input list) goes before the probes add theirs. One probe allocates about 85 KB: a single probe or a
    /// short list costs one collection at most, though the process's first, whoever starts it, is not small: it promotes
    /// what pwsh's start and the import left alive (20-30 ms measured). Not on .NET Framework (Windows PowerShell 5.1),
    /// which cannot count the process's allocations: there the budget stays the runtime's.
    /// </summary>
    internal sealed class YoungGenerationPacer
    {
        /// <summary>The allocation between collections the prober uses.</summary>
        public const long DefaultWindow = 4L * 1024 * 1024;

        private long _allocatedAtLastCollection;

        /// <param name="window">Bytes the process may allocate between two collections.</param>
        public YoungGenerationPacer(long window = DefaultWindow)
        {
            Window = window;
        }

        /// <summary>Bytes the process may allocate between two collections.</summary>
        public long Window { get; }

        /// <summary>Collects generation 0 if the process has allocated more than <see cref="Window"/> bytes since this pacer last did (by any thread), or since the process started.</summary>
        /// <returns>Whether this call collected.</returns>
        public bool TryCollect()
        {
            var allocated = AllocatedBytes();
            var last = Interlocked.Read(ref _allocatedAtLastCollection);
            if (allocated < 0 || allocated - last <= Window || Interlocked.CompareExchange(ref _allocatedAtLastCollection, allocated, last) != last)
            {
                return false;
            }

            GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: false);
            return true;
        }

        /// <returns>The bytes the process has allocated so far (without what threads have taken but not yet filled), or −1 where that is not known.</returns>
        private static long AllocatedBytes()
        {
#if NETSTANDARD2_0
            return -1;
#else
            return GC.GetTotalAllocatedBytes(precise: false);
#endif
        }
    }
}
