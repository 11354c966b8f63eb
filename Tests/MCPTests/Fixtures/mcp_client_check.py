"""Drives `wfhost mcp serve` with the official Python MCP client (PyPI `mcp` 2.x) over stdio.

usage: python mcp_client_check.py CONFIG.json

CONFIG holds `command`, `args`, `env` (the server's whole environment) and `cwd`. The test wraps the server in
`sh -c '... | tee STDOUT_LOG'` so that every byte the server wrote to stdout is kept for the test to check.
Prints one JSON line with the timings on success; exits 1 with the reason on the first failed check.
"""

import json
import os
import signal
import statistics
import sys
import time
import warnings

import anyio
from jsonschema import Draft202012Validator

from mcp import ClientSession, MCPDeprecationWarning, StdioServerParameters
from mcp.client.stdio import stdio_client

INLINE = """\
apiVersion: orchestration/v1
kind: Workflow
metadata: {name: mcp-inline, description: two echo stages over MCP}
spec:
  variables: {who: nobody}
  stages:
    - name: greet
      tools:
        - name: echo
          args: {message: "hello, ${who}"}
    - name: again
      depends_on: [greet]
      tools:
        - name: echo
          args: {message: "${stages.greet.outputs.message}!"}
"""

SLOW = """\
apiVersion: orchestration/v1
kind: Workflow
metadata: {name: mcp-slow}
spec:
  stages:
    - name: nap
      tools:
        - name: sleep
          args: {ms: 60000}
"""

NAP = """\
apiVersion: orchestration/v1
kind: Workflow
metadata: {name: mcp-nap}
spec:
  stages:
    - name: nap
      retry_policy: {max_attempts: 2}
      tools:
        - name: sleep
          args: {ms: 1500}
"""


# logging/setLevel is deprecated from 2026-07-28 on; this server speaks 2025-11-25 and earlier, where it is current.
warnings.filterwarnings("ignore", category=MCPDeprecationWarning)


class CheckFailed(Exception):
    pass


def check(condition, what):
    if not condition:
        raise CheckFailed(what)


def text_of(result):
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


