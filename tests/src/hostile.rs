//! Hostile path values: dot segments in every spelling, separators, query and fragment characters,
//! control characters, look-alikes, and very long values. The SDK must refuse or escape each; the
//! emulator must answer each with a 4xx, never a 5xx.

/// The corpus.
pub fn corpus() -> Vec<String> {
    let mut values: Vec<String> = [
        // Empty, separators and dot segments in every spelling.
        "",
        ".",
        "..",
        "...",
        "%2e",
        "%2E",
        "%2e%2e",
        "%2E%2e",
        ".%2e",
        "%2e.",
        "..%2f",
        "..%2F",
        "../x",
        "..\\x",
        "./a",
        "a/.",
        "a/..",
        "a/../b",
        "a/./b",
        "/",
        "//",
        "/a",
        "a/",
        "a/b",
        "a//b",
        "\\",
        "a\\b",
        "%5c",
        "%2f",
        "%252e%252e",
        "%%32%65",
        // Query, fragment and percent characters.
        "?",
        "a?b=1",
        "#",
        "a#frag",
        "%",
        "%zz",
        "a&b=c",
        ";a=b",
        // Characters some servers read specially inside a segment: matrix parameters (`;`), `+` as a
        // space, sub-delimiters and user-info separators. They must arrive percent-encoded.
        "KEY;x",
        "KEY;x=1",
        "a+b",
        "+",
        "a=b",
        "user@host",
        "a:b",
        "a,b",
        "a!b$c'd(e)f*",
        // Control characters, CR/LF, NUL, header injection.
        "\0",
        "a\0b",
        "%00",
        "a\r\nb",
        "a\nX-Injected: 1",
        "\t",
        "\u{7f}",
        "\u{85}",
        // Whitespace and Unicode look-alikes of separators and dots.
        " ",
        "a b",
        "\u{2215}",
        "\u{ff0f}",
        "\u{2024}\u{2024}",
        "\u{ff0e}\u{ff0e}",
        "\u{3002}",
        "\u{202e}txt.exe",
        "é",
        "😀",
        "CON",
    ]
    .iter()
    .map(|v| v.to_string())
    .collect();
    values.push("a".repeat(10_000));
    values.push("%2e".repeat(3_000));
    values
}
