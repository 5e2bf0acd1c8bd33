//! What may be uploaded (P6): the extension must be allowed and the content must be what the
//! extension says, judged by magic bytes, never by the client's `Content-Type`.

/// The allowed extensions and the content type each is served with.
pub const ALLOWED: &[(&str, &str)] = &[
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("gif", "image/gif"),
    ("pdf", "application/pdf"),
    ("doc", "application/msword"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("txt", "text/plain; charset=utf-8"),
    ("zip", "application/zip"),
    ("rar", "application/vnd.rar"),
];

pub fn allowed_list() -> String {
    ALLOWED.iter().map(|(e, _)| e.to_uppercase()).collect::<Vec<_>>().join(", ")
}

/// The extension of a file name, lower-case.
pub fn extension(filename: &str) -> Option<String> {
    let (stem, ext) = filename.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

pub use helpdesk_types::validation::content_matches;

/// The content type files of `ext` are served with.
pub fn content_type(ext: &str) -> Option<&'static str> {
    ALLOWED.iter().find(|(e, _)| *e == ext).map(|(_, ct)| *ct)
}

/// A safe display name: no path, no control characters, no leading dots, at most 200
/// characters (the extension kept).
pub fn sanitize_filename(raw: &str, ext: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let cleaned = if cleaned.chars().count() > 200 {
        let keep = 200 - ext.len() - 1;
        format!("{}.{ext}", cleaned.chars().take(keep).collect::<String>())
    } else {
        cleaned.to_owned()
    };
    if cleaned.is_empty() || extension(&cleaned).is_none() { format!("file.{ext}") } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_the_last_suffix() {
        assert_eq!(extension("invoice.pdf.exe").as_deref(), Some("exe"));
        assert_eq!(extension("Photo.JPG").as_deref(), Some("jpg"));
        assert_eq!(extension(".png"), None);
        assert_eq!(extension("README"), None);
    }

    #[test]
    fn content_must_match_the_extension() {
        assert!(content_matches("pdf", b"%PDF-1.7\n..."));
        assert!(!content_matches("png", b"\x7fELF\x02\x01\x01"));
        assert!(!content_matches("jpg", b"<html><script>alert(1)</script></html>"));
        assert!(!content_matches("png", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
        assert!(content_matches("txt", "Grüße\n".as_bytes()));
        assert!(!content_matches("txt", b"abc\0def"));
        assert!(!content_matches("txt", &[0xff, 0xfe, 0x00]));
        assert!(content_matches("doc", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]));
    }

    #[test]
    fn filenames_are_sanitized() {
        assert_eq!(sanitize_filename("../../etc/passwd.txt", "txt"), "passwd.txt");
        assert_eq!(sanitize_filename("C:\\Users\\x\\report.pdf", "pdf"), "report.pdf");
        assert_eq!(sanitize_filename("...hidden.png", "png"), "hidden.png");
        assert_eq!(sanitize_filename("a\u{0}b\nc.txt", "txt"), "abc.txt");
        assert_eq!(sanitize_filename(&format!("{}.pdf", "x".repeat(300)), "pdf").chars().count(), 200);
        assert_eq!(sanitize_filename("", "png"), "file.png");
    }
}
