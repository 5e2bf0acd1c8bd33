//! A PostgreSQL cluster of one test's own (`scripts/pg.sh`), for tests that stop and start the
//! database under a running server; the shared cluster of `make test` is never touched.

use std::{path::PathBuf, process::Command};

use crate::{TestDb, paths};

pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    /// The URL of its `postgres` database.
    pub url: String,
}

fn pg(args: &[&str]) -> String {
    let out =
        Command::new("bash").arg(paths::root().join("scripts/pg.sh")).args(args).output().expect("run scripts/pg.sh");
    assert!(out.status.success(), "pg.sh {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl PrivatePostgres {
    /// A new cluster with normal durability (fsync and synchronous commit on).
    pub fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("helpdesk-pg-").tempdir().expect("create a directory");
        let url = pg(&["start", &Self::data(&dir).display().to_string()]);
        Self { dir, url }
    }

    fn data(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("data")
    }

    /// A database on this cluster for a server (not dropped with a [`TestDb`]).
    pub fn database(&self) -> TestDb {
        TestDb::external(&self.url)
    }

    /// Stops the server (fast shutdown: sessions are ended, committed data stays).
    pub fn stop(&self) {
        pg(&["stop", &Self::data(&self.dir).display().to_string()]);
    }

    /// Starts it again on the same port.
    pub fn start_again(&self) {
        pg(&["start", &Self::data(&self.dir).display().to_string()]);
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        self.stop();
    }
}
