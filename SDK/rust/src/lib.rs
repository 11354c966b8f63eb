//! Rust bindings of the wfhost plugin C ABI 1.2 (`<wfhost/plugin.h>`), std only.
//!
//! A plugin is a `cdylib` that declares a `static` [`Plugin`] and exports it with [`export_plugin!`]:
//!
//! ```ignore
//! use wfhost_plugin::{export_plugin, Call, Example, Plugin, Tool, ToolError, Value};
//!
//! fn greet(_call: &Call, args: &Value) -> Result<Value, ToolError> {
//!     let name = args.get("name").and_then(Value::as_str).unwrap_or("world");
//!     Ok(Value::object().with("greeting", format!("hello, {name}")))
//! }
//!
//! static PLUGIN: Plugin = Plugin {
//!     name: "hello", version: "0.1.0", description: "Greets.", license: Some("MIT"), author: Some("You"),
//!     homepage: None,
//!     tools: &[Tool {
//!         name: "greet", title: Some("Greet"), description: "Returns a greeting.",
//!         input_schema: r#"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"#,
//!         output_schema: None, flags: wfhost_plugin::IDEMPOTENT, capabilities: None,
//!         examples: &[Example { description: "greets", args: r#"{"name":"Ada"}"#,
//!                               expected: Some(r#"{"greeting":"hello, Ada"}"#) }],
//!         run: greet,
//!     }],
//! };
//! export_plugin!(PLUGIN);
//! ```
//!
//! The descriptor, the tool table and every string in them are built once, the first time the host asks for the
//! descriptor, and never freed (the host reads them while the shared object is loaded). Every tool shares one
//! `invoke` function that finds the tool by `request->tool`, parses the arguments into a [`Value`], runs it, and
//! reports its result or [`ToolError`] through the host's callbacks, which copy. A panic in a tool fails the
//! call with code `internal` instead of unwinding into C.

pub mod json;
pub mod sys;

pub use json::{ParseError, Value};

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

/// `WFH_TOOL_IDEMPOTENT`: calling twice with the same arguments has the effect of calling once.
pub const IDEMPOTENT: u32 = sys::WFH_TOOL_IDEMPOTENT;
/// `WFH_TOOL_SIDE_EFFECTS`: the tool changes something outside its result.
pub const SIDE_EFFECTS: u32 = sys::WFH_TOOL_SIDE_EFFECTS;

/// A tool function: the call's context and the arguments (an object, validated against the input schema with
/// its defaults applied by the host) to a result.
pub type ToolFn = fn(&Call, &Value) -> Result<Value, ToolError>;

/// One example of a tool's use (`wfh_example`): arguments, and JSON the result must contain.
pub struct Example {
    pub description: &'static str,
    pub args: &'static str,
    pub expected: Option<&'static str>,
}

/// What a tool needs from the sandbox (`wfh_capabilities`); `None` in [`Tool`] means the defaults: the system
/// directories and the work directory, no network.
pub struct Capabilities {
    pub network: bool,
    pub read_paths: &'static [&'static str],
    pub write_paths: &'static [&'static str],
}

/// One tool (`wfh_tool`).
pub struct Tool {
    /// `[a-z][a-z0-9_]*`, unique in the plugin.
    pub name: &'static str,
    pub title: Option<&'static str>,
    pub description: &'static str,
    /// JSON Schema text for the arguments.
    pub input_schema: &'static str,
    /// JSON Schema text for the result, or `None`.
    pub output_schema: Option<&'static str>,
    /// [`IDEMPOTENT`], [`SIDE_EFFECTS`], or 0.
    pub flags: u32,
    pub capabilities: Option<Capabilities>,
    pub examples: &'static [Example],
    pub run: ToolFn,
}

/// The plugin (`wfh_plugin`).
pub struct Plugin {
    /// `[a-z][a-z0-9_]*`, unique on the plugin path.
    pub name: &'static str,
    /// `MAJOR.MINOR.PATCH`.
    pub version: &'static str,
    pub description: &'static str,
    /// An SPDX identifier.
    pub license: Option<&'static str>,
    pub author: Option<&'static str>,
    pub homepage: Option<&'static str>,
    pub tools: &'static [Tool],
}

/// The error a tool fails with: `code` is the tool's error code (workflow routes match it), `message` a sentence
/// a user can act on, `retryable` whether calling again may succeed.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolError {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

impl ToolError {
    pub fn new(code: &str, message: impl Into<String>) -> ToolError {
        ToolError { code: code.to_string(), message: message.into(), retryable: false }
    }

    /// An error for which calling again may succeed.
    pub fn retryable(code: &str, message: impl Into<String>) -> ToolError {
        ToolError { retryable: true, ..ToolError::new(code, message) }
    }

    /// Arguments the tool cannot use beyond what the input schema checks.
    pub fn invalid_args(message: impl Into<String>) -> ToolError {
        ToolError::new("invalid_args", message)
    }

