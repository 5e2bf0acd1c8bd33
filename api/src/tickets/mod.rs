//! Tickets (P3), comments with internal notes (P5), events, search, stats, caller lookup.
//!
//! - `policy`: every rule (who sees what, who changes what, closed is read-only, internal notes
//!   are staff-only), each one named function;
//! - `workflow`: every status change, including the auto-close job (P4);
//! - `repo`: the queries; `seek`: keyset pagination; `events`: the history, recorded only here;
//! - `stats`: the dashboard counts, from counters a trigger keeps;
//! - `routes`, `list`, `comments`, `lookup`: thin handlers; `changes`: the steps of an update;
//!   `notify`: the emails (P7); `present`: rows to API types without N+1 queries.

pub mod changes;
pub mod comments;
pub mod events;
pub mod intake;
pub mod list;
pub mod lookup;
pub mod model;
pub mod notify;
pub mod pending;
pub mod policy;
pub mod present;
pub mod repo;
pub mod retention;
pub mod routes;
pub mod seek;
pub mod stats;
pub mod workflow;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    // Literal paths before `/tickets/{id}`.
    cfg.service(stats::stats)
        .service(list::list_tickets)
        .service(routes::create_ticket)
        .service(routes::get_by_number)
        .service(routes::get_ticket)
        .service(routes::update_ticket)
        .service(routes::delete_ticket)
        .service(comments::list_comments)
        .service(comments::create_comment)
        .service(comments::list_events)
        .service(lookup::lookup);
}
