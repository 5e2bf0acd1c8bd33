//! Tickets (P3), comments with internal notes (P5), events, search, stats, caller lookup.

pub mod access;
pub mod comments;
pub mod events;
pub mod list;
pub mod lookup;
pub mod model;
pub mod present;
pub mod routes;
pub mod workflow;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    // Literal paths before `/tickets/{id}`.
    cfg.service(list::stats)
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