async def main(config):
    transport_errors = []

    async def on_message(message):
        if isinstance(message, Exception):
            transport_errors.append(repr(message))

    log_lines = []

    async def on_log(params):
        log_lines.append(params)

    server = StdioServerParameters(command=config["command"], args=config["args"], env=config["env"],
                                   cwd=config["cwd"])
    timings = {}
    with open(config["stderr_log"], "w") as errlog:
        async with stdio_client(server, errlog=errlog) as (read, write):
            async with ClientSession(read, write, message_handler=on_message, logging_callback=on_log) as session:
                init = await session.initialize()
                check(init.capabilities.logging is not None, "the server does not offer logging")
                check(init.server_info.name == "wfhost", f"server name {init.server_info.name!r}")
                check(init.server_info.version, "no server version")
                check(init.protocol_version in ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"),
                      f"protocol version {init.protocol_version!r}")

                start = time.monotonic()
                listed = await session.list_tools()
                timings["list_tools_first_ms"] = (time.monotonic() - start) * 1000
                tools = {t.name: t for t in listed.tools}
                for name in ["echo", "segfault", "wfhost_run", "wfhost_validate", "wfhost_workflows",
                             "wfhost_sessions", "wfhost_status", "wfhost_cancel"]:
                    check(name in tools, f"tools/list has no {name}: {sorted(tools)}")
                for tool in listed.tools:
                    check(tool.input_schema.get("type") == "object", f"{tool.name}: inputSchema type is not object")
                    Draft202012Validator.check_schema(tool.input_schema)
                    if tool.output_schema is not None:
                        check(tool.output_schema.get("type") == "object", f"{tool.name}: outputSchema type is not object")
                        Draft202012Validator.check_schema(tool.output_schema)
                    check(tool.description, f"{tool.name}: no description")
                echo = tools["echo"]
                check(echo.annotations is not None and echo.annotations.read_only_hint is True,
                      f"echo annotations {echo.annotations!r}")
                check(tools["write_file"].annotations.destructive_hint is True, "write_file is not destructive")

                samples = []
                for _ in range(10):
                    start = time.monotonic()
                    await session.list_tools()
                    samples.append((time.monotonic() - start) * 1000)
                timings["list_tools_median_ms"] = statistics.median(samples)

                samples = []
                for i in range(10):
                    start = time.monotonic()
                    result = await session.call_tool("echo", {"message": f"hello over mcp {i}"})
                    samples.append((time.monotonic() - start) * 1000)
                    check(not result.is_error, f"echo failed: {text_of(result)}")
                    check(result.structured_content == {"message": f"hello over mcp {i}"},
                          f"echo structuredContent {result.structured_content!r}")
                timings["call_echo_median_ms"] = statistics.median(samples)

                # A tool's log line arrives as notifications/message, at or above the level the client set.
                await session.set_logging_level("info")
                result = await session.call_tool("alloc", {"mb": 1})
                check(not result.is_error, f"alloc failed: {text_of(result)}")
                deadline = time.monotonic() + 5
                while not any(p.logger == "chaos.alloc" for p in log_lines):
                    check(time.monotonic() < deadline, f"no log line from chaos.alloc: {log_lines!r}")
                    await anyio.sleep(0.01)
                line = next(p for p in log_lines if p.logger == "chaos.alloc")
                check(line.level == "info" and "allocated" in line.data, f"alloc log line {line!r}")
                await session.set_logging_level("error")
                before = len(log_lines)
                await session.call_tool("alloc", {"mb": 1})
                await session.call_tool("echo", {"message": "flush"})
                await anyio.sleep(0.1)
                check(len(log_lines) == before, f"info lines sent below the level set: {log_lines[before:]!r}")

                result = await session.call_tool("core.echo", {"message": 42})
                check(result.is_error and "invalid_args" in text_of(result), f"bad arguments: {text_of(result)}")

                result = await session.call_tool("segfault", {})
                check(result.is_error, "segfault did not fail")
                check("failed: crash:" in text_of(result) and "SIGSEGV" in text_of(result),
                      f"segfault text: {text_of(result)}")
                check("hint:" in text_of(result), f"segfault text has no hint: {text_of(result)}")

                # A read timeout makes the client send notifications/cancelled; the server kills the call.
                start = time.monotonic()
                try:
                    await session.call_tool("sleep", {"ms": 60000}, read_timeout_seconds=1.0)
                    raise CheckFailed("sleep 60 s returned within the read timeout")
                except CheckFailed:
                    raise
                except Exception:
                    pass
                result = await session.call_tool("echo", {"message": "after cancel"})
                check(not result.is_error, "echo after a cancelled call failed")
                timings["cancelled_call_s"] = time.monotonic() - start

                result = await session.call_tool("wfhost_validate", {"yaml": INLINE})
                check(not result.is_error and result.structured_content["valid"] is True,
                      f"validate: {text_of(result)}")
                result = await session.call_tool("wfhost_validate", {"yaml": INLINE.replace("- name: echo", "- name: ech0", 1)})
                check(result.structured_content["valid"] is False and "ech0" in text_of(result),
                      f"validate of a bad tool name: {text_of(result)}")

                progress = []

                async def on_progress(value, total, message):
                    progress.append((value, total, message))

                result = await session.call_tool("wfhost_run", {"yaml": INLINE, "variables": {"who": "mcp"}},
                                                 progress_callback=on_progress)
                check(not result.is_error, f"run failed: {text_of(result)}")
                run = result.structured_content
                check(run["status"] == "succeeded", f"run status {run!r}")
                check(run["stages"][1]["output"] == {"message": "hello, mcp!"}, f"run outputs {run['stages']!r}")
                check(progress, "no progress notifications during the run")
                values = [p[0] for p in progress]
                check(values == sorted(values) and len(set(values)) == len(values), f"progress not increasing: {values}")
                check(values[-1] == 100 and progress[-1][1] == 100, f"progress did not reach 100: {progress}")

                # The predefined workflow's own tool: its variables are the arguments, `who` required.
                greeting = tools.get("workflow_greeting")
                check(greeting is not None, f"no workflow_greeting tool: {sorted(tools)}")
                check(greeting.input_schema.get("required") == ["who"], f"greeting schema {greeting.input_schema!r}")
                check(greeting.input_schema["properties"]["times"] == {"type": "integer", "default": 2},
                      f"greeting times {greeting.input_schema['properties']!r}")
                result = await session.call_tool("workflow_greeting", {})
                check(result.is_error and "invalid_args" in text_of(result) and "who" in text_of(result),
                      f"greeting without who: {text_of(result)}")
                progress.clear()
                result = await session.call_tool("workflow_greeting", {"who": "agent", "times": 3},
                                                 progress_callback=on_progress)
                check(not result.is_error, f"greeting failed: {text_of(result)}")
                stages = {s["name"]: s for s in result.structured_content["stages"]}
                check(stages["shout"]["output"] == {"message": "hello, agent x43"}, f"greeting outputs {stages!r}")
                check(progress and progress[-1][0] == 100, f"greeting progress {progress!r}")

                result = await session.call_tool("wfhost_status", {"session": run["session"]})
                check(not result.is_error, f"status failed: {text_of(result)}")
                status = result.structured_content
                check(status["status"] == "succeeded", f"final status {status['status']!r}")
                check([s["status"] for s in status["stages"]] == ["succeeded", "succeeded"], f"stages {status['stages']!r}")

                result = await session.call_tool("wfhost_retry", {"session": run["session"], "stage": "again"})
                check(not result.is_error and result.structured_content["status"] == "succeeded",
                      f"retry of a stage: {text_of(result)}")
                check([s["attempts"] for s in result.structured_content["stages"]] == [1, 2],
                      f"retry attempts: {result.structured_content['stages']!r}")

                result = await session.call_tool("wfhost_sessions", {})
                check(any(s["session_id"] == run["session"] for s in result.structured_content["sessions"]), "session not listed")

                # A run in the background, cancelled with wfhost_cancel while its call sleeps.
                result = await session.call_tool("wfhost_run", {"yaml": SLOW, "wait": False})
                check(not result.is_error and result.structured_content["status"] == "running",
                      f"background run: {text_of(result)}")
                slow = result.structured_content["session"]
                deadline = time.monotonic() + 20
                while True:
                    status = (await session.call_tool("wfhost_status", {"session": slow})).structured_content
                    if status["stages"][0]["status"] == "running":
                        break
                    check(time.monotonic() < deadline, f"the slow stage never started: {status!r}")
                    await anyio.sleep(0.05)
                result = await session.call_tool("wfhost_cancel", {"session": slow})
                check(not result.is_error, f"cancel failed: {text_of(result)}")
                start = time.monotonic()
                while True:
                    status = (await session.call_tool("wfhost_status", {"session": slow})).structured_content
                    if status["status"] == "cancelled":
                        break
                    check(time.monotonic() - start < 20, f"session not cancelled: {status!r}")
                    await anyio.sleep(0.05)
                timings["cancel_run_s"] = time.monotonic() - start

                result = await session.call_tool("wfhost_status", {"session": "no-such-session"})
                check(result.is_error and "no session" in text_of(result), f"unknown session: {text_of(result)}")

    check(not transport_errors, f"the client saw transport errors: {transport_errors}")
    await restart_phase(config, timings)
    return timings


