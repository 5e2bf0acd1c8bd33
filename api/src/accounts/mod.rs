//! Accounts: profiles (`/me`), administration of users (`/users`), the command-line admin
//! (P1, P7, P12).

pub mod admin;
pub mod admin_cli;
pub mod erasure;
pub mod export;
pub mod inactivity;
pub mod me;
pub mod model;
pub mod repo;
pub mod restriction;
pub mod staff;
pub mod verification;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    me::routes(cfg);
    admin::routes(cfg);
    restriction::routes(cfg);
    cfg.service(export::export_me).service(export::export_user).service(staff::list_agents);
}
