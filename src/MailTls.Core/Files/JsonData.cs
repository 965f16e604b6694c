using System;
using System.Collections;
using System.Linq;
using System.Text.Json;

namespace MailTls.Files
{
    /// <summary>
    /// JSON as the plain data a .psd1 file or a deserialized object gives: objects as dictionaries (keys in any case),
    /// arrays as object[], strings, numbers (long, else double), flags and null. One shape for every reader of
    /// JSON by name: policy files and report files.
    /// </summary>
    internal static class JsonData
    {
        public static object? Plain(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().Aggregate(new Hashtable(StringComparer.OrdinalIgnoreCase), (table, p) => { table[p.Name] = Plain(p.Value); return table; }),
            JsonValueKind.Array => element.EnumerateArray().Select(Plain).ToArray(),
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : (object)element.GetDouble(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };

        /// <summary>A property of plain data by name (any case); null when the item is no dictionary or has none.</summary>
        public static object? Property(object item, string name) => item is IDictionary table ? table[name] : null;
    }
}