def restarted(config):
    """The server's parameters for the restart phase: its stdout and stderr kept in files of their own."""
    args = list(config["args"])
    args[-1] = args[-1] + ".restart"
    return StdioServerParameters(command=config["command"], args=args, env=config["env"], cwd=config["cwd"])


async def restart_phase(config, timings):
    """Kill the server mid-run (SIGKILL), start another, and continue the session there to its end."""
    server = restarted(config)
    session_id = None
    with open(config["stderr_log"] + ".restart", "w") as errlog:
        try:
            async with stdio_client(server, errlog=errlog) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    result = await session.call_tool("wfhost_run", {"yaml": NAP, "wait": False})
                    check(not result.is_error, f"background run: {text_of(result)}")
                    session_id = result.structured_content["session"]
                    deadline = time.monotonic() + 20
                    while True:
                        status = (await session.call_tool("wfhost_status", {"session": session_id})).structured_content
                        if status["stages"][0]["status"] == "running":
                            break
                        check(time.monotonic() < deadline, f"the nap never started: {status!r}")
                        await anyio.sleep(0.02)
                    check(status["owner_alive"] and status["owner_pid"], f"no live owner: {status!r}")
                    os.kill(status["owner_pid"], signal.SIGKILL)
                    await anyio.sleep(0.5)
        except Exception as error:
            if first_check_failure(error) is not None:
                raise
            # The killed server's streams end under the client: expected.
        check(session_id is not None, "no session was started before the kill")

        async with stdio_client(server, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                deadline = time.monotonic() + 20
                while True:
                    status = (await session.call_tool("wfhost_status", {"session": session_id})).structured_content
                    if status["status"] == "interrupted":
                        break
                    check(time.monotonic() < deadline, f"the killed session is not interrupted: {status!r}")
                    await anyio.sleep(0.05)
                start = time.monotonic()
                result = await session.call_tool("wfhost_resume", {"session": session_id})
                check(not result.is_error and result.structured_content["status"] == "succeeded",
                      f"resume after the kill: {text_of(result)}")
                timings["resume_after_kill_s"] = time.monotonic() - start
                status = (await session.call_tool("wfhost_status", {"session": session_id})).structured_content
                check(status["status"] == "succeeded" and status["stages"][0]["attempts"] == 2,
                      f"final status after the restart: {status!r}")


def first_check_failure(error):
    """The CheckFailed inside `error`, which anyio's task groups wrap in exception groups."""
    if isinstance(error, CheckFailed):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = first_check_failure(inner)
        if found is not None:
            return found
    return None


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    try:
        out = anyio.run(main, cfg)
    except BaseException as error:
        failure = first_check_failure(error)
        if failure is None:
            raise
        print(f"check failed: {failure}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"ok": True, "timings": out}))
