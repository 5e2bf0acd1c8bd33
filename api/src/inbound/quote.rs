//! Cutting the quoted earlier messages from a reply, as mail programs write them: "On … wrote:"
//! (Apple Mail, Gmail, Thunderbird), "Am … schrieb …:" (German), `>` blocks, and Outlook's
//! "-----Original Message-----" or "From:/Von:" header blocks. The full message stays in
//! `original.eml` for staff.

/// The start of a header line Outlook writes above the quoted message, in English and German.
fn is_outlook_header(line: &str) -> bool {
    ["From:", "Von:", "Sent:", "Gesendet:", "To:", "An:", "Subject:", "Betreff:", "Date:", "Datum:"]
        .iter()
        .any(|h| line.trim_start_matches('*').starts_with(h))
}

/// Whether the quote starts at line `i`.
fn quote_starts(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    let lower = line.to_lowercase();
    if lower.starts_with("-----original message") || lower.starts_with("-----ursprüngliche nachricht") {
        return true;
    }
    // "On Mon, 2 Dec 2026 at 10:00, Jane <jane@example.com> wrote:", possibly wrapped once.
    let joined = match lines.get(i + 1) {
        Some(next) => format!("{line} {}", next.trim()),
        None => line.to_owned(),
    };
    for candidate in [line, joined.as_str()] {
        let c = candidate.trim_end();
        if (c.starts_with("On ") && c.ends_with("wrote:"))
            || (c.starts_with("Am ") && c.contains("schrieb") && c.ends_with(':'))
        {
            return true;
        }
    }
    // Outlook: an optional rule, then "From:/Von:" and at least two more header lines.
    let start = if line.starts_with("________") { i + 1 } else { i };
    let block: Vec<&str> = lines.iter().skip(start).take(5).map(|l| l.trim()).collect();
    let from_first = block.first().is_some_and(|l| {
        l.trim_start_matches('*').starts_with("From:") || l.trim_start_matches('*').starts_with("Von:")
    });
    from_first && block.iter().filter(|l| is_outlook_header(l)).count() >= 3
}

/// The reply without the quoted messages. When nothing but quotes is left, the whole text.
pub fn strip_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = (0..lines.len()).find(|&i| quote_starts(&lines, i)).unwrap_or(lines.len());
    let kept: Vec<&str> = lines[..end].iter().copied().filter(|l| !l.trim_start().starts_with('>')).collect();
    let reply = kept.join("\n").trim().to_owned();
    if reply.is_empty() { text.trim().to_owned() } else { reply }
}

#[cfg(test)]
mod tests {
    use super::strip_quoted;

    #[test]
    fn english_and_german_attributions_cut_the_quote() {
        let en = "Thanks, works now.\n\nOn Tue, 1 Dec 2026 at 09:12, Support <support@example.com> wrote:\n> Please restart.\n";
        assert_eq!(strip_quoted(en), "Thanks, works now.");
        let wrapped = "Danke!\n\nOn Tue, 1 Dec 2026 at 09:12, Helpdesk Support\n<support@example.com> wrote:\n> x\n";
        assert_eq!(strip_quoted(wrapped), "Danke!");
        let de = "Danke, läuft wieder.\n\nAm 01.12.2026 um 09:12 schrieb Support <support@example.com>:\n> Bitte neu starten.\n";
        assert_eq!(strip_quoted(de), "Danke, läuft wieder.");
    }

    #[test]
    fn outlook_header_blocks_cut_the_quote() {
        let en =
            "Fixed.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nTo: Jane\nSubject: [#100001] x\n\nold";
        assert_eq!(strip_quoted(en), "Fixed.");
        let de = "Erledigt.\n\n________________________________\nVon: Support <support@example.com>\nGesendet: Montag, 1. Dezember 2026 09:12\nAn: Jane\nBetreff: [#100001] x\n\nalt";
        assert_eq!(strip_quoted(de), "Erledigt.");
        let bold = "Ok.\r\n\r\n*From:* Support\n*Sent:* Monday\n*To:* Jane\n\nold".replace('\r', "");
        assert_eq!(strip_quoted(&bold), "Ok.");
    }

    #[test]
    fn quoted_lines_go_and_own_lines_stay() {
        assert_eq!(strip_quoted("> old\n> older\nnew answer\n"), "new answer");
        assert_eq!(
            strip_quoted("line one\nFrom: the start of a sentence\nline three"),
            "line one\nFrom: the start of a sentence\nline three"
        );
    }

    #[test]
    fn a_reply_that_is_only_a_quote_keeps_everything() {
        assert_eq!(strip_quoted("> only quoted\n"), "> only quoted");
    }
}
