//! The instance's short-lived caches (checked sessions, `auth::session_cache`; the count of
//! tickets in time, `tickets::stats`; the SLA policies, `sla::clock::Policies`) are forgotten after every request that may have changed
//! what they hold: anything but GET, HEAD and OPTIONS, once its answer is ready and its
//! transaction committed. So whoever changes something sees it on their next request; other
//! instances learn of session and account changes through the database (migration 025).

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web,
};

use crate::state::AppState;

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let state = writes.then(|| req.app_data::<web::Data<AppState>>().cloned()).flatten();
    let response = next.call(req).await;
    if let Some(state) = state {
        state.sessions.forget_all();
        crate::tickets::stats::forget();
        crate::sla::clock::Policies::forget();
    }
    response
}
