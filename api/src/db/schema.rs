// @generated automatically by Diesel CLI.

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
    }
}
