//! The `hitgate` command.
fn main() {}
