//! Notifications for staff: in-app (the bell, `GET /api/v1/notifications`, pushed over
//! `GET /api/v1/stream`) and by email, per topic as each person chose
//! (`notification_channels`; defaults in [`Topic::default_channel`]). Everything is written in
//! the caller's transaction; emails go through the outbox, live updates through PostgreSQL
//! `NOTIFY` (delivered on commit, to every server instance).

pub mod routes;
pub mod stream;
pub mod unsubscribe;

use std::collections::BTreeMap;

use diesel::prelude::*;
pub use helpdesk_types::notifications::{NotificationChannel, Topic};
use helpdesk_types::{Locale, Role};

use crate::{
    accounts::model::User,
    db::schema::{notifications, users},
    email::{self, Message},
    error::ApiError,
    sla::clock::Target,
    tickets::model::TicketRow,
};

/// The channel `user_id` chose for `topic`.
pub fn channel(conn: &mut PgConnection, user_id: i64, topic: Topic) -> QueryResult<NotificationChannel> {
    let prefs: serde_json::Value = users::table.find(user_id).select(users::notification_channels).first(conn)?;
    Ok(parse_channels(&prefs).get(topic.as_str()).copied().unwrap_or(topic.default_channel()))
}

pub fn parse_channels(prefs: &serde_json::Value) -> BTreeMap<String, NotificationChannel> {
    prefs
        .as_object()
        .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.parse().ok()?))).collect())
        .unwrap_or_default()
}

/// Tells `person` about `topic` on the channels they chose: an in-app notification titled
/// `title` (in their language), and `email` by mail.
pub fn deliver(
    conn: &mut PgConnection,
    person: &User,
    topic: Topic,
    ticket: Option<&TicketRow>,
    title: &str,
    email: Option<&Message>,
    public_url: &str,
) -> Result<(), ApiError> {
    if !person.active || person.restricted_at.is_some() {
        return Ok(());
    }
    let chosen = channel(conn, person.id, topic)?;
    if chosen.in_app() {
        diesel::insert_into(notifications::table)
            .values((
                notifications::user_id.eq(person.id),
                notifications::ticket_id.eq(ticket.map(|t| t.id)),
                notifications::kind.eq(topic.as_str()),
                notifications::title.eq(title),
            ))
            .execute(conn)?;
        stream::publish(conn, person.id, "notification")?;
    }
    if chosen.email()
        && let Some(message) = email
    {
        email::enqueue(conn, &person.email, person.locale, message, public_url)?;
    }
    Ok(())
}

fn label(t: &TicketRow) -> String {
    let subject: String = t.subject.chars().take(80).collect();
    format!("#{} {subject}", t.number)
}

/// A notice about a ticket to each of `people` (the inactive and restricted skipped), on the
/// channels each chose: in-app notifications in one insert with one live update, and a short
/// mail with the link. A constant number of statements however many people it reaches.
fn ticket_notices(
    conn: &mut PgConnection,
    people: &[User],
    topic: Topic,
    t: &TicketRow,
    public_url: &str,
) -> Result<(), ApiError> {
    let people: Vec<&User> = people.iter().filter(|p| p.active && p.restricted_at.is_none()).collect();
    if people.is_empty() {
        return Ok(());
    }
    let prefs: BTreeMap<i64, serde_json::Value> = users::table
        .filter(users::id.eq_any(people.iter().map(|p| p.id).collect::<Vec<_>>()))
        .select((users::id, users::notification_channels))
        .load(conn)?
        .into_iter()
        .collect();
    let (mut in_app, mut ids) = (Vec::new(), Vec::new());
    for person in people {
        let chosen = prefs
            .get(&person.id)
            .and_then(|p| parse_channels(p).get(topic.as_str()).copied())
            .unwrap_or(topic.default_channel());
        let title = title(topic, person.locale, &label(t));
        if chosen.email() {
            let message = Message::AgentNotice {
                name: person.full_name.clone(),
                topic,
                title: title.clone(),
                link: format!("/tickets/{}", t.number),
            };
            email::enqueue(conn, &person.email, person.locale, &message, public_url)?;
        }
        if chosen.in_app() {
            ids.push(person.id);
            in_app.push((
                notifications::user_id.eq(person.id),
                notifications::ticket_id.eq(Some(t.id)),
                notifications::kind.eq(topic.as_str()),
                notifications::title.eq(title),
            ));
        }
    }
    if !in_app.is_empty() {
        diesel::insert_into(notifications::table).values(&in_app).execute(conn)?;
        stream::publish_to(conn, &ids, "notification")?;
    }
    Ok(())
}

pub fn title(topic: Topic, locale: Locale, what: &str) -> String {
    let de = locale == Locale::De;
    match (topic, de) {
        (Topic::NewTicket, false) => format!("New ticket {what}"),
        (Topic::NewTicket, true) => format!("Neues Ticket {what}"),
        (Topic::CustomerReply, false) => format!("Customer replied on {what}"),
        (Topic::CustomerReply, true) => format!("Kundenantwort auf {what}"),
        (Topic::Assigned, false) => format!("Assigned to you: {what}"),
        (Topic::Assigned, true) => format!("Ihnen zugewiesen: {what}"),
        (Topic::Mention, false) => format!("You were mentioned on {what}"),
        (Topic::Mention, true) => format!("Sie wurden erwähnt in {what}"),
        (Topic::SlaWarning, false) => format!("SLA at risk: {what}"),
        (Topic::SlaWarning, true) => format!("SLA gefährdet: {what}"),
        (Topic::SlaBreach, false) => format!("SLA breached: {what}"),
        (Topic::SlaBreach, true) => format!("SLA verletzt: {what}"),
        (Topic::JobFailed, false) => format!("Scheduled job failed: {what}"),
        (Topic::JobFailed, true) => format!("Geplanter Job fehlgeschlagen: {what}"),
    }
}

