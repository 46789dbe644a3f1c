//! The host side of hitgate: files in, [`hitgate_core`] decides, files out.
//!
//! This crate holds no matching or decision logic. It reads read streams,
//! list files and policy files, drives a [`hitgate_core::unit::Unit`], and writes
//! hits, reports and pictures; it also generates synthetic scenarios and
//! scores what was forwarded against their ground truth, and measures how
//! many unlisted plates each list's tolerance catches. The `hitgate`
//! binary is a thin command line over these modules.

/// `println!` that returns an error instead of panicking when standard
/// output is closed (`hitgate eval | head`); `main` leaves quietly then.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// `print!` that returns an error, as [`say!`] does.
macro_rules! put {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

pub mod audit;
pub mod bundle_file;
pub mod chart;
pub mod cli;
pub mod clock;
pub mod compare;
pub mod deliver;
pub mod demo;
pub mod eval;
pub mod explain;
pub mod flash_file;
pub mod formats;
pub mod gate;
pub mod indicators;
pub mod input;
pub mod learn;
pub mod listen;
pub mod lists;
pub mod mqtt;
pub mod outdir;
pub mod page;
pub mod places_file;
pub mod policy_file;
pub mod reads;
pub mod receive;
pub mod replay;
pub mod report_page;
pub mod rng;
pub mod scenario;
pub mod signed_file;
pub mod silence;
pub mod summary;
pub mod time;
pub mod width;