    /// Something the tool needs is missing from the machine: say what to install.
    pub fn environment(message: impl Into<String>) -> ToolError {
        ToolError::new("environment", message)
    }

    /// The host asked the call to stop.
    pub fn cancelled() -> ToolError {
        ToolError::retryable("cancelled", "the call was cancelled")
    }
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ToolError {}

/// Log levels (`wfh_log_level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warning,
    Error,
}

/// What a tool can do besides returning its result. Valid only during the call: the host's pointers die with it.
pub struct Call<'a> {
    host: &'a sys::wfh_host,
    call: *mut sys::wfh_call,
    /// The session's work directory, also the call's current directory.
    pub work_dir: &'a str,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
}

impl Call<'_> {
    /// Emits one log line (the host copies it).
    pub fn log(&self, level: LogLevel, message: &str) {
        let level = match level {
            LogLevel::Debug => sys::WFH_LOG_DEBUG,
            LogLevel::Info => sys::WFH_LOG_INFO,
            LogLevel::Warning => sys::WFH_LOG_WARNING,
            LogLevel::Error => sys::WFH_LOG_ERROR,
        };
        if let Some(log) = self.host.log {
            // SAFETY: the host's callback copies `len` bytes from `message` during the call.
            unsafe { log(self.call, level, message.as_ptr() as *const c_char, message.len()) }
        }
    }

    /// Reports progress in [0, 1] with an optional message.
    pub fn progress(&self, fraction: f64, message: Option<&str>) {
        let Some(progress) = self.host.progress else { return };
        let text = message.map(c_string);
        // SAFETY: `text` outlives the call of the callback, which copies it.
        unsafe { progress(self.call, fraction, text.as_ref().map_or(std::ptr::null(), |t| t.as_ptr())) }
    }

    /// True once the host asked the call to stop (cancellation or time limit). Check it in long loops.
    pub fn is_cancelled(&self) -> bool {
        // SAFETY: `is_cancelled` may be called at any time during the call.
        self.host.is_cancelled.is_some_and(|f| unsafe { f(self.call) } != 0)
    }

    /// `Err(ToolError::cancelled())` once the host asked the call to stop: `call.check_cancellation()?;`.
    pub fn check_cancellation(&self) -> Result<(), ToolError> {
        if self.is_cancelled() {
            Err(ToolError::cancelled())
        } else {
            Ok(())
        }
    }
}

/// A C string of `s`; an interior NUL ends it there (the validator then reports what is left).
fn c_string(s: &str) -> CString {
    let bytes = s.as_bytes();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap_or_default()
}

fn leak(s: &str) -> *const c_char {
    c_string(s).into_raw() as *const c_char
}

fn leak_opt(s: Option<&str>) -> *const c_char {
    s.map_or(std::ptr::null(), leak)
}

fn leak_list(items: &[&str]) -> *const *const c_char {
    if items.is_empty() {
        return std::ptr::null();
    }
    let mut list: Vec<*const c_char> = items.iter().map(|s| leak(s)).collect();
    list.push(std::ptr::null());
    Box::leak(list.into_boxed_slice()).as_ptr()
}

struct Exported {
    plugin: &'static Plugin,
    descriptor: *const sys::wfh_plugin,
}

// SAFETY: the descriptor and everything it points to are written once, before the pointer is published through
// the OnceLock, and never written again.
unsafe impl Send for Exported {}
unsafe impl Sync for Exported {}

static EXPORTED: OnceLock<Exported> = OnceLock::new();

/// The `wfh_plugin` descriptor of `plugin`, built on the first call and the same pointer on every later one.
/// [`export_plugin!`] returns it from `wfhost_plugin_descriptor`; one plugin per shared object.
pub fn descriptor(plugin: &'static Plugin) -> *const sys::wfh_plugin {
    EXPORTED.get_or_init(|| Exported { plugin, descriptor: build(plugin) }).descriptor
}

