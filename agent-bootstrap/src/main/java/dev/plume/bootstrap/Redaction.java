package dev.plume.bootstrap;

import java.util.Locale;

/**
 * The one redaction rule for everything that can reach a log line, an exception message or the MBean: user
 * information in anything shaped like a URL (well-formed or not), query parameter values, and the credentials of an
 * {@code Authorization}-style value. It errs towards hiding too much: a log line loses a host name sooner than it
 * shows a password.
 */
public final class Redaction {
    public static final String REDACTED = "REDACTED";

    private Redaction() {
    }

    /**
     * A value meant to be a URL, as the user typed it (possibly malformed: no scheme, a space, a foreign scheme). Everything
     * between the scheme (or the start) and the <em>last</em> {@code '@'} is user information, whatever it contains;
     * every query parameter keeps its name and loses its value; a fragment is dropped.
     */
    public static String url(String value) {
        if (value == null) {
            return null;
        }
        String text = value;
        int schemeEnd = text.indexOf("://");
        int authorityStart = schemeEnd >= 0 ? schemeEnd + 3 : 0;
        int at = text.lastIndexOf('@');
        if (at >= authorityStart) {
            text = text.substring(0, authorityStart) + REDACTED + text.substring(at);
        }
        int hash = text.indexOf('#');
        if (hash >= 0) {
            text = text.substring(0, hash);
        }
        int query = text.indexOf('?');
        if (query >= 0) {
            text = text.substring(0, query + 1) + redactQueryValues(text.substring(query + 1));
        }
        return text;
    }

    /**
     * Free text (an exception message, a server's error body): every word that looks like a URL or carries an
     * {@code '@'} passes through {@link #url}, and the word after {@code Bearer} or {@code Basic} is hidden.
     */
    public static String text(String value) {
        if (value == null) {
            return null;
        }
        if (value.indexOf('@') < 0 && value.indexOf("://") < 0 && value.indexOf('?') < 0
            && !containsIgnoreCase(value, "bearer") && !containsIgnoreCase(value, "basic")) {
            return value; // the common case: nothing to look at
        }
        StringBuilder out = new StringBuilder(value.length());
        int i = 0;
        boolean hideNext = false;
        while (i < value.length()) {
            int start = i;
            if (isSeparator(value.charAt(i))) {
                while (i < value.length() && isSeparator(value.charAt(i))) {
                    i++;
                }
                out.append(value, start, i);
                continue;
            }
            while (i < value.length() && !isSeparator(value.charAt(i))) {
                i++;
            }
            String word = value.substring(start, i);
            if (hideNext) {
                out.append(REDACTED);
                hideNext = false;
            } else if (word.equalsIgnoreCase("bearer") || word.equalsIgnoreCase("basic")) {
                out.append(word);
                hideNext = true;
            } else if (word.indexOf('@') >= 0 || word.contains("://") || word.indexOf('?') > 0) {
                out.append(url(word));
            } else {
                out.append(word);
            }
        }
        return out.toString();
    }

    private static String redactQueryValues(String query) {
        StringBuilder out = new StringBuilder(query.length());
        int from = 0;
        while (from <= query.length()) {
            int amp = query.indexOf('&', from);
            int end = amp < 0 ? query.length() : amp;
            String pair = query.substring(from, end);
            int eq = pair.indexOf('=');
            out.append(eq < 0 ? pair : pair.substring(0, eq + 1) + REDACTED);
            if (amp < 0) {
                break;
            }
            out.append('&');
            from = amp + 1;
        }
        return out.toString();
    }

    private static boolean isSeparator(char c) {
        return Character.isWhitespace(c) || c == '"' || c == '\'' || c == ',' || c == '(' || c == ')' || c == '<'
            || c == '>' || c == '[' || c == ']';
    }

    private static boolean containsIgnoreCase(String text, String word) {
        return text.toLowerCase(Locale.ROOT).contains(word);
    }
}
