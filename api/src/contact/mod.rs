//! The contact form (P14, P8): guests send a request, always behind the captcha, with an
//! explicit consent stored with its wording and time. It becomes a ticket with channel
//! `contact_form`; the requester is the existing account of the address or a new contact
//! without a password (the answer is the same, so it reveals nothing). The sender reads and
//! answers the public conversation through a private link (256 bits, stored hashed) that goes
//! with the ticket; replies by staff are emailed with such a link. Contact-form tickets are
//! deleted `HELPDESK_CONTACT_RETENTION_DAYS` after closing (`tickets/retention.rs`).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel::prelude::*;
use helpdesk_types::{
    Locale, Problem, Role,
    accounts::Notice,
    contact::{ContactRequest, RequestReply, RequestView, consent_wording},
    tickets::{Channel, CreateComment, Priority},
};
use rand::RngCore;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::{
    accounts::{
        model::{NewUser, User},
        repo as accounts,
    },
    auth::routes::{client_address, require_captcha},
    db,
    email::{self, Message},
    error::{ApiError, ProblemCode},
    state::AppState,
    tickets::{
        events::{self, Actor, Change},
        intake, policy, repo as tickets,
    },
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(send_request).service(view_request).service(reply_to_request);
}

/// The account of `email`, or a new contact without a password (who can claim the account
/// later with a password reset). Used by the contact form and by mail to the support address.
pub fn find_or_create_contact(
    conn: &mut PgConnection,
    email: &str,
    name: &str,
    company: Option<&str>,
    phone: Option<&str>,
    locale: Locale,
) -> Result<User, ApiError> {
    if let Some(existing) = accounts::find_by_email(conn, email)? {
        return Ok(existing);
    }
    let mut suffix = [0_u8; 5];
    rand::rng().fill_bytes(&mut suffix);
    let username = format!("contact-{}", hex::encode(suffix));
    // In a savepoint: when a concurrent request created the account a moment ago, the failed
    // insert must not abort the request's transaction, and that account is used.
    let created = conn.transaction(|conn| {
        accounts::create(
            conn,
            NewUser {
                email,
                username: &username,
                full_name: name,
                company,
                phone,
                password_hash: None,
                role: Role::Customer,
                locale,
                organization_id: None,
                email_verified_at: None,
            },
        )
    });
    match created {
        Err(ApiError::Conflict { code: ProblemCode::EmailTaken, .. }) => {
            accounts::find_by_email(conn, email)?.ok_or(ApiError::NotFound)
        }
        other => other,
    }
}

/// Send a request without an account. Always needs a solved captcha and the consent. The
/// confirmation email carries a private link to read and answer the request.
#[utoipa::path(
    operation_id = "submitContactRequest",
    tag = "contact",
    request_body = ContactRequest,
    responses(
        (status = 202, description = "Received; a confirmation with a private link is on its way.", body = Notice),
        (status = 403, description = "`captcha_required`: send a solved captcha as `captcha_token`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the consent is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No captcha service is configured, so the form is off.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/contact")]
async fn send_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<ContactRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = client_address(&req, &state);
    state.auth_limiter.check(&client)?;
    let mut body = body.into_inner();
    body.validate()?;
    if !body.consent {
        return Err(ApiError::field("consent", "is needed to store and answer your request"));
    }
    if !state.captcha.enabled() {
        return Err(ApiError::Unavailable(
            "the contact form needs a captcha service (HELPDESK_HCAPTCHA_SECRET)".into(),
        ));
    }
    require_captcha(&state, body.captcha_token.as_deref(), &client, "The contact form needs a solved captcha").await?;
    body.email = body.email.trim().to_lowercase();
    let public_url = state.config.public_url.clone();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let person = find_or_create_contact(
                conn,
                &body.email,
                &body.name,
                body.company.as_deref(),
                body.phone.as_deref(),
                body.locale.unwrap_or(Locale::En),
            )?;
            // A restricted account's data is not processed (P12): nothing is stored or sent.
            if person.restricted_at.is_some() {
                return Ok(());
            }
            let content = intake::Content {
                subject: &body.subject,
                description: &body.message,
                priority: Priority::Normal,
                channel: Channel::ContactForm,
            };
            let new = intake::new_ticket(conn, &person, &content, None)?;
            let row = tickets::insert(conn, &new)?;
            let locale = body.locale.unwrap_or(person.locale);
            tickets::set_consent(conn, row.id, consent_wording(locale))?;
            events::record(conn, row.id, &Actor { id: Some(person.id), name: &body.name }, Change::Created)?;
            crate::notifications::new_ticket(conn, &row, person.id, &public_url)?;
            crate::webhooks::emit(
                conn,
                helpdesk_types::integrations::EventType::TicketCreated,
                Some(row.id),
                false,
                crate::webhooks::ticket_data(&row),
            )?;
            crate::notifications::stream::ticket_changed(conn, row.id)?;
            let token = tickets::create_request_link(conn, row.id)?;
            let message = Message::ContactReceived {
                name: body.name.clone(),
                number: row.number,
                subject: row.subject.clone(),
                token,
            };
            email::enqueue(conn, &body.email, locale, &message, &public_url)?;
            Ok(())
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Accepted().json(Notice {
        message: "We received your request; check your inbox for a confirmation with a private link.".into(),
    }))
}

/// A request as its private link shows it: the text and the public replies.
#[utoipa::path(
    operation_id = "getContactRequest",
    tag = "contact",
    params(("token" = String, Path, description = "The token of the private link")),
    responses(
        (status = 200, description = "The request.", body = RequestView),
        (status = 404, description = "No such link (or the request was deleted).", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/requests/{token}")]
async fn view_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<web::Json<RequestView>, ApiError> {
    state.auth_limiter.check(&client_address(&req, &state))?;
    let token = token.into_inner();
    let view = db::run(&state.pool, move |conn| {
        let t = tickets::find_by_request_link(conn, &token, false)?.ok_or(ApiError::NotFound)?;
        let replies = tickets::public_comments(conn, t.id)?
            .into_iter()
            .map(|c| RequestReply { author_name: c.author_name, body: c.body, created_at: c.created_at })
            .collect();
        Ok(RequestView {
            number: t.number,
            subject: t.subject,
            description: t.description,
            status: t.status,
            created_at: t.created_at,
            replies,
        })
    })
    .await?;
    Ok(web::Json(view))
}

/// Answer a request through its private link (not once it is closed).
#[utoipa::path(
    operation_id = "replyToContactRequest",
    tag = "contact",
    params(("token" = String, Path, description = "The token of the private link")),
    request_body = CreateComment,
    responses(
        (status = 201, description = "The reply was added."),
        (status = 404, description = "No such link.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`ticket_closed`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The text is empty or too long.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/requests/{token}/comments")]
async fn reply_to_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Json<CreateComment>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&client_address(&req, &state))?;
    let (token, body) = (token.into_inner(), body.into_inner());
    body.validate()?;
    let text = body.body.trim().to_owned();
    let public_url = state.config.public_url.clone();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut t = tickets::find_by_request_link(conn, &token, true)?.ok_or(ApiError::NotFound)?;
            let person = accounts::find(conn, t.requester_id)?.ok_or(ApiError::NotFound)?;
            let as_viewer = policy::Viewer::person(conn, &person)?;
            crate::tickets::comments::add(conn, &as_viewer, &mut t, &text, false, &public_url)?;
            Ok(())
        })
    })
    .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Created().finish())
}
