//! `/api/v1/privacy`: the live retention settings the privacy page is generated from (P15).

use helpdesk_types::privacy::PrivacySettings;

use super::{ApiError, public_get};

pub async fn settings() -> Result<PrivacySettings, ApiError> {
    public_get("/api/v1/privacy").await
}
