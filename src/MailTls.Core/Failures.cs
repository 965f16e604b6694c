using System;

namespace MailTls
{
    /// <summary>Reading exceptions the way findings and notes quote them.</summary>
    internal static class Failures
    {
        /// <summary>The innermost exception: the one whose message names the cause.</summary>
        public static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }
    }
}