fn active_staff(conn: &mut PgConnection) -> QueryResult<Vec<(User, Vec<Option<i64>>)>> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq_any([Role::Agent, Role::Admin]))
        .select((User::as_select(), users::followed_category_ids))
        .order(users::id)
        .load(conn)
}

fn follows(followed: &[Option<i64>], category: Option<i64>) -> bool {
    followed.is_empty() || category.is_some_and(|c| followed.contains(&Some(c)))
}

/// A new ticket: every agent who follows its category (or all categories).
pub fn new_ticket(conn: &mut PgConnection, t: &TicketRow, by: i64, public_url: &str) -> Result<(), ApiError> {
    let people: Vec<User> = active_staff(conn)?
        .into_iter()
        .filter(|(person, followed)| person.id != by && follows(followed, t.category_id))
        .map(|(person, _)| person)
        .collect();
    ticket_notices(conn, &people, Topic::NewTicket, t, public_url)
}

/// A ticket was assigned to `assignee` by someone else.
pub fn assigned(
    conn: &mut PgConnection,
    t: &TicketRow,
    assignee: i64,
    by: i64,
    public_url: &str,
) -> Result<(), ApiError> {
    if assignee == by {
        return Ok(());
    }
    if let Some(person) = crate::accounts::repo::find(conn, assignee)? {
        ticket_notices(conn, &[person], Topic::Assigned, t, public_url)?;
    }
    Ok(())
}

/// A customer replied on a ticket assigned to `person`; the mail carries the reply.
pub fn customer_reply(
    conn: &mut PgConnection,
    person: &User,
    t: &TicketRow,
    message: &Message,
    public_url: &str,
) -> Result<(), ApiError> {
    let title = title(Topic::CustomerReply, person.locale, &label(t));
    deliver(conn, person, Topic::CustomerReply, Some(t), &title, Some(message), public_url)
}

/// The `@username` mentions in `text` (letters, digits, `.`, `_`, `-`).
pub fn mentioned(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '-')))
        .filter_map(|w| w.strip_prefix('@'))
        .map(|w| w.trim_end_matches('.').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Staff mentioned in an internal note (not the author).
pub fn mentions(
    conn: &mut PgConnection,
    t: &TicketRow,
    text: &str,
    author: i64,
    public_url: &str,
) -> Result<(), ApiError> {
    let names = mentioned(text);
    if names.is_empty() {
        return Ok(());
    }
    let people: Vec<User> = users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(username) = ANY(")
                .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(names)
                .sql(")"),
        )
        .filter(users::role.eq_any([Role::Agent, Role::Admin]))
        .filter(users::id.ne(author))
        .select(User::as_select())
        .load(conn)?;
    ticket_notices(conn, &people, Topic::Mention, t, public_url)
}

/// An SLA warning or breach: the assignee; unassigned, the agents who follow the ticket's
/// category explicitly, or else every admin.
pub fn sla_alert(
    conn: &mut PgConnection,
    t: &TicketRow,
    topic: Topic,
    _target: Target,
    public_url: &str,
) -> Result<(), ApiError> {
    let staff = active_staff(conn)?;
    let mut recipients: Vec<User> = match t.assignee_id {
        Some(a) => staff.iter().filter(|(u, _)| u.id == a).map(|(u, _)| u.clone()).collect(),
        None => Vec::new(),
    };
    if recipients.is_empty() {
        recipients = staff
            .iter()
            .filter(|(_, f)| t.category_id.is_some_and(|c| f.contains(&Some(c))))
            .map(|(u, _)| u.clone())
            .collect();
    }
    if recipients.is_empty() {
        recipients = staff.into_iter().filter(|(u, _)| u.role == Role::Admin).map(|(u, _)| u).collect();
    }
    ticket_notices(conn, &recipients, topic, t, public_url)
}

/// A scheduled job failed: every admin, once per failure streak.
pub fn job_failed(conn: &mut PgConnection, job: &str, error: &str, public_url: &str) -> Result<(), ApiError> {
    tell_admins(conn, |locale| title(Topic::JobFailed, locale, job), error, "/admin#jobs", public_url)
}

/// A mail to the support address could not be processed (it went to the `Failed` folder).
pub fn inbound_failed(conn: &mut PgConnection, folder: &str, error: &str, public_url: &str) -> Result<(), ApiError> {
    let title = |locale: Locale| match locale {
        Locale::De => format!("E-Mail nicht verarbeitet ({folder})"),
        Locale::En => format!("Mail not processed ({folder})"),
    };
    tell_admins(conn, title, error, "/admin#inbound", public_url)
}

/// A failure the admins must hear of, on the failed-job channel each of them chose.
fn tell_admins(
    conn: &mut PgConnection,
    title: impl Fn(Locale) -> String,
    error: &str,
    link: &str,
    public_url: &str,
) -> Result<(), ApiError> {
    let admins = active_staff(conn)?.into_iter().map(|(u, _)| u).filter(|u| u.role == Role::Admin);
    for person in admins {
        let title = title(person.locale);
        let message = Message::AgentNotice {
            name: person.full_name.clone(),
            topic: Topic::JobFailed,
            title: format!("{title}: {error}"),
            link: link.to_owned(),
        };
        deliver(conn, &person, Topic::JobFailed, None, &title, Some(&message), public_url)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_usernames_after_an_at_sign() {
        assert_eq!(mentioned("@anna please look, cc @Bob.Smith. mail a@b.de"), vec!["anna", "bob.smith"]);
        assert!(mentioned("no mentions here @ all").is_empty());
    }
}
