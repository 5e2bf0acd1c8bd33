// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    api_tokens (id) {
        id -> Int8,
        user_id -> Int8,
        name -> Text,
        prefix -> Text,
        token_hash -> Bytea,
        scopes -> Array<Nullable<Text>>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    attachments (id) {
        id -> Int8,
        ticket_id -> Int8,
        comment_id -> Nullable<Int8>,
        internal -> Bool,
        object_key -> Text,
        filename -> Text,
        content_type -> Text,
        size -> Int8,
        sha256 -> Text,
        uploaded_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    canned_replies (id) {
        id -> Int8,
        title -> Text,
        body -> Text,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        actor_id -> Nullable<Int8>,
        actor_name -> Text,
        action -> Text,
        subject_id -> Nullable<Int8>,
        details -> Jsonb,
        client_ip -> Nullable<Text>,
    }
}

diesel::table! {
    categories (id) {
        id -> Int8,
        name -> Text,
        description -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        retention_days -> Nullable<Int4>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    comments (id) {
        id -> Int8,
        ticket_id -> Int8,
        author_id -> Nullable<Int8>,
        author_name -> Text,
        author_email -> Text,
        body -> Text,
        internal -> Bool,
        created_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    emails (id) {
        id -> Int8,
        recipient -> Text,
        subject -> Text,
        template -> Text,
        text_body -> Nullable<Text>,
        html_body -> Nullable<Text>,
        status -> Text,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        next_attempt_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        forget_after_send -> Bool,
        unsubscribe -> Nullable<Text>,
        ticket_number -> Nullable<Int8>,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Int8,
        user_id -> Nullable<Int8>,
        client_ip -> Text,
        attempted_at -> Timestamptz,
    }
}

diesel::table! {
    organizations (id) {
        id -> Int8,
        name -> Text,
        domains -> Array<Nullable<Text>>,
        contract_tier -> Text,
        dpa_signed_at -> Nullable<Date>,
        shares_tickets -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        join_policy -> Text,
    }
}

diesel::table! {
    password_tokens (token_hash) {
        token_hash -> Bytea,
        user_id -> Int8,
        purpose -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        email -> Nullable<Text>,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Int8,
        user_id -> Int8,
        code_hash -> Bytea,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Int8,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    request_budgets (credential, window_start) {
        credential -> Text,
        window_start -> Timestamptz,
        used -> Int4,
    }
}

diesel::table! {
    request_links (token_hash) {
        token_hash -> Bytea,
        ticket_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (id) {
        id -> Int8,
        user_id -> Int8,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    rate_events (id) {
        id -> Int8,
        kind -> Text,
        key -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    sla_policies (contract_tier, priority) {
        contract_tier -> Text,
        priority -> Text,
        first_response_minutes -> Int4,
        resolution_minutes -> Int4,
        updated_at -> Timestamptz,
        calendar_id -> Int8,
        at_risk_percent -> Int2,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> Int8,
        ticket_id -> Int8,
        actor_id -> Nullable<Int8>,
        actor_name -> Text,
        kind -> Text,
        from_value -> Nullable<Text>,
        to_value -> Nullable<Text>,
        internal -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    tickets (id) {
        id -> Int8,
        number -> Int8,
        subject -> Text,
        description -> Text,
        status -> Text,
        priority -> Text,
        channel -> Text,
        category_id -> Nullable<Int8>,
        requester_id -> Int8,
        organization_id -> Nullable<Int8>,
        assignee_id -> Nullable<Int8>,
        contract_tier -> Text,
        archived -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        first_response_at -> Nullable<Timestamptz>,
        resolved_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        first_response_due_at -> Timestamptz,
        resolution_due_at -> Timestamptz,
        priority_rank -> Nullable<Int2>,
        queue_rank -> Nullable<Int2>,
        next_due_at -> Nullable<Timestamptz>,
        search -> Nullable<Tsvector>,
        legal_hold -> Bool,
        consent_text -> Nullable<Text>,
        consent_at -> Nullable<Timestamptz>,
        sla_paused_at -> Nullable<Timestamptz>,
        sla_paused_seconds -> Int8,
        first_response_warn_at -> Timestamptz,
        resolution_warn_at -> Timestamptz,
        sla_alerted -> Array<Nullable<Text>>,
        sla_alert_at -> Nullable<Timestamptz>,
        pending_reminders -> Int2,
        follow_up_of -> Nullable<Int8>,
        customer_said_at -> Nullable<Timestamptz>,
        team_said_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    ticket_reads (user_id, ticket_id) {
        user_id -> Int8,
        ticket_id -> Int8,
        read_at -> Timestamptz,
    }
}

diesel::table! {
    two_factor (user_id) {
        user_id -> Int8,
        secret -> Text,
        last_step -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        email -> Text,
        username -> Text,
        full_name -> Text,
        company -> Nullable<Text>,
        phone -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        role -> Text,
        locale -> Text,
        active -> Bool,
        last_active_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        organization_id -> Nullable<Int8>,
        phone_digits -> Nullable<Text>,
        email_verified_at -> Nullable<Timestamptz>,
        pending_email -> Nullable<Text>,
        requested_organization_id -> Nullable<Int8>,
        two_factor_enabled_at -> Nullable<Timestamptz>,
        inactivity_warned_at -> Nullable<Timestamptz>,
        restricted_at -> Nullable<Timestamptz>,
        refused_notifications -> Array<Nullable<Text>>,
        notification_channels -> Jsonb,
        followed_category_ids -> Array<Nullable<Int8>>,
    }
}

diesel::table! {
    calendars (id) {
        id -> Int8,
        name -> Text,
        time_zone -> Text,
        opening_hours -> Jsonb,
        holidays -> Jsonb,
        holiday_region -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Int8,
        key -> Text,
        request_hash -> Bytea,
        status -> Nullable<Int2>,
        content_type -> Nullable<Text>,
        body -> Nullable<Bytea>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    inbound_emails (id) {
        id -> Int8,
        message_key -> Text,
        mailbox -> Text,
        sender -> Text,
        subject -> Text,
        outcome -> Text,
        reason -> Nullable<Text>,
        ticket_id -> Nullable<Int8>,
        comment_id -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    job_runs (id) {
        id -> Int8,
        job -> Text,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        outcome -> Text,
        counts -> Jsonb,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Int8,
        user_id -> Int8,
        ticket_id -> Nullable<Int8>,
        kind -> Text,
        title -> Text,
        read_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sla_facts (ticket_id) {
        ticket_id -> Int8,
        created_at -> Timestamptz,
        contract_tier -> Text,
        priority -> Text,
        category_id -> Nullable<Int8>,
        assignee_id -> Nullable<Int8>,
        first_response_seconds -> Nullable<Int8>,
        first_response_breached -> Bool,
        resolved_at -> Nullable<Timestamptz>,
        resolution_seconds -> Nullable<Int8>,
        resolution_breached -> Bool,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Int8,
        webhook_id -> Int8,
        event_id -> Text,
        event_type -> Text,
        ticket_id -> Nullable<Int8>,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        response_status -> Nullable<Int2>,
        response_excerpt -> Nullable<Text>,
        duration_ms -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Int8,
        owner_id -> Int8,
        url -> Text,
        event_types -> Array<Nullable<Text>>,
        active -> Bool,
        include_internal -> Bool,
        secret -> Text,
        failing_since -> Nullable<Timestamptz>,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(attachments -> comments (comment_id));
diesel::joinable!(inbound_emails -> comments (comment_id));
diesel::joinable!(inbound_emails -> tickets (ticket_id));
diesel::joinable!(attachments -> tickets (ticket_id));
diesel::joinable!(attachments -> users (uploaded_by));
diesel::joinable!(canned_replies -> users (created_by));
diesel::joinable!(comments -> tickets (ticket_id));
diesel::joinable!(ticket_reads -> tickets (ticket_id));
diesel::joinable!(ticket_reads -> users (user_id));
diesel::joinable!(comments -> users (author_id));
diesel::joinable!(login_failures -> users (user_id));
diesel::joinable!(password_tokens -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(request_links -> tickets (ticket_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(idempotency_keys -> users (user_id));
diesel::joinable!(notifications -> tickets (ticket_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhooks -> users (owner_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(sla_policies -> calendars (calendar_id));
diesel::joinable!(ticket_events -> tickets (ticket_id));
diesel::joinable!(ticket_events -> users (actor_id));
diesel::joinable!(tickets -> categories (category_id));
diesel::joinable!(tickets -> organizations (organization_id));
diesel::joinable!(two_factor -> users (user_id));
diesel::joinable!(users -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_tokens,
    calendars,
    canned_replies,
    idempotency_keys,
    inbound_emails,
    job_runs,
    notifications,
    sla_facts,
    attachments,
    audit_log,
    categories,
    comments,
    emails,
    login_failures,
    organizations,
    password_tokens,
    rate_events,
    recovery_codes,
    refresh_tokens,
    request_budgets,
    request_links,
    sessions,
    sla_policies,
    ticket_events,
    ticket_reads,
    tickets,
    two_factor,
    users,
    webhook_deliveries,
    webhooks,
);
