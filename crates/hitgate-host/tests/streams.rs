//! The `hitgate` binary on the inputs a recorded stream really comes in:
//! a pipe (`-`), a FIFO, gzip through either, and a decompression bomb
//! under a hard memory limit.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a panic is a failed test

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const LISTS: &str = "plate,country,priority,list,valid_from,valid_until\n\
                     1WNT000,,0,wanted,,\n\
                     1ABC234,BE,1,stolen,,\n";

/// Reads: `n` unlisted plates, then the P0 car.
fn reads(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s += &format!(
            "{{\"ts\":\"2026-01-05T08:{:02}:{:02}Z\",\"camera\":\"cam-1\",\"plate\":\"1QQQ{:03}\"}}\n",
            i / 60 % 60,
            i % 60,
            i % 1000
        );
    }
    s + "{\"ts\":\"2026-01-05T09:00:00Z\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\"}\n"
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn hitgate(dir: &Path, reads: &str) -> Command {
    std::fs::write(dir.join("lists.csv"), LISTS).unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_hitgate"));
    c.args(["replay", "--quiet", "--reads", reads, "--lists"])
        .arg(dir.join("lists.csv"))
        .arg("--out")
        .arg(dir.join("out"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Writes into a FIFO from a thread, so that a command that fails before
/// opening it makes the test fail instead of hang.
struct Feeder {
    fifo: std::path::PathBuf,
    release: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Feeder {
    /// Opens the FIFO for writing (which waits for a reader), writes
    /// `bytes`, and with `hold` keeps the write end open until
    /// [`Feeder::finish`].
    fn start(fifo: &Path, bytes: Vec<u8>, hold: bool) -> Self {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let path = fifo.to_path_buf();
        let thread = std::thread::spawn(move || {
            let Ok(mut w) = std::fs::OpenOptions::new().write(true).open(&path) else {
                return;
            };
            // A reader that went away is the command's failure, seen by the
            // test through its exit status.
            let _ = w.write_all(&bytes);
            if hold {
                let _ = wait.recv();
            }
        });
        Self {
            fifo: fifo.to_path_buf(),
            release,
            thread,
        }
    }

    /// Lets the writer go; a writer still waiting for a reader gets one of
    /// ours (opened without blocking) and finds it gone.
    fn finish(self) {
        use std::os::unix::fs::OpenOptionsExt as _;
        let _ = self.release.send(());
        const O_NONBLOCK: i32 = 0o4000;
        let reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(O_NONBLOCK)
            .open(&self.fifo);
        drop(reader);
        self.thread.join().unwrap();
    }
}

fn report(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).unwrap()).unwrap()
}

fn check(dir: &Path, out: &Output, n: usize) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    let r = report(dir);
    assert_eq!(r["indicators"]["reads"], n as u64 + 1, "{r}");
    assert_eq!(r["indicators"]["dispatched"], 1, "{r}");
}

#[test]
fn standard_input_plain_and_gzip_loses_no_read() {
    let text = reads(500);
    for bytes in [text.as_bytes().to_vec(), gzip(text.as_bytes())] {
        let d = tempfile::tempdir().unwrap();
        let mut child = hitgate(d.path(), "-")
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // A pipe gives the bytes a few at a time: the first read is not lost.
        for chunk in bytes.chunks(7) {
            stdin.write_all(chunk).unwrap();
        }
        drop(stdin);
        check(d.path(), &child.wait_with_output().unwrap(), 500);
    }
}

#[test]
fn a_fifo_is_read_once_and_does_not_hang() {
    let text = reads(300);
    for (name, bytes) in [
        ("reads.fifo", text.as_bytes().to_vec()),
        ("gz.fifo", gzip(text.as_bytes())),
    ] {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join(name);
        let ok = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(ok.success());
        let child = hitgate(d.path(), fifo.to_str().unwrap()).spawn().unwrap();
        let feeder = Feeder::start(&fifo, bytes, false);
        let out = child.wait_with_output().unwrap();
        feeder.finish();
        check(d.path(), &out, 300);
    }
}

/// A 1 MB gzip file that expands to one 1 GiB CSV field, under a 512 MiB
/// address-space limit: the command reads past it as one bad line.
#[test]
fn a_csv_decompression_bomb_stays_within_a_hard_memory_limit() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("bomb.csv.gz");
    // 1 GiB of one digit compresses to about a megabyte in memory.
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(b"ts,camera,plate\n2026-01-05T08:00:00Z,cam-1,")
        .unwrap();
    let chunk = vec![b'7'; 1 << 20];
    for _ in 0..1024 {
        bomb.write_all(&chunk).unwrap();
    }
    bomb.write_all(b"\n2026-01-05T09:00:00Z,cam-1,1WNT000\n")
        .unwrap();
    std::fs::write(&path, bomb.finish().unwrap()).unwrap();
    std::fs::write(d.path().join("lists.csv"), LISTS).unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 524288 && exec \"$0\" replay --quiet --reads \"$1\" --lists \"$2\" --out \"$3\"")
        .arg(env!("CARGO_BIN_EXE_hitgate"))
        .arg(&path)
        .arg(d.path().join("lists.csv"))
        .arg(d.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    let r = report(d.path());
    assert_eq!(r["input"]["bad_lines"], 1, "{r}");
    assert_eq!(r["indicators"]["dispatched"], 1, "{r}");
}

/// A rerun killed mid-stream (SIGTERM, as a service manager stops it)
/// leaves the earlier run's outputs whole, and the next run cleans up.
#[test]
fn a_killed_rerun_leaves_the_earlier_outputs_whole() {
    let d = tempfile::tempdir().unwrap();
    let first = d.path().join("reads.jsonl");
    std::fs::write(&first, reads(50)).unwrap();
    let out = hitgate(d.path(), first.to_str().unwrap()).output().unwrap();
    assert!(out.status.success());
    let names = ["hits.jsonl", "report.json", "report.svg"];
    let before: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(d.path().join("out").join(n)).unwrap())
        .collect();
    let fifo = d.path().join("reads.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let child = hitgate(d.path(), fifo.to_str().unwrap()).spawn().unwrap();
    let text = reads(5_000);
    // Half the stream, and the write end held open: the command waits for
    // more.
    let feeder = Feeder::start(&fifo, text.as_bytes()[..text.len() / 2].to_vec(), true);
    // The command is mid-stream, its outputs staged: stop it.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let status = child.wait_with_output().unwrap().status;
    feeder.finish();
    assert!(!status.success());
    for (n, b) in names.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(d.path().join("out").join(n)).unwrap(),
            b,
            "{n}"
        );
    }
    // The next run removes what the killed one left.
    let out = hitgate(d.path(), first.to_str().unwrap()).output().unwrap();
    assert!(out.status.success());
    let left: Vec<String> = std::fs::read_dir(d.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
