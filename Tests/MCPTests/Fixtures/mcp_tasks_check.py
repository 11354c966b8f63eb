"""MCP tasks (protocol 2025-11-25, experimental) against `wfhost mcp serve`, in plain JSON-RPC over the server's
stdin and stdout: the official Python client has no task support.

Usage: mcp_tasks_check.py CONFIG.json, with CONFIG {"wfhost", "env", "cwd", "stdout_log", "stderr_log"}. Each
server's stdout is also appended to stdout_log + suffix (tee), its stderr to stderr_log + suffix, for the test to
check. Exit status 0 when every check passed; on stdout a last line of JSON with what was measured.
"""
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

TASKS_CAPABILITY = {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}

# A stage slow enough to kill the server in: a retry policy lets the resume run it again (attempt 2).
NAP = """\
apiVersion: orchestration/v1
kind: Workflow
metadata: {name: mcp-task-nap}
spec:
  stages:
    - name: nap
      retry_policy: {max_attempts: 2}
      tools:
        - name: sleep
          args: {ms: 4000}
"""

LONG = """\
apiVersion: orchestration/v1
kind: Workflow
metadata: {name: mcp-task-long}
spec:
  stages:
    - name: nap
      tools:
        - name: sleep
          args: {ms: 60000}
"""


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


