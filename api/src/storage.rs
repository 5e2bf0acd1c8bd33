//! Where attachment bytes live: a private local directory or an S3-compatible bucket, behind
//! the `object_store` crate. Keys are random; nothing here is ever served statically.

use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, aws::AmazonS3Builder, local::LocalFileSystem, path::Path};

use crate::config::StorageLocation;

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
}

/// An object in the store.
pub struct StoredObject {
    pub key: String,
    pub last_modified: chrono::DateTime<chrono::Utc>,
}

impl Storage {
    pub fn open(location: &StorageLocation) -> anyhow::Result<Self> {
        match location {
            StorageLocation::Directory(dir) => {
                create_private_dir(dir)?;
                let store = LocalFileSystem::new_with_prefix(dir)
                    .with_context(|| format!("HELPDESK_STORAGE: cannot use {}", dir.display()))?;
                Ok(Self { store: Arc::new(store), prefix: Path::default() })
            }
            StorageLocation::S3 { bucket, prefix } => {
                let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
                if std::env::var("AWS_ENDPOINT_URL")
                    .or_else(|_| std::env::var("AWS_ENDPOINT"))
                    .is_ok_and(|e| e.starts_with("http://"))
                {
                    builder = builder.with_allow_http(true);
                }
                let store = builder
                    .build()
                    .context("HELPDESK_STORAGE: cannot configure the S3 bucket (check the AWS_* variables)")?;
                Ok(Self { store: Arc::new(store), prefix: Path::from(prefix.as_str()) })
            }
        }
    }

    fn path(&self, key: &str) -> Path {
        self.prefix.clone().join(key)
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.store.put(&self.path(key), PutPayload::from_bytes(bytes)).await.context("cannot store the attachment")?;
        Ok(())
    }

    /// The object's bytes as a stream (memory stays flat whatever the size).
    pub async fn get(&self, key: &str) -> anyhow::Result<BoxStream<'static, Result<Bytes, std::io::Error>>> {
        let result = self.store.get(&self.path(key)).await.context("cannot read the attachment")?;
        Ok(result.into_stream().map_err(std::io::Error::other).boxed())
    }

    /// Deletes an object; a missing one is not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(anyhow::Error::new(e).context("cannot delete the attachment")),
        }
    }

    /// Deletes objects after the rows pointing to them were deleted; failures are logged and
    /// left to the sweep.
    pub async fn delete_all(&self, keys: &[String]) {
        for key in keys {
            if let Err(err) = self.delete(key).await {
                tracing::warn!(key, error = %format!("{err:#}"), "attachment object not deleted; the sweep will retry");
            }
        }
    }

    pub async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        match self.store.head(&self.path(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Every object under the prefix.
    pub async fn list(&self) -> anyhow::Result<Vec<StoredObject>> {
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        let metas: Vec<_> = self.store.list(prefix).try_collect().await?;
        Ok(metas
            .into_iter()
            .filter_map(|m| {
                let key = m.location.filename()?.to_owned();
                Some(StoredObject { key, last_modified: m.last_modified })
            })
            .collect())
    }
}

/// Creates the directory with mode 0700 (and tightens an existing one).
fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("HELPDESK_STORAGE: cannot create {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("HELPDESK_STORAGE: cannot restrict {}", dir.display()))?;
    Ok(())
}
