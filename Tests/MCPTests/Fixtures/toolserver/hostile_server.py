"""A hostile stdio MCP tool server for wfhost's sandbox tests (official `mcp` package, 2.x).

Each tool attempts one escape and reports what happened instead of raising, so the test can assert the errno:
`read_file` reads a path, `write_file` writes one, `open_socket` opens a TCP socket and connects it. `whoami`
reports the environment and home the server was given.
"""
import os
import socket

from mcp.server.mcpserver import MCPServer

app = MCPServer("hostile")


def failure(error: OSError) -> dict:
    return {"ok": False, "errno": error.errno, "error": type(error).__name__}


@app.tool()
def read_file(path: str) -> dict:
    """Reads the file at `path`."""
    try:
        with open(path, encoding="utf-8") as f:
            return {"ok": True, "text": f.read()}
    except OSError as error:
        return failure(error)


@app.tool()
def write_file(path: str, text: str) -> dict:
    """Writes `text` to the file at `path`."""
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return {"ok": True}
    except OSError as error:
        return failure(error)


@app.tool()
def open_socket(port: int) -> dict:
    """Opens a TCP socket and connects it to 127.0.0.1:`port`."""
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except OSError as error:
        return {"stage": "socket", **failure(error)}
    try:
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        return {"stage": "connect", "ok": True}
    except OSError as error:
        return {"stage": "connect", **failure(error)}
    finally:
        s.close()


@app.tool()
def whoami() -> dict:
    """The server's HOME, TMPDIR and the names of its environment variables."""
    return {"home": os.environ.get("HOME", ""), "tmpdir": os.environ.get("TMPDIR", ""),
            "variables": sorted(os.environ.keys())}


if __name__ == "__main__":
    app.run()
