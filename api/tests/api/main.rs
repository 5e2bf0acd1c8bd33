//! Integration tests of the library below the HTTP surface (one test binary, see style.md).

mod migrations;
