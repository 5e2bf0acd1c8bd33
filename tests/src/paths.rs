//! Where things are: the workspace, the binary under test, the tools, the test artifacts.

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate lives in the workspace").to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// The `helpdesk` binary: `HELPDESK_BIN`, or the debug build in the target directory.
pub fn binary() -> PathBuf {
    let path = std::env::var_os("HELPDESK_BIN").map_or_else(|| target_dir().join("debug/helpdesk"), PathBuf::from);
    assert!(path.is_file(), "{} not found: run `cargo build -p helpdesk-api` or `make test`", path.display());
    path
}

/// The project's Python virtualenv interpreter (created by scripts/ensure-tools.sh).
pub fn python() -> PathBuf {
    let venv = root().join(".tools/venv/bin/python");
    if venv.is_file() { venv } else { PathBuf::from("python3") }
}

/// A directory for this test's artifacts (server log, screenshots), kept after the run.
pub fn artifacts(test: &str) -> PathBuf {
    let dir = target_dir().join("test-artifacts").join(test.replace("::", "__"));
    std::fs::create_dir_all(&dir).expect("create the artifacts directory");
    dir
}

/// The name of the running test (cargo's test harness names the thread after it).
pub fn current_test() -> String {
    std::thread::current().name().filter(|n| *n != "main").unwrap_or("unnamed").to_owned()
}
