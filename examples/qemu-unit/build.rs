//! Picks the memory layout of the board each target runs on in QEMU.
use std::{env, fs, path::PathBuf};

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    // The `mps2` feature puts any target on an MPS2 board (4 MiB each of
    // code and data SRAM) with the large sizes: AN385 for the Cortex-M3.
    let mps2 = env::var_os("CARGO_FEATURE_MPS2").is_some();
    let memory = match target.as_str() {
        _ if mps2 => {
            "MEMORY { FLASH : ORIGIN = 0x00000000, LENGTH = 4M\n RAM : ORIGIN = 0x20000000, LENGTH = 4M }\n"
        }
        // BBC micro:bit (nRF51822): 256 KiB flash, 16 KiB RAM.
        "thumbv6m-none-eabi" => {
            "MEMORY { FLASH : ORIGIN = 0x00000000, LENGTH = 256K\n RAM : ORIGIN = 0x20000000, LENGTH = 16K }\n"
        }
        // TI LM3S6965: 256 KiB flash, 64 KiB RAM.
        "thumbv7m-none-eabi" => {
            "MEMORY { FLASH : ORIGIN = 0x00000000, LENGTH = 256K\n RAM : ORIGIN = 0x20000000, LENGTH = 64K }\n"
        }
        // Arm MPS2 AN386: 4 MiB code SRAM, 4 MiB data SRAM.
        _ => {
            "MEMORY { FLASH : ORIGIN = 0x00000000, LENGTH = 4M\n RAM : ORIGIN = 0x20000000, LENGTH = 4M }\n"
        }
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    fs::write(out.join("memory.x"), memory).unwrap_or_else(|e| panic!("memory.x: {e}"));
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=build.rs");
    // defmt keeps its format strings in a section of its own linker script.
    if env::var_os("CARGO_FEATURE_DEFMT").is_some() {
        println!("cargo:rustc-link-arg=-Tdefmt.x");
    }
    println!("cargo:rustc-check-cfg=cfg(board_small, board_medium)");
    match target.as_str() {
        _ if mps2 => {}
        "thumbv6m-none-eabi" => println!("cargo:rustc-cfg=board_small"),
        "thumbv7m-none-eabi" => println!("cargo:rustc-cfg=board_medium"),
        _ => {}
    }
}
