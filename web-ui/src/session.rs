//! The signed-in person and the access token, in memory only. The refresh credential lives in
//! the HttpOnly cookie, so a reload restores the session by calling refresh.

use helpdesk_types::{Account, Role};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Session {
    pub token: RwSignal<Option<String>>,
    pub user: RwSignal<Option<Account>>,
    /// False until the first refresh attempt finished (avoids a flash of the sign-in page).
    pub ready: RwSignal<bool>,
}

impl Session {
    pub fn new() -> Self {
        Self { token: RwSignal::new(None), user: RwSignal::new(None), ready: RwSignal::new(false) }
    }

    pub fn signed_in(&self) -> bool {
        self.user.with(Option::is_some)
    }

    pub fn is_staff(&self) -> bool {
        self.user.with(|u| u.as_ref().is_some_and(|u| u.role.is_staff()))
    }

    pub fn is_admin(&self) -> bool {
        self.user.with(|u| u.as_ref().is_some_and(|u| u.role == Role::Admin))
    }

    pub fn clear(&self) {
        self.token.set(None);
        self.user.set(None);
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
