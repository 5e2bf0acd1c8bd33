//! Request logs on disk (P10): with `HELPDESK_LOG_DIR` set, every access-log line (one JSON
//! object: request id, method, path without query string, status, latency, client IP; never a
//! credential) is also appended to `<dir>/requests-YYYY-MM-DD.jsonl` (UTC), and the clean-up job
//! deletes the files older than `HELPDESK_REQUEST_LOG_RETENTION_DAYS` (90). Without it, logs go
//! to stderr only and their retention is the operator's log system's (the privacy page says so).

use std::{
    fs::{File, OpenOptions},
    io,
    path::{Path, PathBuf},
};

use chrono::{NaiveDate, Utc};

/// The target of the access-log events (`middleware::request_id`).
pub const TARGET: &str = "helpdesk_api::middleware::request_id";

/// Opens today's file for appending (a `tracing` writer; one open per line keeps it simple and
/// makes the daily switch exact).
#[derive(Debug, Clone)]
pub struct DailyFiles(pub PathBuf);

impl DailyFiles {
    fn today(&self) -> PathBuf {
        self.0.join(format!("requests-{}.jsonl", Utc::now().format("%Y-%m-%d")))
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for DailyFiles {
    type Writer = Box<dyn io::Write + 'a>;

    fn make_writer(&'a self) -> Self::Writer {
        match OpenOptions::new().create(true).append(true).open(self.today()) {
            Ok(file) => Box::new(file),
            Err(_) => Box::new(io::sink()),
        }
    }
}

/// The day a log file holds, from its name.
fn day_of(name: &str) -> Option<NaiveDate> {
    let date = name.strip_prefix("requests-")?.strip_suffix(".jsonl")?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// Deletes the files of days more than `days` ago; returns how many.
pub fn delete_expired(dir: &Path, days: u32) -> io::Result<usize> {
    let cutoff = Utc::now().date_naive() - chrono::Duration::days(days.into());
    let mut deleted = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if day_of(&name).is_some_and(|day| day < cutoff) {
            std::fs::remove_file(entry.path())?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Creates the directory (0700: logs hold client addresses).
pub fn prepare(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let _ = File::open(dir)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_request_log_files_are_dated() {
        assert_eq!(day_of("requests-2026-01-31.jsonl"), NaiveDate::from_ymd_opt(2026, 1, 31));
        assert_eq!(day_of("notes.txt"), None);
        assert_eq!(day_of("requests-latest.jsonl"), None);
    }
}
