using System;
using System.Diagnostics;
using System.Linq;

namespace MailTls.Clients
{
    /// <summary>Whether a client's process runs on this machine (for clients without a profile lock).</summary>
    internal static class RunningProcess
    {
        /// <summary>The first of the names that has a running process, or null.</summary>
        public static string? Find(params string[] names)
        {
            foreach (var name in names)
            {
                var processes = Process.GetProcessesByName(name);
                try
                {
                    if (processes.Length > 0)
                    {
                        return name;
                    }
                }
                finally
                {
                    Array.ForEach(processes, p => p.Dispose());
                }
            }

            return null;
        }
    }
}
