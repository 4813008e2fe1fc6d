package io.mailroute.postfix;

/**
 * Makes text that may contain user input safe to show on one line of a terminal, a log or a status
 * message.
 *
 * <p>Escaped as {@code \\uXXXX} (or {@code \\u{XXXXX}} above the BMP): control characters (Cc),
 * format characters (Cf, which includes the bidirectional overrides and isolates U+202A..U+202E and
 * U+2066..U+2069 that can make a message read differently from what it says, "Trojan Source",
 * CVE-2021-42574), line and paragraph separators (U+2028, U+2029, which many viewers and JavaScript
 * treat as line breaks), every space separator except the plain space, and unpaired surrogates.
 * Everything else, including letters of any script, is kept.
 */
public final class SafeText {

    private SafeText() {}

    /**
     * Escapes the characters described above; backslashes are left alone, so text that was already
     * quoted with {@link #quote} is not escaped twice.
     */
    public static String oneLine(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(text.length());
        appendEscaped(out, text, false);
        return out.toString();
    }

    /**
     * A user value in double quotes for an error message: like {@link #oneLine}, plus {@code \n},
     * {@code \r}, {@code \t}, {@code \"} and {@code \\} spelled as escapes; values longer than
     * {@code maxChars} are shortened with {@code ...}.
     */
    public static String quote(String value, int maxChars) {
        String shown = value;
        boolean cut = false;
        if (value.codePointCount(0, value.length()) > maxChars) {
            shown = value.substring(0, value.offsetByCodePoints(0, maxChars));
            cut = true;
        }
        StringBuilder out = new StringBuilder("\"");
        appendEscaped(out, shown, true);
        if (cut) {
            out.append("...");
        }
        return out.append('"').toString();
    }

    /** True when {@code c} (a code point) would be escaped by {@link #oneLine}. */
    public static boolean isUnsafe(int c) {
        if (c == ' ') {
            return false;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR,
                    Character.SURROGATE,
                    Character.PRIVATE_USE,
                    Character.UNASSIGNED ->
                    true;
            default -> false;
        };
    }

    private static void appendEscaped(StringBuilder out, String text, boolean quoting) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (quoting) {
                switch (c) {
                    case '\n' -> {
                        out.append("\\n");
                        continue;
                    }
                    case '\r' -> {
                        out.append("\\r");
                        continue;
                    }
                    case '\t' -> {
                        out.append("\\t");
                        continue;
                    }
                    case '"' -> {
                        out.append("\\\"");
                        continue;
                    }
                    case '\\' -> {
                        out.append("\\\\");
                        continue;
                    }
                    default -> {}
                }
            }
            if (isUnsafe(c)) {
                out.append(c > 0xffff ? String.format("\\u{%X}", c) : String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        }
    }
}
