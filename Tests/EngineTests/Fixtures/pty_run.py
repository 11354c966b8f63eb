"""Runs a command with stdout and stderr on a real pseudo-terminal of a given size and prints what it wrote.

usage: pty_run.py COLUMNS [--resize-to N] [--interrupt] -- COMMAND...

After the first progress line ("[n/N] ...%") appears: --resize-to sets the window size to N columns (TIOCSWINSZ)
and sends SIGWINCH; then, after the next progress line, --interrupt sends SIGINT once. Prints one JSON object:
{"status": exit status or 128+signal, "output": what the command wrote (UTF-8, errors replaced),
"resized_at": offset in output where the resize happened or -1}.
"""
import fcntl, json, os, re, select, signal, struct, subprocess, sys, termios, time

args = sys.argv[1:]
split = args.index("--")
options, command = args[:split], args[split + 1:]
columns = int(options[0])
resize_to = int(options[options.index("--resize-to") + 1]) if "--resize-to" in options else None
interrupt = "--interrupt" in options

master, slave = os.openpty()
def set_size(fd, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
set_size(slave, columns)
child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, close_fds=True)
os.close(slave)
output = b""
progress = re.compile(rb"\x1b\[2K\[\d+/\d+\] \d+%")
# A drawing cut to the terminal's width (it ends with an ellipsis): the resize waits for one, so that the test
# sees a full-width line at both sizes.
long_progress = re.compile(rb"\x1b\[2K\[\d+/\d+\] \d+%[^\r\n\x1b]*\xe2\x80\xa6")
resized_at = -1
interrupted = False
deadline = time.time() + 150  # a loaded CI machine runs this slowly
while time.time() < deadline:
    ready, _, _ = select.select([master], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break  # EIO: the child closed the terminal
        if not chunk:
            break
        output += chunk
    found = len(progress.findall(output))
    if resize_to is not None and resized_at < 0 and long_progress.search(output):
        set_size(master, resize_to)
        resized_at = len(output)
        child.send_signal(signal.SIGWINCH)
    if interrupt and not interrupted and found >= 1 and (resize_to is None or resized_at >= 0) \
            and len(progress.findall(output[max(resized_at, 0):])) >= 2:
        child.send_signal(signal.SIGINT)
        interrupted = True
    if child.poll() is not None and not ready:
        break
status = child.wait(timeout=30)
print(json.dumps({"status": status if status >= 0 else 128 - status,
                  "output": output.decode("utf-8", "replace"),
                  "resized_at": len(output[:resized_at].decode("utf-8", "replace")) if resized_at >= 0 else -1}))
