//! Accounts: roles and locales.

crate::text_enum! {
    /// What a person may do. Admins are agents who also manage the system.
    pub enum Role {
        /// A registered customer: sees their own (and shared organization) tickets.
        Customer = "customer",
        /// Support staff: sees all tickets, writes internal notes.
        Agent = "agent",
        /// An agent who also manages users, organizations, categories, SLA policies and settings.
        Admin = "admin",
    }
}

impl Role {
    /// Agents and admins are support staff.
    pub const fn is_staff(self) -> bool {
        matches!(self, Role::Agent | Role::Admin)
    }
}

crate::text_enum! {
    /// Language of emails and of the web UI.
    pub enum Locale {
        En = "en",
        De = "de",
    }
}
