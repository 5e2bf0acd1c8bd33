//! Authentication: password hashing now; sessions, tokens and the role extractors join here.

pub mod password;