class Server:
    """One `wfhost mcp serve`, spoken to in newline-delimited JSON-RPC."""

    def __init__(self, cfg, suffix):
        self.errlog = open(cfg["stderr_log"] + suffix, "w")
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", '"$0" mcp serve | tee -a "$1"', cfg["wfhost"], cfg["stdout_log"] + suffix],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errlog, env=cfg["env"], cwd=cfg["cwd"])
        self.next_id = 0
        self.responses = {}
        self.notifications = []
        self.cond = threading.Condition()
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            message = json.loads(line)
            with self.cond:
                if "id" in message and "method" not in message:
                    self.responses[message["id"]] = message
                elif "method" in message and "id" not in message:
                    self.notifications.append(message)
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def send(self, message):
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def start(self, method, params=None):
        """Sends a request; returns its id."""
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.next_id

    def wait(self, request_id, timeout=30):
        deadline = time.monotonic() + timeout
        with self.cond:
            while request_id not in self.responses:
                check(not self.closed, f"the server closed stdout before answering request {request_id}")
                left = deadline - time.monotonic()
                check(left > 0, f"no answer to request {request_id} within {timeout} s")
                self.cond.wait(left)
            return self.responses.pop(request_id)

    def answered(self, request_id):
        with self.cond:
            return request_id in self.responses

    def request(self, method, params=None, timeout=30):
        return self.wait(self.start(method, params), timeout)

    def result(self, method, params=None, timeout=30):
        response = self.request(method, params, timeout)
        check("result" in response, f"{method} {params!r}: {response!r}")
        return response["result"]

    def error(self, method, params=None):
        response = self.request(method, params)
        check("error" in response and "result" not in response, f"{method} {params!r} did not fail: {response!r}")
        return response["error"]

    def initialize(self, version, tasks):
        capabilities = {"tasks": {"list": {}, "cancel": {}}} if tasks else {}
        result = self.result("initialize", {"protocolVersion": version, "capabilities": capabilities,
                                            "clientInfo": {"name": "tasks-check", "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return result

    def call(self, name, arguments):
        """A plain tools/call: the CallToolResult."""
        return self.result("tools/call", {"name": name, "arguments": arguments}, timeout=120)

    def status(self, session):
        result = self.call("wfhost_status", {"session": session})
        check(not result.get("isError"), f"wfhost_status {session}: {result!r}")
        return result["structuredContent"]

    def close(self):
        self.proc.stdin.close()
        code = self.proc.wait(timeout=60)
        self.errlog.close()
        return code


def wait_until(what, predicate, timeout=20, every=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        check(time.monotonic() < deadline, f"timed out waiting until {what}")
        time.sleep(every)


def check_task(task, task_id, status):
    check(task.get("taskId") == task_id and task.get("status") == status, f"expected task {task_id} {status}: {task!r}")
    for key in ("createdAt", "lastUpdatedAt", "pollInterval"):
        check(key in task, f"task without {key}: {task!r}")
    check("ttl" in task, f"task without ttl (null means unlimited): {task!r}")


def main(cfg):
    timings = {}

    # Without 2025-11-25, or without the client's task capability: no tasks, and the task methods are unknown.
    for version, declares in (("2025-06-18", True), ("2025-11-25", False)):
        old = Server(cfg, f".{version}-{declares}")
        init = old.initialize(version, declares)
        check(init["protocolVersion"] == version, f"negotiated {init!r}")
        check("tasks" not in init["capabilities"], f"tasks announced to {version}/{declares}: {init!r}")
        tools = old.result("tools/list")["tools"]
        check(not any("execution" in t for t in tools), "execution.taskSupport listed without tasks")
        check(old.error("tasks/get", {"taskId": "x"})["code"] == -32601, "tasks/get without tasks is not method-not-found")
        check(old.close() == 0, "the server did not exit cleanly")

    server = Server(cfg, "")
    init = server.initialize("2025-11-25", True)
    check(init["protocolVersion"] == "2025-11-25", f"negotiated {init!r}")
    check(init["capabilities"].get("tasks") == TASKS_CAPABILITY, f"tasks capability: {init['capabilities']!r}")
    check("tools" in init["capabilities"], "the SDK's own capabilities are kept")

    tools = {t["name"]: t for t in server.result("tools/list")["tools"]}
    for name in ("wfhost_run", "workflow_greeting"):
        check(tools[name].get("execution") == {"taskSupport": "optional"}, f"{name}: {tools[name]!r}")
    for name in ("wfhost_status", "wfhost_resume", "echo"):
        check("execution" not in tools[name], f"{name} lists task support: {tools[name]!r}")

    # A quick task: a predefined workflow's tool; its result is what the plain call returns.
    start = time.monotonic()
    created = server.result("tools/call", {"name": "workflow_greeting", "arguments": {"who": "tasks"}, "task": {"ttl": 60000}})
    task = created["task"]
    quick = task["taskId"]
    check_task(task, quick, "working")
    check(isinstance(created.get("_meta", {}).get("io.modelcontextprotocol/model-immediate-response"), str), f"{created!r}")
    result = server.result("tasks/result", {"taskId": quick})
    timings["quick_task_s"] = time.monotonic() - start
    check(result.get("isError") is False, f"quick task result: {result!r}")
    check(result["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": quick}, f"related task: {result!r}")
    structured = result["structuredContent"]
    check(structured["session"] == quick and structured["status"] == "succeeded", f"{structured!r}")
    shout = next(s for s in structured["stages"] if s["name"] == "shout")
    check(shout["output"]["message"] == "hello, tasks x42", f"shout: {shout!r}")
    plain = server.call("workflow_greeting", {"who": "tasks"})
    check(not plain.get("isError") and "task" not in plain, f"plain call: {plain!r}")
    check([s.get("output") for s in plain["structuredContent"]["stages"]] == [s.get("output") for s in structured["stages"]],
          f"the task's result differs from the plain call's: {plain!r} vs {result!r}")
    check_task(server.result("tasks/get", {"taskId": quick}), quick, "completed")
    wait_until("a notifications/tasks/status of the quick task",
               lambda: any(n["method"] == "notifications/tasks/status" and n["params"]["taskId"] == quick
                           and n["params"]["status"] == "completed" for n in server.notifications))

    # A tool without task support, and bad arguments.
    check(server.error("tools/call", {"name": "echo", "arguments": {"message": "x"}, "task": {}})["code"] == -32601,
          "a task-augmented call of echo")
    error = server.error("tools/call", {"name": "workflow_greeting", "arguments": {"times": "x"}, "task": {"ttl": 1000}})
    check(error["code"] == -32602 and "invalid_args" in error["message"], f"bad arguments: {error!r}")

    # The slow task: killed mid-run with its server.
    created = server.result("tools/call", {"name": "wfhost_run", "arguments": {"yaml": NAP}, "task": {"ttl": 60000}})
    nap = created["task"]["taskId"]
    check_task(created["task"], nap, "working")
    status = server.status(nap)
    check(status["session_id"] == nap, f"the task id is not the session id: {status!r}")
    check_task(server.result("tasks/get", {"taskId": nap}), nap, "working")
    status = wait_until("the nap runs", lambda: (lambda s: s if s["stages"][0]["status"] == "running" else None)(server.status(nap)))
    check_task(server.result("tasks/get", {"taskId": nap}), nap, "working")
    listed = server.result("tasks/list")
    check(any(t["taskId"] == nap for t in listed["tasks"]) and "nextCursor" not in listed, f"tasks/list: {listed!r}")
    check(server.error("tasks/list", {"cursor": "not-a-cursor"})["code"] == -32602, "a bad cursor")
    check(status["owner_alive"] and status["owner_pid"], f"no live owner: {status!r}")
    os.kill(status["owner_pid"], signal.SIGKILL)
    server.proc.wait(timeout=30)
    server.errlog.close()

    server = Server(cfg, ".restart")
    check(server.initialize("2025-11-25", True)["capabilities"].get("tasks") == TASKS_CAPABILITY, "tasks after the restart")
    task = server.result("tasks/get", {"taskId": nap})
    check_task(task, nap, "input_required")
    check("interrupted" in task["statusMessage"] and "wfhost_resume" in task["statusMessage"], f"{task!r}")
    waiting = server.start("tasks/result", {"taskId": nap})
    time.sleep(0.5)
    check(not server.answered(waiting), "tasks/result answered before the task ended")
    start = time.monotonic()
    resumed = server.call("wfhost_resume", {"session": nap, "wait": False})
    check(not resumed.get("isError"), f"resume: {resumed!r}")
    wait_until("the resumed task works", lambda: server.result("tasks/get", {"taskId": nap})["status"] in ("working", "completed"))
    response = server.wait(waiting, timeout=60)
    timings["resume_after_kill_s"] = time.monotonic() - start
    result = response.get("result")
    check(result is not None and result.get("isError") is False, f"tasks/result after the restart: {response!r}")
    check(result["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": nap}, f"{result!r}")
    structured = result["structuredContent"]
    check(structured["session"] == nap and structured["status"] == "succeeded"
          and structured["stages"][0]["attempts"] == 2, f"result after the restart: {structured!r}")
    check_task(server.result("tasks/get", {"taskId": nap}), nap, "completed")
    check(server.error("tasks/cancel", {"taskId": nap})["code"] == -32602, "cancelling a completed task")

    # tasks/cancel of a running task.
    created = server.result("tools/call", {"name": "wfhost_run", "arguments": {"yaml": LONG}, "task": {"ttl": 60000}})
    long = created["task"]["taskId"]
    wait_until("the long nap runs", lambda: server.status(long)["stages"][0]["status"] == "running")
    start = time.monotonic()
    cancelled = server.result("tasks/cancel", {"taskId": long}, timeout=60)
    timings["cancel_s"] = time.monotonic() - start
    check_task(cancelled, long, "cancelled")
    check(server.status(long)["status"] == "cancelled", "the cancelled task's session is not cancelled")
    check_task(server.result("tasks/get", {"taskId": long}), long, "cancelled")
    result = server.result("tasks/result", {"taskId": long})
    check(result.get("isError") is True and result["structuredContent"]["status"] == "cancelled", f"{result!r}")
    check(server.error("tasks/cancel", {"taskId": long})["code"] == -32602, "cancelling a cancelled task")

    # Unknown task ids.
    for method in ("tasks/get", "tasks/result", "tasks/cancel"):
        error = server.error(method, {"taskId": "no-such-task"})
        check(error["code"] == -32602 and "not found" in error["message"], f"{method} of an unknown id: {error!r}")

    check(server.close() == 0, "the restarted server did not exit cleanly")
    return timings


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        config = json.load(f)
    try:
        out = main(config)
    except CheckFailed as failure:
        print(f"check failed: {failure}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"ok": True, "timings": out}))
