//! The `hitgate` command: replay recorded ANPR read streams as a roadside
//! unit, generate scenarios, evaluate, report. See `hitgate --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    match hitgate_host::cli::run(std::env::args_os()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast::<clap::Error>() {
            // Usage errors exit 2, --help and --version 0, as clap does.
            Ok(clap_err) => clap_err.exit(),
            // Standard output closed by its reader (`hitgate eval | head`):
            // what was wanted was read; leave quietly.
            Err(e)
                if e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
            {
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("hitgate: {}", format!("{e:#}").replace('\n', " "));
                ExitCode::FAILURE
            }
        },
    }
}
