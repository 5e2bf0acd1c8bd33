//! Attachment storage for tests: the server's private directory, or a bucket on the
//! S3-compatible server (moto) that `make test` starts (`HELPDESK_TEST_S3_ENDPOINT`).

use std::path::PathBuf;

use crate::{TestApp, TestAppBuilder, paths};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKind {
    Local,
    S3,
}

pub struct TestStorage {
    pub kind: StorageKind,
    bucket: String,
}

fn endpoint() -> String {
    std::env::var("HELPDESK_TEST_S3_ENDPOINT")
        .expect("HELPDESK_TEST_S3_ENDPOINT must point at an S3-compatible server (make test starts moto)")
}

impl TestStorage {
    pub async fn new(kind: StorageKind) -> Self {
        let bucket = format!("t{:016x}", rand::random::<u64>());
        if kind == StorageKind::S3 {
            let response =
                reqwest::Client::new().put(format!("{}/{bucket}", endpoint())).send().await.expect("create the bucket");
            assert!(response.status().is_success(), "create bucket: {}", response.status());
        }
        Self { kind, bucket }
    }

    /// Points the server at this storage.
    pub fn configure(&self, builder: TestAppBuilder) -> TestAppBuilder {
        match self.kind {
            StorageKind::Local => builder,
            StorageKind::S3 => builder
                .env("HELPDESK_STORAGE", format!("s3://{}/attachments", self.bucket))
                .env("AWS_ENDPOINT_URL", endpoint())
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_REGION", "us-east-1"),
        }
    }

    fn local_dir(app: &TestApp) -> PathBuf {
        app.dir.path().join("attachments")
    }

    /// The keys of every stored object.
    pub async fn keys(&self, app: &TestApp) -> Vec<String> {
        match self.kind {
            StorageKind::Local => std::fs::read_dir(Self::local_dir(app))
                .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default(),
            StorageKind::S3 => {
                let xml = reqwest::get(format!("{}/{}?list-type=2", endpoint(), self.bucket))
                    .await
                    .expect("list")
                    .text()
                    .await
                    .expect("body");
                xml.split("<Key>")
                    .skip(1)
                    .filter_map(|s| s.split("</Key>").next())
                    .map(|k| k.rsplit('/').next().unwrap_or(k).to_owned())
                    .collect()
            }
        }
    }
}

/// Genuine samples of every allowed type (built by `tests/samples.py`): name -> bytes.
pub fn samples() -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let status = std::process::Command::new(paths::python())
        .arg(paths::root().join("tests/samples.py"))
        .arg(dir.path())
        .status()
        .expect("run samples.py");
    assert!(status.success());
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
        .expect("samples")
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read sample")))
        .collect();
    out.sort();
    out
}
