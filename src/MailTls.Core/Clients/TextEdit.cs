using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MailTls.Clients
{
    /// <summary>
    /// One change to a file's text: replace <see cref="Length"/> characters at <see cref="Start"/> (0: insert). Formats
    /// are edited this way, never re-serialized, so every byte a configurator does not own stays as it was.
    /// </summary>
    internal readonly struct TextEdit
    {
        public TextEdit(int start, int length, string text)
        {
            Start = start;
            Length = length;
            Text = text;
        }

        public int Start { get; }

        public int Length { get; }

        public string Text { get; }

        /// <summary>Applies non-overlapping edits (inserts at one place keep their order).</summary>
        public static string Apply(string original, IEnumerable<TextEdit> edits)
        {
            var ordered = edits.Select((e, i) => (Edit: e, Index: i)).OrderBy(e => e.Edit.Start).ThenBy(e => e.Index).Select(e => e.Edit).ToArray();
            var result = new StringBuilder(original.Length + 256);
            var position = 0;
            foreach (var edit in ordered)
            {
                if (edit.Start < position)
                {
                    throw new InvalidOperationException("Overlapping edits: a configurator planned two changes to the same text.");
                }

                result.Append(original, position, edit.Start - position).Append(edit.Text);
                position = edit.Start + edit.Length;
            }

            return result.Append(original, position, original.Length - position).ToString();
        }
    }

    /// <summary>A settings file as read: its text and the line ending it uses, so added lines match.</summary>
    internal sealed class ConfigText
    {
        private ConfigText(string path, string text, bool exists)
        {
            Path = path;
            Text = text;
            Exists = exists;
            Newline = text.Contains("\r\n") ? "\r\n" : "\n";
        }

        public string Path { get; }

        public string Text { get; }

        public bool Exists { get; }

        public string Newline { get; }

        /// <summary>Reads the file (UTF-8, UTF-16 with a byte-order mark, or Latin-1 when it is neither, as old clients write); a missing file reads as empty.</summary>
        public static ConfigText Read(string path)
        {
            if (!System.IO.File.Exists(path))
            {
                return new ConfigText(path, string.Empty, exists: false);
            }

            return new ConfigText(path, Decode(System.IO.File.ReadAllBytes(path)), exists: true);
        }

        public static ConfigText FromText(string path, string text) => new ConfigText(path, text, exists: true);

        /// <summary>The encoding the text came in, for writing it back the same way.</summary>
        public static Encoding EncodingOf(byte[] bytes)
        {
            // UTF-16 with its byte-order mark (Windows Live Mail's account files).
            if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE)
            {
                return new UnicodeEncoding(bigEndian: false, byteOrderMark: true);
            }

            if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF)
            {
                return new UnicodeEncoding(bigEndian: true, byteOrderMark: true);
            }

            try
            {
                Strict.GetString(bytes);
                return new UTF8Encoding(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF);
            }
            catch (DecoderFallbackException)
            {
                return Encoding.GetEncoding("iso-8859-1");
            }
        }

        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, throwOnInvalidBytes: true);

        /// <summary>Bytes as text: UTF-8 (its byte-order mark dropped), or Latin-1 when they are not UTF-8.</summary>
        public static string Decode(byte[] bytes)
        {
            var encoding = EncodingOf(bytes);
            var text = encoding.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text;
        }

        /// <summary>The text's bytes in the file's own encoding (its byte-order mark kept).</summary>
        public static byte[] Encode(string path, string text) =>
            Encode(System.IO.File.Exists(path) ? System.IO.File.ReadAllBytes(path) : null, text);

        /// <summary>The text's bytes in the encoding <paramref name="original"/> had (its byte-order mark kept; UTF-8 for none).</summary>
        public static byte[] Encode(byte[]? original, string text)
        {
            var encoding = original != null ? EncodingOf(original) : new UTF8Encoding(false);
            var preamble = encoding.GetPreamble();
            var body = encoding.GetBytes(text);
            if (preamble.Length == 0)
            {
                return body;
            }

            var all = new byte[preamble.Length + body.Length];
            preamble.CopyTo(all, 0);
            body.CopyTo(all, preamble.Length);
            return all;
        }

        /// <summary>The 1-based line of an offset, for error messages.</summary>
        public static int LineOf(string text, int offset)
        {
            var line = 1;
            for (var i = 0; i < offset && i < text.Length; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                }
            }

            return line;
        }
    }
}
