//! Integration tests of the emulator over real HTTP on 127.0.0.1 (one test binary, one
//! module per area).

mod common;

mod assignment;
mod auth;
mod binary;
mod control;
mod endpoints;
mod faults;
mod large;
mod lifecycle;
