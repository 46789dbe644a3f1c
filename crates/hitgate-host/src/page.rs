//! What the self-contained HTML pages share (`report.html`,
//! `compare.html`): escaping and the head with its style. No script and no
//! link to fetch: a page opens anywhere, offline.

/// Text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page's start, up to and including `<body>`.
pub fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{}</title><style>\
         body{{font-family:sans-serif;margin:2em;max-width:72em}}\
         table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #bbb;padding:.25em .6em;text-align:right}}\
         th:first-child,td:first-child{{text-align:left}}\
         .a{{color:#1f5fb4}}.b{{color:#c0392b}}</style></head><body>",
        esc(title)
    )
}
