//! One-click unsubscribe (RFC 8058): every non-essential mail carries `List-Unsubscribe` with a
//! signed link and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The link names the
//! account and what to turn off (`42:kind:reminders`, `7:topic:sla_warning`), signed with a key
//! derived from `HELPDESK_JWT_SECRET`, so nothing is stored per mail. A customer's kind joins
//! `refused_notifications` (P12, objection); a staff topic stops going by email.

use actix_web::{post, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use diesel::prelude::*;
use helpdesk_types::{Problem, accounts::NotificationKind, notifications::Topic};
use serde::{Deserialize, Serialize};

use super::{NotificationChannel, channel};
use crate::{
    accounts::verification::invalid_link,
    auth::tokens,
    db::{self, schema::users},
    error::ApiError,
    state::AppState,
};

/// Signs and checks unsubscribe tokens.
#[derive(Clone)]
pub struct Signer(Vec<u8>);

impl Signer {
    pub fn new(secret: &str) -> Self {
        Self(tokens::hmac_sha256(secret.as_bytes(), b"helpdesk one-click unsubscribe v1"))
    }

    pub fn token(&self, payload: &str) -> String {
        let mac = tokens::hmac_sha256(&self.0, payload.as_bytes());
        format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(mac))
    }

    /// The payload, if the token is ours and unchanged.
    pub fn verify(&self, token: &str) -> Option<String> {
        let (payload, mac) = token.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let expected = tokens::hmac_sha256(&self.0, payload.as_bytes());
        // Constant time: the comparison must not tell how much of a forged MAC was right.
        let given = URL_SAFE_NO_PAD.decode(mac).ok()?;
        let same = given.len() == expected.len() && given.iter().zip(&expected).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0;
        same.then_some(payload)
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UnsubscribeQuery {
    /// The token from the mail's `List-Unsubscribe` header.
    token: String,
}

/// What was turned off.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Unsubscribed {
    /// The refused kind (`reminders`, ...) or staff topic (`sla_warning`, ...).
    pub unsubscribed: String,
}

/// One-click unsubscribe from a kind of non-essential email (RFC 8058; mail clients POST here).
/// No sign-in: the signed token is the permission. Essential mail cannot be turned off.
#[utoipa::path(
    tag = "notifications",
    params(UnsubscribeQuery),
    responses(
        (status = 200, description = "Turned off.", body = Unsubscribed),
        (status = 400, description = "`invalid_token`: the link is not ours, or was altered.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/unsubscribe")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<web::Json<Unsubscribed>, ApiError> {
    let payload = Signer::new(state.config.jwt_secret.expose()).verify(&query.token).ok_or_else(invalid_link)?;
    let mut parts = payload.splitn(3, ':');
    let (Some(user_id), Some(what), Some(name)) =
        (parts.next().and_then(|u| u.parse::<i64>().ok()), parts.next(), parts.next())
    else {
        return Err(invalid_link());
    };
    let (what, name) = (what.to_owned(), name.to_owned());
    let done = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let exists: bool = diesel::select(diesel::dsl::exists(users::table.find(user_id))).get_result(conn)?;
            if !exists {
                return Err(invalid_link());
            }
            match what.as_str() {
                "kind" => {
                    let kind: NotificationKind = name.parse().map_err(|_| invalid_link())?;
                    let refused: Vec<Option<String>> =
                        users::table.find(user_id).select(users::refused_notifications).first(conn)?;
                    if !refused.iter().flatten().any(|k| k == kind.as_str()) {
                        let mut refused = refused;
                        refused.push(Some(kind.as_str().to_owned()));
                        diesel::update(users::table.find(user_id))
                            .set(users::refused_notifications.eq(&refused))
                            .execute(conn)?;
                        // P12 objection, as through `PATCH /me`.
                        crate::audit::record(
                            conn,
                            &crate::audit::Entry {
                                actor_id: Some(user_id),
                                actor_name: "Account holder (one-click unsubscribe)",
                                action: "objection_changed",
                                subject_id: Some(user_id),
                                details: serde_json::json!({"refused": refused.into_iter().flatten().collect::<Vec<_>>()}),
                                client_ip: None,
                            },
                        )?;
                    }
                }
                "topic" => {
                    let topic: Topic = name.parse().map_err(|_| invalid_link())?;
                    let now = channel(conn, user_id, topic)?;
                    let without_mail = if now.in_app() { NotificationChannel::InApp } else { NotificationChannel::None };
                    let mut prefs: serde_json::Value =
                        users::table.find(user_id).select(users::notification_channels).first(conn)?;
                    if let Some(map) = prefs.as_object_mut() {
                        map.insert(topic.as_str().to_owned(), without_mail.as_str().into());
                    } else {
                        prefs = serde_json::json!({topic.as_str(): without_mail.as_str()});
                    }
                    diesel::update(users::table.find(user_id)).set(users::notification_channels.eq(prefs)).execute(conn)?;
                }
                _ => return Err(invalid_link()),
            }
            Ok(name)
        })
    })
    .await?;
    Ok(web::Json(Unsubscribed { unsubscribed: done }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_unaltered_and_with_the_same_secret() {
        let signer = Signer::new("secret-one");
        let token = signer.token("42:kind:reminders");
        assert_eq!(signer.verify(&token).as_deref(), Some("42:kind:reminders"));
        let forged = format!("{}.{}", URL_SAFE_NO_PAD.encode("43:kind:reminders"), token.split_once('.').unwrap().1);
        assert_eq!(signer.verify(&forged), None, "another account with the same signature");
        assert_eq!(Signer::new("secret-two").verify(&token), None);
        assert_eq!(signer.verify("garbage"), None);
    }
}
