namespace MailTls.Clients.Formats
{
    /// <summary>A word of a free-form settings file (fetchmailrc, muttrc) and where it stands, quotes included.</summary>
    internal sealed class Token
    {
        public Token(string text, int start, int end, char quote)
        {
            Text = text;
            Start = start;
            End = end;
            Quote = quote;
        }

        /// <summary>The word; for fetchmail with its quotes, for Mutt without them.</summary>
        public string Text { get; }

        public int Start { get; }

        /// <summary>Just past the word (and its closing quote).</summary>
        public int End { get; }

        /// <summary>The quote character, or '\0' for a bare word.</summary>
        public char Quote { get; }

        public bool Quoted => Quote != '\0';

        /// <summary>The word before it (fetchmail's "no" negates the keyword after it).</summary>
        public Token? Previous { get; set; }
    }
}
