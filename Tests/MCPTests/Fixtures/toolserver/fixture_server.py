"""A stdio MCP tool server for wfhost's tests, written with the official `mcp` package (2.x).

Tools: `echo` (structured result), `upper` (text only), `fail` (isError), `crash` (the process dies mid-call),
`hang` (never answers), `report` (progress and log notifications during the call). With FIXTURE_FAIL_AT_START
set it writes to stderr and exits before serving.
"""
import asyncio
import os
import sys
import time

if os.environ.get("FIXTURE_FAIL_AT_START"):
    print("fixture: cannot open the database /nonexistent/db", file=sys.stderr, flush=True)
    sys.exit(3)

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import TextContent

app = MCPServer("fixture")


@app.tool()
def echo(message: str, times: int = 1) -> dict:
    """Returns the message, repeated."""
    return {"message": message, "repeated": " ".join([message] * times), "token_seen": bool(os.environ.get("FIXTURE_TOKEN"))}


@app.tool(structured_output=False)
def upper(text: str) -> str:
    """Upper-cases the text (a text result, no structured content)."""
    return text.upper()


@app.tool()
def fail(reason: str) -> str:
    """Always fails with the reason."""
    raise ValueError("refused: " + reason)


@app.tool()
def crash(message: str) -> str:
    """Kills the server process mid-call."""
    print("fixture: crashing on purpose", file=sys.stderr, flush=True)
    os._exit(7)


@app.tool()
def hang(seconds: float = 3600) -> str:
    """Never answers (sleeps, ignoring cancellation)."""
    time.sleep(seconds)
    return "woke"


@app.tool()
async def report(steps: int, ctx: Context, pause: float = 0.3) -> dict:
    """Reports progress after each step (`pause` seconds each) and logs a line per step."""
    for step in range(1, steps + 1):
        await ctx.info(f"step {step} of {steps}")
        await ctx.report_progress(step, steps, f"step {step}")
        await asyncio.sleep(pause)
    await ctx.warning("all steps done")
    return {"steps": steps}


if __name__ == "__main__":
    app.run()