fn build(plugin: &'static Plugin) -> *const sys::wfh_plugin {
    let tools: Vec<sys::wfh_tool> = plugin
        .tools
        .iter()
        .map(|tool| {
            let capabilities = tool.capabilities.as_ref().map_or(std::ptr::null(), |c| {
                Box::leak(Box::new(sys::wfh_capabilities {
                    struct_size: std::mem::size_of::<sys::wfh_capabilities>() as u32,
                    network: u32::from(c.network),
                    read_paths: leak_list(c.read_paths),
                    write_paths: leak_list(c.write_paths),
                })) as *const sys::wfh_capabilities
            });
            let examples: Vec<sys::wfh_example> = tool
                .examples
                .iter()
                .map(|e| sys::wfh_example {
                    struct_size: std::mem::size_of::<sys::wfh_example>() as u32,
                    reserved: 0,
                    description: leak(e.description),
                    args_json: leak(e.args),
                    expected_json: leak_opt(e.expected),
                })
                .collect();
            let example_count = examples.len() as u32;
            sys::wfh_tool {
                struct_size: std::mem::size_of::<sys::wfh_tool>() as u32,
                flags: tool.flags,
                name: leak(tool.name),
                title: leak_opt(tool.title),
                description: leak(tool.description),
                input_schema: leak(tool.input_schema),
                output_schema: leak_opt(tool.output_schema),
                invoke: Some(invoke),
                c_signature: std::ptr::null(),
                c_function: None,
                capabilities,
                examples: if examples.is_empty() {
                    std::ptr::null()
                } else {
                    Box::leak(examples.into_boxed_slice()).as_ptr()
                },
                example_count,
                example_size: std::mem::size_of::<sys::wfh_example>() as u32,
            }
        })
        .collect();
    let tool_count = tools.len() as u32;
    Box::leak(Box::new(sys::wfh_plugin {
        struct_size: std::mem::size_of::<sys::wfh_plugin>() as u32,
        abi_major: sys::WFH_ABI_MAJOR,
        abi_minor: sys::WFH_ABI_MINOR,
        name: leak(plugin.name),
        version: leak(plugin.version),
        description: leak(plugin.description),
        license: leak_opt(plugin.license),
        author: leak_opt(plugin.author),
        homepage: leak_opt(plugin.homepage),
        tool_count,
        tool_size: std::mem::size_of::<sys::wfh_tool>() as u32,
        tools: Box::leak(tools.into_boxed_slice()).as_ptr(),
    }))
}

/// Reports `error` through the host and returns `WFH_FAILED`.
fn fail(host: &sys::wfh_host, call: *mut sys::wfh_call, error: &ToolError) -> sys::wfh_status {
    if let Some(report) = host.report_error {
        let (code, message) = (c_string(&error.code), c_string(&error.message));
        // SAFETY: the callback copies both strings before returning.
        unsafe { report(call, code.as_ptr(), message.as_ptr(), i32::from(error.retryable)) }
    }
    sys::WFH_FAILED
}

/// The `invoke` of every Rust tool: finds the tool by name, parses the arguments, runs it, reports the outcome.
unsafe extern "C" fn invoke(
    host: *const sys::wfh_host,
    call: *mut sys::wfh_call,
    request: *const sys::wfh_request,
) -> sys::wfh_status {
    // SAFETY: the host passes valid pointers that live for the whole call (plugin.h, wfh_tool_fn).
    let (Some(host), Some(request)) = (unsafe { host.as_ref() }, unsafe { request.as_ref() }) else {
        return sys::WFH_FAILED;
    };
    let text = |p: *const c_char| if p.is_null() { "" } else { unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("") };
    let name = text(request.tool);
    let Some(exported) = EXPORTED.get() else {
        return fail(host, call, &ToolError::new("internal", "the plugin's descriptor was never built"));
    };
    let Some(tool) = exported.plugin.tools.iter().find(|t| t.name == name) else {
        return fail(host, call, &ToolError::new("unknown_tool", format!("this plugin has no tool named '{name}'")));
    };
    let args = if request.args_json.is_null() {
        Value::object()
    } else {
        // SAFETY: `args_json` holds `args_len` bytes during the call.
        let bytes = unsafe { std::slice::from_raw_parts(request.args_json as *const u8, request.args_len) };
        match std::str::from_utf8(bytes).map_err(|e| e.to_string()).and_then(|s| Value::parse(s).map_err(|e| e.to_string())) {
            Ok(v) => v,
            Err(e) => return fail(host, call, &ToolError::invalid_args(format!("the arguments are not JSON: {e}"))),
        }
    };
    let context = Call { host, call, work_dir: text(request.work_dir), attempt: request.attempt };
    let outcome = catch_unwind(AssertUnwindSafe(|| (tool.run)(&context, &args)));
    match outcome {
        Ok(Ok(result)) => {
            let json = result.to_json();
            let Some(set_result) = host.set_result else { return sys::WFH_FAILED };
            // SAFETY: the host copies `len` bytes before returning.
            if unsafe { set_result(call, json.as_ptr() as *const c_char, json.len()) } != 0 {
                let message = format!("the result ({} bytes) exceeds the call's limit", json.len());
                return fail(host, call, &ToolError::new("result_too_large", message));
            }
            sys::WFH_OK
        }
        Ok(Err(error)) => fail(host, call, &error),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            fail(host, call, &ToolError::new("internal", format!("the tool panicked: {what}")))
        }
    }
}

/// Exports `$plugin` (a `static` [`Plugin`]) as the shared object's `wfhost_plugin_descriptor`.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:path) => {
        #[no_mangle]
        pub extern "C" fn wfhost_plugin_descriptor() -> *const $crate::sys::wfh_plugin {
            $crate::descriptor(&$plugin)
        }
    };
}
