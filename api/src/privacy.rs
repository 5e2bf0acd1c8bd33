//! `GET /api/v1/privacy`: the live settings the SPA's privacy page is generated from, so the
//! published policy cannot drift from what the system does (P15).

use actix_web::{get, web};
use helpdesk_types::privacy::PrivacySettings;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{attachments::validate, state::AppState};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(privacy_settings);
}

/// Retention periods and protections as configured (public).
#[utoipa::path(operation_id = "getPrivacySettings", tag = "privacy", responses((status = 200, description = "The live settings.", body = PrivacySettings)))]
#[get("/privacy")]
pub async fn privacy_settings(
    state: web::Data<AppState>,
) -> Result<web::Json<PrivacySettings>, crate::error::ApiError> {
    use diesel::prelude::*;
    let urls: Vec<String> = crate::db::run(&state.pool, |conn| {
        use crate::db::schema::webhooks;
        Ok(webhooks::table.filter(webhooks::active.eq(true)).select(webhooks::url).load(conn)?)
    })
    .await?;
    let mut webhook_hosts: Vec<String> =
        urls.iter().filter_map(|u| reqwest::Url::parse(u).ok()?.host_str().map(str::to_owned)).collect();
    webhook_hosts.sort();
    webhook_hosts.dedup();
    let c = &state.config;
    let p = &c.policies;
    Ok(web::Json(PrivacySettings {
        inactive_account_deletion_days: p.inactive_account_deletion_days,
        inactive_account_warning_days: p.inactive_account_warning_days,
        auto_close_resolved_after_days: p.auto_close_resolved_after_days,
        email_log_retention_days: p.email_log_retention_days,
        request_log_retention_days: p.request_log_retention_days,
        request_logs_kept_by_server: c.log_dir.is_some(),
        login_failures_before_captcha: p.login_failures_per_account,
        login_failure_window_minutes: p.login_failure_window.as_secs() / 60,
        session_idle_minutes: p.session_idle_timeout.as_secs() / 60,
        max_upload_bytes: c.max_upload_bytes,
        allowed_file_types: validate::ALLOWED.iter().map(|(ext, _)| ext.to_uppercase()).collect(),
        captcha_enabled: c.captcha.secret.is_some(),
        smtp_relay: c.smtp_url.is_some(),
        captcha_sitekey: c.captcha.sitekey.clone(),
        contact_retention_days: p.contact_retention_days,
        audit_log_retention_days: p.audit_log_retention_days,
        raw_email_retention_days: c.inbound.raw_email_retention_days,
        webhook_hosts,
    }))
}
