//! `#[repr(C)]` mirrors of `<wfhost/plugin.h>` (ABI 1.2), field for field, in the header's order.
//!
//! Every struct that crosses the boundary starts with `struct_size`; structs only grow at the end. The layout
//! tests at the bottom of this file pin the sizes and offsets the C compiler gives the header on 64-bit Linux.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int};

pub const WFH_ABI_MAJOR: u16 = 1;
pub const WFH_ABI_MINOR: u16 = 2;
pub const WFH_ENTRY_SYMBOL: &str = "wfhost_plugin_descriptor";

/// `wfh_status`: the return code of a tool function.
pub type wfh_status = c_int;
pub const WFH_OK: wfh_status = 0;
pub const WFH_FAILED: wfh_status = 1;

/// `wfh_log_level`.
pub type wfh_log_level = c_int;
pub const WFH_LOG_DEBUG: wfh_log_level = 0;
pub const WFH_LOG_INFO: wfh_log_level = 1;
pub const WFH_LOG_WARNING: wfh_log_level = 2;
pub const WFH_LOG_ERROR: wfh_log_level = 3;

pub const WFH_TOOL_IDEMPOTENT: u32 = 1 << 0;
pub const WFH_TOOL_SIDE_EFFECTS: u32 = 1 << 1;

/// Opaque per-call handle (`wfh_call`).
#[repr(C)]
pub struct wfh_call {
    _private: [u8; 0],
}

/// `wfh_host`: functions the host provides during a call. Check `struct_size` before using a field appended
/// after 1.0 (none is yet).
#[repr(C)]
pub struct wfh_host {
    pub struct_size: u32,
    pub reserved: u32,
    pub set_result: Option<unsafe extern "C" fn(call: *mut wfh_call, json: *const c_char, len: usize) -> c_int>,
    pub log: Option<unsafe extern "C" fn(call: *mut wfh_call, level: wfh_log_level, message: *const c_char, len: usize)>,
    pub progress: Option<unsafe extern "C" fn(call: *mut wfh_call, fraction: f64, message: *const c_char)>,
    pub report_error:
        Option<unsafe extern "C" fn(call: *mut wfh_call, code: *const c_char, message: *const c_char, retryable: c_int)>,
    pub is_cancelled: Option<unsafe extern "C" fn(call: *mut wfh_call) -> c_int>,
}

/// `wfh_request`: what a tool receives for one call.
#[repr(C)]
pub struct wfh_request {
    pub struct_size: u32,
    pub attempt: u32,
    pub tool: *const c_char,
    pub args_json: *const c_char,
    pub args_len: usize,
    pub work_dir: *const c_char,
}

/// `wfh_tool_fn`.
pub type wfh_tool_fn =
    unsafe extern "C" fn(host: *const wfh_host, call: *mut wfh_call, request: *const wfh_request) -> wfh_status;

/// `wfh_capabilities`.
#[repr(C)]
pub struct wfh_capabilities {
    pub struct_size: u32,
    pub network: u32,
    pub read_paths: *const *const c_char,
    pub write_paths: *const *const c_char,
}

/// `wfh_example` (since 1.2).
#[repr(C)]
pub struct wfh_example {
    pub struct_size: u32,
    pub reserved: u32,
    pub description: *const c_char,
    pub args_json: *const c_char,
    pub expected_json: *const c_char,
}

/// `wfh_tool`.
#[repr(C)]
pub struct wfh_tool {
    pub struct_size: u32,
    pub flags: u32,
    pub name: *const c_char,
    pub title: *const c_char,
    pub description: *const c_char,
    pub input_schema: *const c_char,
    pub output_schema: *const c_char,
    pub invoke: Option<wfh_tool_fn>,
    pub c_signature: *const c_char,
    pub c_function: Option<unsafe extern "C" fn()>,
    pub capabilities: *const wfh_capabilities,
    /* Since 1.2 */
    pub examples: *const wfh_example,
    pub example_count: u32,
    pub example_size: u32,
}

/// `wfh_plugin`: the descriptor the entry symbol returns.
#[repr(C)]
pub struct wfh_plugin {
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub name: *const c_char,
    pub version: *const c_char,
    pub description: *const c_char,
    pub license: *const c_char,
    pub author: *const c_char,
    pub homepage: *const c_char,
    pub tool_count: u32,
    pub tool_size: u32,
    pub tools: *const wfh_tool,
}

/// `wfh_plugin_entry_fn`.
pub type wfh_plugin_entry_fn = unsafe extern "C" fn() -> *const wfh_plugin;

#[cfg(all(test, target_pointer_width = "64"))]
mod layout {
    use super::*;
    use std::mem::{offset_of, size_of};

    // The sizes and offsets `cc` gives <wfhost/plugin.h> on LP64 Linux.
    #[test]
    fn structs_match_the_header() {
        assert_eq!(size_of::<wfh_host>(), 48);
        assert_eq!(offset_of!(wfh_host, is_cancelled), 40);
        assert_eq!(size_of::<wfh_request>(), 40);
        assert_eq!(offset_of!(wfh_request, args_len), 24);
        assert_eq!(size_of::<wfh_capabilities>(), 24);
        assert_eq!(size_of::<wfh_example>(), 32);
        assert_eq!(size_of::<wfh_tool>(), 96);
        assert_eq!(offset_of!(wfh_tool, invoke), 48);
        assert_eq!(offset_of!(wfh_tool, examples), 80);
        assert_eq!(offset_of!(wfh_tool, example_size), 92);
        assert_eq!(size_of::<wfh_plugin>(), 72);
        assert_eq!(offset_of!(wfh_plugin, tool_count), 56);
        assert_eq!(offset_of!(wfh_plugin, tools), 64);
    }
}
