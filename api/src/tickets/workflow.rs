//! The status workflow: new -> open -> pending <-> open -> resolved -> closed. Staff move freely
//! except out of `closed` (and never back to `new`); customers may close their own ticket or
//! reopen a resolved one.

use helpdesk_types::tickets::TicketStatus::{self, Closed, Open, Pending, Resolved};

/// The statuses a ticket in `from` may move to, for staff or for its customer.
pub fn allowed(from: TicketStatus, staff: bool) -> Vec<TicketStatus> {
    match (from, staff) {
        (Closed, _) => vec![],
        (_, true) => [Open, Pending, Resolved, Closed].into_iter().filter(|s| *s != from).collect(),
        (Resolved, false) => vec![Open, Closed],
        (_, false) => vec![Closed],
    }
}

#[cfg(test)]
mod tests {
    use helpdesk_types::tickets::TicketStatus::New;

    use super::*;

    #[test]
    fn closed_is_final_and_customers_only_close_or_reopen() {
        assert!(allowed(Closed, true).is_empty());
        assert_eq!(allowed(New, true), vec![Open, Pending, Resolved, Closed]);
        assert!(!allowed(Open, true).contains(&New));
        assert_eq!(allowed(Resolved, false), vec![Open, Closed]);
        assert_eq!(allowed(Pending, false), vec![Closed]);
    }
}
