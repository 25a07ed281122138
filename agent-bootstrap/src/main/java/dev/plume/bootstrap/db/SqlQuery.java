package dev.plume.bootstrap.db;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A query as a database span reports it: its text with every literal replaced by {@code ?} (strings, numbers, hex and
 * bit strings, booleans, PostgreSQL dollar-quoted strings; an {@code IN (...)} list of them becomes {@code IN (?)};
 * comments, which may hold anything, are dropped), the operation ({@code SELECT}) and the one table it names, when one
 * is evident. A text is sanitized once: results are kept in a bounded cache by text, so a prepared statement's SQL
 * costs a map lookup per statement, and nothing per execution.
 *
 * <p>A query longer than {@link #MAX_LENGTH} is sanitized up to there and cut; a string or comment left open runs to the
 * end and is dropped with it. Nothing of the original text passes through unless the lexer saw it as a keyword,
 * identifier or operator.
 */
public final class SqlQuery {
    /** Characters of a query that are read; the rest is cut (and marked with {@code ...}). */
    static final int MAX_LENGTH = 8_192;
    private static final int CACHE_SIZE = 2_048;
    private static final ConcurrentHashMap<String, SqlQuery> CACHE = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, SqlQuery> CACHE_DOUBLE_QUOTED = new ConcurrentHashMap<>();

    private final String text;
    private final String operation;
    private final String collection;

    SqlQuery(String text, String operation, String collection) {
        this.text = text;
        this.operation = operation;
        this.collection = collection;
    }

    /**
     * The sanitized query for {@code sql}, from the cache when it was seen before.
     *
     * @param doubleQuotedAreStrings whether {@code "..."} is a string (MySQL, MariaDB) rather than an identifier
     */
    public static SqlQuery of(String sql, boolean doubleQuotedAreStrings) {
        if (sql == null) {
            return null;
        }
        ConcurrentHashMap<String, SqlQuery> cache = doubleQuotedAreStrings ? CACHE_DOUBLE_QUOTED : CACHE;
        SqlQuery known = cache.get(sql);
        if (known != null) {
            return known;
        }
        SqlQuery parsed = parse(sql, doubleQuotedAreStrings);
        if (cache.size() >= CACHE_SIZE) {
            cache.clear(); // a workload of unprepared, ever-different texts: start over rather than grow
        }
        cache.put(sql, parsed);
        return parsed;
    }

    /** Sanitizes {@code sql} without the cache: what the first sight of a text costs (for benchmarks and tests). */
    public static SqlQuery parseUncached(String sql, boolean doubleQuotedAreStrings) {
        return parse(sql, doubleQuotedAreStrings);
    }

    /** The text as given (sanitizing turned off), with the operation and table read from it. */
    public static SqlQuery unsanitized(String sql) {
        SqlQuery summary = parse(sql, false);
        return new SqlQuery(sql, summary.operation, summary.collection);
    }

    /** The text with literals replaced. */
    public String text() {
        return text;
    }

    /** {@code SELECT}, {@code INSERT}, ... (upper case), or null when the query starts otherwise. */
    public String operation() {
        return operation;
    }

    /** The one table the query names, or null (none, several, or a sub-query). */
    public String collection() {
        return collection;
    }

    static SqlQuery parse(String sql, boolean doubleQuotedAreStrings) {
        String sanitized = collapseInLists(sanitize(sql, doubleQuotedAreStrings));
        return summarize(sanitized);
    }

    /** Replaces literals with {@code ?} and drops comments, in one pass. */
    static String sanitize(String sql, boolean doubleQuotedAreStrings) {
        int length = Math.min(sql.length(), MAX_LENGTH);
        StringBuilder out = new StringBuilder(length);
        int i = 0;
        while (i < length) {
            char c = sql.charAt(i);
            if (c == '\'') {
                i = skipQuoted(sql, i, length, '\'');
                out.append('?');
            } else if (c == '"') {
                int end = skipQuoted(sql, i, length, '"');
                if (doubleQuotedAreStrings) {
                    out.append('?');
                } else {
                    out.append(sql, i, end);
                }
                i = end;
            } else if (c == '`') {
                int end = skipQuoted(sql, i, length, '`');
                out.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < length && sql.charAt(i + 1) == '-') {
                i = skipLine(sql, i, length);
                space(out);
            } else if (c == '#' && (i + 1 >= length || sql.charAt(i + 1) != '>')) { // MySQL comment, not PG's #>
                i = skipLine(sql, i, length);
                space(out);
            } else if (c == '/' && i + 1 < length && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 || end + 2 > length ? length : end + 2;
                space(out);
            } else if (c == '$' && i + 1 < length && Character.isDigit(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < length && Character.isDigit(sql.charAt(end))) {
                    end++;
                }
                out.append(sql, i, end); // a positional parameter ($1), not a value
                i = end;
            } else if (c == '$' && i + 1 < length && (sql.charAt(i + 1) == '$' || Character.isLetter(sql.charAt(i + 1)))) {
                int tagEnd = sql.indexOf('$', i + 1);
                String tag = tagEnd < 0 ? null : sql.substring(i, tagEnd + 1);
                if (tag != null && isDollarTag(tag)) {
                    int close = sql.indexOf(tag, tagEnd + 1);
                    i = close < 0 || close + tag.length() > length ? length : close + tag.length();
                    out.append('?');
                } else {
                    out.append(c);
                    i++;
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < length && Character.isDigit(sql.charAt(i + 1)))) {
                i = skipNumber(sql, i, length);
                out.append('?');
            } else if (isIdentifierStart(c)) {
                int end = i + 1;
                while (end < length && isIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                boolean prefixedString = end - i == 1 && end < length && sql.charAt(end) == '\''
                    && "xXbBnNeEuU".indexOf(c) >= 0; // X'0F', B'01', N'text', E'text', U&'...' start like this
                if (prefixedString) {
                    i = skipQuoted(sql, end, length, '\'');
                    out.append('?');
                } else {
                    String word = sql.substring(i, end);
                    out.append(word.equalsIgnoreCase("true") || word.equalsIgnoreCase("false") ? "?" : word);
                    i = end;
                }
            } else if (Character.isWhitespace(c)) {
                space(out);
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        String text = out.toString().trim();
        return sql.length() > MAX_LENGTH ? text + " ..." : text;
    }

    /** The index after a quoted run starting at {@code start}; a doubled quote is an escaped one; open runs to the end. */
    private static int skipQuoted(String sql, int start, int length, char quote) {
        int i = start + 1;
        while (i < length) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < length && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return length;
    }

    private static int skipLine(String sql, int start, int length) {
        int end = sql.indexOf('\n', start);
        return end < 0 || end > length ? length : end + 1;
    }

    private static int skipNumber(String sql, int start, int length) {
        int i = start;
        if (sql.charAt(i) == '0' && i + 1 < length && (sql.charAt(i + 1) == 'x' || sql.charAt(i + 1) == 'X')) {
            i += 2;
            while (i < length && Character.digit(sql.charAt(i), 16) >= 0) {
                i++;
            }
            return i;
        }
        while (i < length && (Character.isDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
            i++;
        }
        if (i < length && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
            int exponent = i + 1;
            if (exponent < length && (sql.charAt(exponent) == '+' || sql.charAt(exponent) == '-')) {
                exponent++;
            }
            if (exponent < length && Character.isDigit(sql.charAt(exponent))) {
                i = exponent;
                while (i < length && Character.isDigit(sql.charAt(i))) {
                    i++;
                }
            }
        }
        return i;
    }

    private static boolean isDollarTag(String tag) {
        for (int i = 1; i < tag.length() - 1; i++) {
            if (!isIdentifierPart(tag.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '@';
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '@';
    }

    private static void space(StringBuilder out) {
        if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
            out.append(' ');
        }
    }

    /** {@code IN (?, ?, ?)} becomes {@code IN (?)}: a list's length is a value too, and it splits one query into many. */
    static String collapseInLists(String text) {
        StringBuilder out = null;
        int from = 0;
        int i = 0;
        while (i < text.length()) {
            int in = indexOfWord(text, "IN", i);
            if (in < 0) {
                break;
            }
            int j = skipSpaces(text, in + 2);
            if (j < text.length() && text.charAt(j) == '(') {
                int k = skipSpaces(text, j + 1);
                int placeholders = 0;
                while (k < text.length() && text.charAt(k) == '?') {
                    placeholders++;
                    k = skipSpaces(text, k + 1);
                    if (k < text.length() && text.charAt(k) == ',') {
                        k = skipSpaces(text, k + 1);
                    } else {
                        break;
                    }
                }
                if (placeholders > 0 && k < text.length() && text.charAt(k) == ')') {
                    if (out == null) {
                        out = new StringBuilder(text.length());
                    }
                    out.append(text, from, in).append(text, in, in + 2).append(" (?)");
                    from = k + 1;
                    i = from;
                    continue;
                }
            }
            i = in + 2;
        }
        if (out == null) {
            return text;
        }
        return out.append(text, from, text.length()).toString();
    }

    private static int skipSpaces(String text, int i) {
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** The next index of {@code word} (case-insensitive) standing alone, from {@code from}; -1 when none. */
    private static int indexOfWord(String text, String word, int from) {
        for (int i = from; i + word.length() <= text.length(); i++) {
            if (text.regionMatches(true, i, word, 0, word.length())
                && (i == 0 || !isIdentifierPart(text.charAt(i - 1)))
                && (i + word.length() == text.length() || !isIdentifierPart(text.charAt(i + word.length())))) {
                return i;
            }
        }
        return -1;
    }

    /** The operation and the one table, from the sanitized text's words. */
    static SqlQuery summarize(String text) {
        String[] words = text.split("[\\s(),;]+");
        int first = 0;
        while (first < words.length && words[first].isEmpty()) {
            first++;
        }
        if (first >= words.length) {
            return new SqlQuery(text, null, null);
        }
        String operation = words[first].toUpperCase(Locale.ROOT);
        String collection = switch (operation) {
            case "SELECT" -> singleTableAfterFrom(text);
            case "INSERT", "REPLACE", "MERGE" -> wordAfter(words, first + 1, "INTO");
            case "UPDATE" -> identifierAt(words, first + 1);
            case "DELETE" -> wordAfter(words, first + 1, "FROM");
            case "CREATE", "DROP", "ALTER", "TRUNCATE" -> tableOf(words, first + 1);
            case "CALL", "EXEC", "EXECUTE", "WITH" -> null;
            default -> null;
        };
        boolean known = switch (operation) {
            case "SELECT", "INSERT", "REPLACE", "MERGE", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "TRUNCATE",
                 "CALL", "EXEC", "EXECUTE", "WITH", "UPSERT", "SHOW", "SET", "BEGIN", "COMMIT", "ROLLBACK" -> true;
            default -> false;
        };
        return new SqlQuery(text, known ? operation : null, collection);
    }

    private static String singleTableAfterFrom(String text) {
        int from = indexOfWord(text, "FROM", 0);
        if (from < 0 || indexOfWord(text, "JOIN", from) >= 0 || indexOfWord(text, "FROM", from + 4) >= 0) {
            return null; // no table, or more than one, or a sub-query
        }
        int i = skipSpaces(text, from + 4);
        int end = i;
        while (end < text.length() && isTableNamePart(text.charAt(end))) {
            end++;
        }
        if (end == i) {
            return null;
        }
        int next = skipSpaces(text, end);
        if (next < text.length() && text.charAt(next) == ',') {
            return null; // FROM a, b
        }
        return text.substring(i, end);
    }

    private static String wordAfter(String[] words, int start, String keyword) {
        return start < words.length && words[start].equalsIgnoreCase(keyword) ? identifierAt(words, start + 1) : null;
    }

    private static String tableOf(String[] words, int start) {
        if (start >= words.length || !words[start].equalsIgnoreCase("TABLE")) {
            return null;
        }
        int i = start + 1;
        while (i < words.length && (words[i].equalsIgnoreCase("IF") || words[i].equalsIgnoreCase("NOT")
            || words[i].equalsIgnoreCase("EXISTS"))) {
            i++;
        }
        return identifierAt(words, i);
    }

    private static String identifierAt(String[] words, int i) {
        if (i >= words.length || words[i].isEmpty()) {
            return null;
        }
        String word = words[i];
        for (int c = 0; c < word.length(); c++) {
            if (!isTableNamePart(word.charAt(c))) {
                return null;
            }
        }
        return word;
    }

    private static boolean isTableNamePart(char c) {
        return isIdentifierPart(c) || c == '.' || c == '"' || c == '`' || c == '[' || c == ']';
    }
}
